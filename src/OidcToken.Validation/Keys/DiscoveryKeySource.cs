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
/// <see cref="OpenIdConnectConfigurationRetriever"/>, through the same guarded retriever and validator, shared by all
/// callers that arrive while it runs, and awaited by them.
/// </para>
/// <para>
/// Unknown-<c>kid</c> fetches are rate-limited to one per <c>RefreshInterval</c>; the first fetch and the scheduled
/// ones do not count against that allowance, so the first unknown <c>kid</c> after any fetch refetches at once (a key
/// rotated just after start-up is seen by the first token signed with it). A flood of unknown <c>kid</c>s costs at most
/// one fetch per interval. The verdict for a <c>kid</c> still unknown is honest about what was checked: it is unknown
/// (the token is invalid) when the key set was fetched after the token was issued, and "keys unavailable" (retry later)
/// when only the rate limit stood between the token and a key set new enough to judge it.
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
    private readonly TimeSpan _refreshInterval;
    private readonly long _refreshIntervalTicks;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    private KeySnapshot? _snapshot;
    private DateTimeOffset _snapshotFetchedAt;
    private object? _lastManagerConfiguration;
    private long _lastInitialAttempt = long.MinValue;
    private long _lastUnknownKeyFetch = long.MinValue;
    private Task<KeySnapshot?>? _inflight;
    private string? _lastFailure;
    private bool _lastFetchFailed;

    public DiscoveryKeySource(string issuer, Uri issuerUri, HttpClient? httpClient, TimeSpan refreshInterval, TimeSpan automaticRefreshInterval, TimeProvider time, ILogger logger)
    {
        _issuer = issuer;
        _metadataAddress = issuer + "/.well-known/openid-configuration";
        _ownedClient = httpClient is null ? GuardedDocumentRetriever.CreateOwnClient() : null;
        _retriever = new GuardedDocumentRetriever(httpClient ?? _ownedClient!, issuerUri);
        _validator = new DiscoveryValidator(issuer, issuerUri, _retriever);
        _manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            _metadataAddress, new OpenIdConnectConfigurationRetriever(), _retriever, _validator)
        {
            AutomaticRefreshInterval = automaticRefreshInterval,
            RefreshInterval = refreshInterval,
        };
        _time = time;
        _refreshInterval = refreshInterval;
        _refreshIntervalTicks = (long)(refreshInterval.TotalSeconds * time.TimestampFrequency);
        _logger = logger;
    }

    public async ValueTask<KeyLookup> FindAsync(string keyId, DateTimeOffset? issuedAt, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot is not null && snapshot.TryGet(keyId, out var key))
        {
            return KeyLookup.Found(key);
        }

        var refetched = false;
        if (snapshot is not null)
        {
            // Unknown kid: refetch unless an unknown-kid fetch already ran within RefreshInterval, then look again.
            var refresh = RefreshAsync(initial: false, cancellationToken);
            if (refresh is not null)
            {
                ValidationLog.UnknownKeyRefresh(_logger, Text.Quote(keyId), _issuer);
                var refreshed = await refresh.ConfigureAwait(false);
                if (refreshed is not null && refreshed.TryGet(keyId, out key))
                {
                    return KeyLookup.Found(key);
                }

                refetched = true;
            }
        }

        bool failed;
        string? failure;
        DateTimeOffset fetchedAt;
        lock (_lock)
        {
            snapshot = _snapshot;
            fetchedAt = _snapshotFetchedAt;
            failed = _lastFetchFailed;
            failure = _lastFailure;
        }

        if (snapshot is null || (failed && refetched))
        {
            return KeyLookup.Unavailable(
                $"the signing keys of issuer {_issuer} could not be obtained from {_metadataAddress}: {failure ?? "no answer yet"}. "
                + "The token was not judged: retry later, or check that this host can reach the issuer (proxy, firewall, DNS)",
                nameof(GitHubOidcValidationOptions.SigningKeys),
                "; or validate offline with SigningKeys");
        }

        // iat has whole seconds: a key set fetched within the second the token was issued may predate it.
        if (!refetched && (issuedAt is not { } iat || fetchedAt < iat + TimeSpan.FromSeconds(1)))
        {
            // The keys we hold may be older than the token and the refetch allowance is used up: the key may be newer
            // than our copy, so the token cannot be judged yet.
            return KeyLookup.Unavailable(
                $"the token's kid '{Text.Quote(keyId)}' is not in the issuer's JWKS as fetched at {Text.Instant(fetchedAt)}, "
                + $"{(issuedAt is { } at ? "before the token was issued at " + Text.Instant(at) : "and the token has no issue time (iat)")}; "
                + $"the keys are fetched again for an unknown kid at most once per refresh interval ({Text.Seconds(_refreshInterval)}). "
                + "The token was not judged: retry later");
        }

        return KeyLookup.Unknown(
            $"the token's kid '{Text.Quote(keyId)}' is not in the issuer's JWKS ({snapshot.Count} key(s), fetched at {Text.Instant(fetchedAt)}, after the token was issued): "
            + "the token was not signed by the configured issuer, or by a key it no longer publishes");
    }

    public async ValueTask<GitHubOidcKeyStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return snapshot is null
                ? new GitHubOidcKeyStatus(false, 0, $"the signing keys of issuer {_issuer} could not be obtained from {_metadataAddress}: {_lastFailure ?? "no answer yet"}")
                : new GitHubOidcKeyStatus(true, snapshot.Count, _lastFetchFailed ? "the latest fetch failed (" + _lastFailure + "); the keys held are still used" : null);
        }
    }

    public void Dispose() => _ownedClient?.Dispose();

    private async ValueTask<KeySnapshot?> CurrentAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _snapshot) is null)
        {
            // Never had keys: the first fetch goes through ConfigurationManager, shared by concurrent callers and
            // retried at most once per RefreshInterval while it fails.
            return RefreshAsync(initial: true, cancellationToken) is { } first
                ? await first.ConfigureAwait(false)
                : Volatile.Read(ref _snapshot);
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
            RecordFailure(_retriever.LastProblem ?? "the discovery document could not be read");
            return Volatile.Read(ref _snapshot);
        }

        lock (_lock)
        {
            if (!ReferenceEquals(configuration, _lastManagerConfiguration))
            {
                // A fetch by ConfigurationManager finished since we last looked: it is the newest view of the JWKS.
                _lastManagerConfiguration = configuration;
                _snapshot = _validator.SnapshotOf(configuration);
                _snapshotFetchedAt = _time.GetUtcNow();
                _lastFetchFailed = false;
                ValidationLog.SigningKeysLoaded(_logger, _snapshot.Count, _issuer, "scheduled fetch");
            }

            return _snapshot;
        }
    }

    /// <summary>
    /// Starts (or joins) a fetch: the first one through ConfigurationManager, an unknown-kid one of our own. Returns
    /// null when the window of that kind of fetch is closed (an attempt started within RefreshInterval).
    /// </summary>
    private Task<KeySnapshot?>? RefreshAsync(bool initial, CancellationToken cancellationToken)
    {
        Task<KeySnapshot?> task;
        lock (_lock)
        {
            if (_inflight is { IsCompleted: false } running)
            {
                task = running;
            }
            else if (!(initial ? TryStartFetchWindowLocked(ref _lastInitialAttempt) : TryStartFetchWindowLocked(ref _lastUnknownKeyFetch)))
            {
                return null;
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
        var fetchedAt = _time.GetUtcNow();
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
            _snapshotFetchedAt = fetchedAt;
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

    private bool TryStartFetchWindowLocked(ref long lastStarted)
    {
        var now = _time.GetTimestamp();
        if (lastStarted != long.MinValue && now - lastStarted < _refreshIntervalTicks)
        {
            return false;
        }

        lastStarted = now;
        return true;
    }
}
