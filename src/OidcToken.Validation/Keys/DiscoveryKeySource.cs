using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace OidcToken.Validation;

/// <summary>
/// Keys from the issuer's discovery document and JWKS.
/// <para>
/// <see cref="ConfigurationManager{T}"/> does the first fetch, the scheduled refresh (<c>AutomaticRefreshInterval</c>,
/// with its jitter) and keeps the last known good configuration when a refresh fails or is refused by
/// <see cref="DiscoveryValidator"/>. Its <c>RequestRefresh()</c> is <b>not</b> used for unknown <c>kid</c>s: in 8.x it
/// refreshes in the background, so the request that asked never sees the new key, and making it blocking needs a
/// process-wide AppContext switch. Instead an unknown <c>kid</c> triggers a fetch of our own with
/// <see cref="OpenIdConnectConfigurationRetriever"/>, through the same guarded retriever and validator, at most once per
/// <c>RefreshInterval</c>, shared by all callers that arrive while it runs, and awaited by them: a rotated key is
/// accepted within one interval even under a flood of unknown <c>kid</c>s, which cost at most one fetch per interval.
/// </para>
/// <para>
/// Whichever finished last wins: a new configuration object from ConfigurationManager replaces our own fetch's keys. In
/// the rare race where a scheduled fetch started before an unknown-kid fetch but finished after it, the older key set
/// is used until the next unknown <c>kid</c> fetches again (at most one RefreshInterval later).
/// </para>
/// </summary>
internal sealed class DiscoveryKeySource : IKeySource
{
    private readonly string _issuer;
    private readonly string _metadataAddress;
    private readonly GuardedDocumentRetriever _retriever;
    private readonly DiscoveryValidator _validator;
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _manager;
    private readonly HttpClient? _ownedClient;
    private readonly TimeProvider _time;
    private readonly long _refreshIntervalTicks;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    private KeySnapshot? _snapshot;
    private object? _lastManagerConfiguration;
    private long _lastFetchStarted = long.MinValue;
    private Task<KeySnapshot?>? _inflight;
    private string? _lastFailure;
    private bool _lastFetchFailed;

    public DiscoveryKeySource(string issuer, Uri issuerUri, HttpClient? httpClient, TimeSpan refreshInterval, TimeSpan automaticRefreshInterval, TimeProvider time, ILogger logger)
    {
        _issuer = issuer;
        _metadataAddress = issuer + "/.well-known/openid-configuration";
        _ownedClient = httpClient is null ? GuardedDocumentRetriever.CreateOwnClient() : null;
        _retriever = new GuardedDocumentRetriever(httpClient ?? _ownedClient!, issuerUri);
        _validator = new DiscoveryValidator(issuer, issuerUri);
        _manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            _metadataAddress, new OpenIdConnectConfigurationRetriever(), _retriever, _validator)
        {
            AutomaticRefreshInterval = automaticRefreshInterval,
            RefreshInterval = refreshInterval,
        };
        _time = time;
        _refreshIntervalTicks = (long)(refreshInterval.TotalSeconds * time.TimestampFrequency);
        _logger = logger;
    }

    public async ValueTask<KeyLookup> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot is not null && snapshot.TryGet(keyId, out var key))
        {
            return KeyLookup.Found(key);
        }

        if (snapshot is not null)
        {
            // Unknown kid: refetch at most once per RefreshInterval, then look again.
            ValidationLog.UnknownKeyRefresh(_logger, Text.Quote(keyId), _issuer);
            var refreshed = await RefreshAsync(initial: false, cancellationToken).ConfigureAwait(false);
            if (refreshed is not null && refreshed.TryGet(keyId, out key))
            {
                return KeyLookup.Found(key);
            }
        }

        bool failed;
        string? failure;
        lock (_lock)
        {
            snapshot = _snapshot;
            failed = _lastFetchFailed;
            failure = _lastFailure;
        }

        if (snapshot is null || failed)
        {
            return KeyLookup.Unavailable(
                $"the signing keys of issuer {_issuer} could not be obtained from {_metadataAddress}: {failure ?? "no answer yet"}. "
                + "The token was not judged: retry later, or check that this host can reach the issuer (proxy, firewall, DNS)",
                nameof(GitHubOidcValidationOptions.SigningKeys),
                "; or validate offline with SigningKeys");
        }

        return KeyLookup.Unknown(
            $"the token's kid '{Text.Quote(keyId)}' is not in the issuer's JWKS ({snapshot.Count} key(s), refreshed at most once per refresh interval): "
            + "the token was not signed by the configured issuer, or by a key it no longer publishes");
    }

    public void Dispose() => _ownedClient?.Dispose();

    private async ValueTask<KeySnapshot?> CurrentAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _snapshot) is null)
        {
            // Never had keys: the first fetch goes through ConfigurationManager, shared by concurrent callers and
            // retried at most once per RefreshInterval while it fails.
            return await RefreshAsync(initial: true, cancellationToken).ConfigureAwait(false);
        }

        return await FromManagerAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<KeySnapshot?> FromManagerAsync(CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            // Returns the current configuration at once; when AutomaticRefreshInterval has passed it refreshes in the
            // background and keeps the last known good configuration if that fails. It blocks only for the first fetch.
            configuration = await _manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The first fetch failed (ConfigurationManager wraps the retriever's or validator's error).
            RecordFailure(_validator.LastProblem ?? _retriever.LastProblem ?? "the discovery document could not be read");
            return Volatile.Read(ref _snapshot);
        }

        lock (_lock)
        {
            if (!ReferenceEquals(configuration, _lastManagerConfiguration))
            {
                // A fetch by ConfigurationManager finished since we last looked: it is the newest view of the JWKS.
                _lastManagerConfiguration = configuration;
                _snapshot = _validator.SnapshotOf(configuration);
                _lastFetchFailed = false;
                ValidationLog.SigningKeysLoaded(_logger, _snapshot.Count, _issuer, "scheduled fetch");
            }

            return _snapshot;
        }
    }

    private Task<KeySnapshot?> RefreshAsync(bool initial, CancellationToken cancellationToken)
    {
        Task<KeySnapshot?> task;
        lock (_lock)
        {
            if (_inflight is { IsCompleted: false } running)
            {
                task = running;
            }
            else if (!TryStartFetchWindowLocked())
            {
                return Task.FromResult(_snapshot);
            }
            else
            {
                // Shared by every caller; not cancelled by any one of them.
                task = _inflight = initial
                    ? Task.Run(() => FromManagerAsync(CancellationToken.None).AsTask(), CancellationToken.None)
                    : Task.Run(FetchAsync, CancellationToken.None);
            }
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task<KeySnapshot?> FetchAsync()
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await OpenIdConnectConfigurationRetriever.GetAsync(_metadataAddress, _retriever, CancellationToken.None).ConfigureAwait(false);
        }
        catch (KeyFetchException ex)
        {
            RecordFailure(ex.Message);
            return null;
        }
        catch (ArgumentException ex)
        {
            RecordFailure("the discovery document or JWKS is not valid JSON of the expected shape (" + ex.GetType().Name + ")");
            return null;
        }
        catch (System.Text.Json.JsonException)
        {
            RecordFailure("the discovery document or JWKS is not valid JSON");
            return null;
        }
        catch (InvalidOperationException ex)
        {
            RecordFailure("the discovery document or JWKS could not be read (" + ex.GetType().Name + ")");
            return null;
        }

        if (_validator.Check(configuration) is { } problem)
        {
            RecordFailure(problem);
            return null;
        }

        var snapshot = _validator.SnapshotOf(configuration);
        lock (_lock)
        {
            _snapshot = snapshot;
            _lastFetchFailed = false;
        }

        ValidationLog.SigningKeysLoaded(_logger, snapshot.Count, _issuer, "unknown kid");
        return snapshot;
    }

    private void RecordFailure(string problem)
    {
        bool haveKeys;
        lock (_lock)
        {
            _lastFailure = problem;
            _lastFetchFailed = true;
            haveKeys = _snapshot is not null;
        }

        ValidationLog.SigningKeysFetchFailed(_logger, _issuer, problem, haveKeys);
    }

    private bool TryStartFetchWindowLocked()
    {
        var now = _time.GetTimestamp();
        if (_lastFetchStarted != long.MinValue && now - _lastFetchStarted < _refreshIntervalTicks)
        {
            return false;
        }

        _lastFetchStarted = now;
        return true;
    }
}
