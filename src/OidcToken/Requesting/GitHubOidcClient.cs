using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OidcToken.Diagnostics;
using OidcToken.Http;
using OidcToken.Rules;
using OidcToken.RunnerContext;
using OidcToken.Masking;
using OidcToken.Observability;
using OidcToken.Requesting;
using OidcToken.Resilience;
using Polly.Timeout;

namespace OidcToken;

/// <summary>
/// Requests GitHub Actions OIDC ID tokens from the runner, with retries, a deadline, a per-audience cache,
/// one shared in-flight request per audience, masking, and diagnostics that say why a token cannot be had.
/// Thread-safe; create one and reuse it.
/// </summary>
/// <example>
/// <code>
/// using var client = new GitHubOidcClient();
/// IdToken token = await client.GetTokenAsync("sts.amazonaws.com");
/// Console.WriteLine(token.UnverifiedClaims.Subject);
/// </code>
/// </example>
public class GitHubOidcClient : IDisposable
{
    private readonly GitHubOidcClientOptions _options;
    private readonly Func<string, string?> _variables;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ActionsMasker? _masker;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Lock _endpointGate = new();
    private readonly AttemptPolicy<AttemptResult> _policy;
    private volatile EndpointCache? _endpoint;

    /// <summary>Creates a client that reads the process environment and uses its own redirect-free HTTP handler.</summary>
    public GitHubOidcClient()
        : this(new GitHubOidcClientOptions())
    {
    }

    /// <summary>Creates a client with the given options, validated now.</summary>
    /// <param name="options">The options; copied values are read once here.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message lists every problem.</exception>
    public GitHubOidcClient(GitHubOidcClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _variables = options.EnvironmentVariables ?? Environment.GetEnvironmentVariable;
        _time = options.TimeProvider ?? TimeProvider.System;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("OidcToken.GitHubOidcClient");
        // Masks follow where the output goes: the process's own GITHUB_ACTIONS, not the injected variables (a test's mock says true).
        var mask = options.MaskTokens ?? ProcessActions.IsGitHubActions;
        _masker = mask ? new ActionsMasker(options.MaskOutput) : null;
        if (options.HttpClient is { } http)
        {
            _http = http;
        }
        else if (options.HttpClientFactory is { } factory)
        {
            _http = factory.CreateClient(options.HttpClientName);
        }
        else
        {
            _http = new HttpClient(SafeHttp.CreateHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            _ownsHttp = true;
        }

        _policy = BuildPolicy();
    }

    /// <summary>
    /// Returns an ID token for <paramref name="audience"/>: from the cache while it is fresh, otherwise from one
    /// request shared by every concurrent caller for that audience.
    /// </summary>
    /// <param name="audience">The <c>aud</c> to request; null or empty asks for GitHub's default (<c>https://github.com/&lt;owner&gt;</c>).</param>
    /// <param name="cancellationToken">Cancels this caller's wait (a request shared with other callers goes on for them).</param>
    /// <returns>The token.</returns>
    /// <exception cref="OidcTokenException">No token could be obtained; <see cref="OidcTokenException.ErrorCode"/> says why.</exception>
    /// <exception cref="ArgumentException"><paramref name="audience"/> is only white space.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<IdToken> GetTokenAsync(string? audience, CancellationToken cancellationToken) =>
        GetTokenAsync(audience, null, cancellationToken);

    /// <summary>Returns an ID token for <paramref name="audience"/>, with per-call options such as a forced refresh.</summary>
    /// <param name="audience">The <c>aud</c> to request; null or empty asks for GitHub's default.</param>
    /// <param name="requestOptions">Per-call options; null means the defaults.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    /// <returns>The token.</returns>
    /// <exception cref="OidcTokenException">No token could be obtained; <see cref="OidcTokenException.ErrorCode"/> says why.</exception>
    /// <exception cref="ArgumentException"><paramref name="audience"/> is only white space.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<IdToken> GetTokenAsync(string? audience, IdTokenRequestOptions? requestOptions = null, CancellationToken cancellationToken = default)
    {
        var key = NormalizeAudience(audience);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IdToken>(cancellationToken);
        }

        var endpoint = _endpoint;
        if (endpoint is not null && requestOptions?.ForceRefresh != true
            && endpoint.Entries.TryGetValue(key, out var entry) && entry.IsFresh(_time.GetUtcNow()))
        {
            RequestMetrics.CacheHits.Add(1);
            return entry.Task;
        }

        return GetTokenSlowAsync(key, requestOptions?.ForceRefresh == true, cancellationToken);
    }

    /// <summary>Like <see cref="GetTokenAsync(string?, CancellationToken)"/>, but returns the diagnosis instead of throwing it.</summary>
    /// <param name="audience">The <c>aud</c> to request; null or empty asks for GitHub's default.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    /// <returns>The token, or the <see cref="OidcTokenException"/> that says why there is none.</returns>
    /// <exception cref="ArgumentException"><paramref name="audience"/> is only white space.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task<IdTokenResult> TryGetTokenAsync(string? audience, CancellationToken cancellationToken = default)
    {
        try
        {
            return IdTokenResult.Success(await GetTokenAsync(audience, null, cancellationToken).ConfigureAwait(false));
        }
        catch (OidcTokenException ex)
        {
            return IdTokenResult.Failure(ex);
        }
    }

    /// <summary>Reports whether a token can be requested with this client's environment, and if not why. No network I/O; never throws.</summary>
    /// <returns>The report.</returns>
    public OidcEnvironmentReport Diagnose() =>
        EnvironmentDiagnoser.Diagnose(RunnerEnvironment.Read(_variables, _options.FileExists));

    /// <summary>Disposes the HTTP client the client created itself (never one it was given).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>Requests a new token without touching the cache (the drop-in's semantics).</summary>
    internal async Task<IdToken> RequestFreshAsync(string? audience, CancellationToken cancellationToken)
    {
        var key = NormalizeAudience(audience);
        var endpoint = ResolveEndpoint();
        return await RequestAsync(endpoint.Endpoint, key, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IdToken> GetTokenSlowAsync(string key, bool forceRefresh, CancellationToken cancellationToken)
    {
        var endpoint = ResolveEndpoint();
        if (forceRefresh)
        {
            var token = await RequestAsync(endpoint.Endpoint, key, cancellationToken).ConfigureAwait(false);
            var fresh = new CacheEntry();
            fresh.Complete(token, _options.CacheMargin);
            endpoint.Entries[key] = fresh;
            return token;
        }

        while (true)
        {
            var now = _time.GetUtcNow();
            var candidate = new CacheEntry();
            var entry = endpoint.Entries.AddOrUpdate(
                key,
                candidate,
                (_, existing) => existing.IsInFlight || existing.IsFresh(now) ? existing : candidate);
            if (ReferenceEquals(entry, candidate))
            {
                _ = FillAsync(endpoint, key, candidate);
            }
            else if (!entry.IsInFlight && !entry.IsFresh(now))
            {
                continue;
            }
            else
            {
                RequestMetrics.CacheHits.Add(1);
            }

            return await entry.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the shared request for a cache entry; independent of any one caller's cancellation.</summary>
    private async Task FillAsync(EndpointCache endpoint, string key, CacheEntry entry)
    {
        var fill = RequestAndCompleteAsync(endpoint, key, entry);
        try
        {
            await fill.ConfigureAwait(false);
        }
        finally
        {
            if (entry.IsInFlight)
            {
                // Only a bug gets here (RequestAndCompleteAsync settles the entry for every documented outcome). The waiters
                // must never hang on it: they get the same exception, unchanged, and the entry is dropped.
                endpoint.Entries.TryRemove(new KeyValuePair<string, CacheEntry>(key, entry));
                entry.Fail(fill.Exception?.InnerException ?? new InvalidOperationException("The token request ended without an outcome."));
            }
        }
    }

    private async Task RequestAndCompleteAsync(EndpointCache endpoint, string key, CacheEntry entry)
    {
        try
        {
            var token = await RequestAsync(endpoint.Endpoint, key, CancellationToken.None).ConfigureAwait(false);
            entry.Complete(token, _options.CacheMargin);
        }
        catch (Exception ex) when (ex is OidcTokenException or OperationCanceledException)
        {
            // Failures are never cached: drop the entry so the next caller asks again, then hand the error to the waiters.
            endpoint.Entries.TryRemove(new KeyValuePair<string, CacheEntry>(key, entry));
            entry.Fail(ex);
        }
    }

    /// <summary>
    /// Returns the cache for the endpoint the environment names now. The variables are read again on every
    /// request (never on a cache hit): when the request URL or the request token changes, the tokens cached
    /// for the old pair are dropped, so the cache is in effect keyed by (request URL, request token, audience).
    /// </summary>
    private EndpointCache ResolveEndpoint()
    {
        var url = _variables(RunnerVariables.RequestUrl);
        var requestToken = _variables(RunnerVariables.RequestToken);
        if (_endpoint is { } known && known.Matches(url, requestToken))
        {
            return known;
        }

        lock (_endpointGate)
        {
            if (_endpoint is { } raced && raced.Matches(url, requestToken))
            {
                return raced;
            }

            // The request path reads the two variables and nothing else; the event file, container markers and the issuer
            // are read only to explain why a token cannot be requested.
            Uri? uri = null;
            if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(requestToken) || !EnvironmentDiagnoser.IsSendable(requestToken)
                || UrlRules.CheckSecureUrl(url, out uri) is not null)
            {
                var report = EnvironmentDiagnoser.Diagnose(RunnerEnvironment.Read(_variables, _options.FileExists));
                var code = report.ErrorCode ?? OidcTokenErrorCode.RequestUrlInvalid;
                Log.TokenUnavailable(_logger, code);
                throw new OidcTokenException(code, report.Message);
            }

            var endpoint = new EndpointCache(url, new TokenEndpoint(uri!, requestToken));
            _endpoint = endpoint;
            return endpoint;
        }
    }

    private async Task<IdToken> RequestAsync(TokenEndpoint endpoint, string audience, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.ActivitySource.StartActivity("GetIdToken", ActivityKind.Client);
        activity?.SetTag("oidctoken.audience", audience);
        activity?.SetTag("server.address", endpoint.Host);
        Log.TokenRequestStarting(_logger, audience, endpoint.Host);

        var request = new TokenRequest(this, endpoint, endpoint.BuildUri(audience.Length == 0 ? null : audience), audience);
        var report = await _policy.RunAsync(
            static async (request, cancellationToken) =>
            {
                var self = request.Client;
                var result = await request.Endpoint.SendAsync(self._http, request.Uri, request.Audience, self._time, cancellationToken).ConfigureAwait(false);
                RequestMetrics.TokenRequests.Add(1, new KeyValuePair<string, object?>("outcome", result.Token is null ? result.ErrorCode.ToString() : "success"));
                return result;
            },
            request,
            cancellationToken).ConfigureAwait(false);

        AttemptResult outcome;
        var deadlinePassed = report.Stop == AttemptStop.DeadlinePassed;
        if (deadlinePassed)
        {
            outcome = report.Result is { Token: null } previous ? previous : AttemptTimedOut(report.Exception ?? report.DeadlineException);
        }
        else if (report.Exception is TimeoutRejectedException timeout)
        {
            outcome = AttemptTimedOut(timeout);
        }
        else
        {
            report.Last?.ThrowIfException();
            outcome = report.Result!;
        }

        if (outcome.Token is not { } token)
        {
            throw Fail(outcome, audience, endpoint, report.Attempts, report.Elapsed, deadlinePassed);
        }

        _masker?.Mask(token.Reveal());
        if (_options.Verifier is { } verifier)
        {
            await verifier.VerifyAsync(token, cancellationToken).ConfigureAwait(false);
        }

        Log.TokenReceived(_logger, token.Audience, token.UnverifiedClaims.Subject, token.ExpiresAt, report.Attempts, (long)report.Elapsed.TotalMilliseconds);
        return token;
    }

    private AttemptResult AttemptTimedOut(Exception? ex) =>
        AttemptResult.Failure(
            OidcTokenErrorCode.NetworkError,
            retryable: true,
            "no answer within the attempt timeout of " + Text.Durations.Seconds(_options.AttemptTimeout),
            exception: ex);

    private OidcTokenException Fail(AttemptResult failure, string audience, TokenEndpoint endpoint, int attempts, TimeSpan elapsed, bool deadlinePassed)
    {
        var error = FailureMessages.Create(failure, audience, endpoint.Host, attempts, elapsed, _options.Deadline, deadlinePassed, endpoint.LoopbackAuthority);
        Log.TokenRequestFailed(_logger, error.ErrorCode, attempts, (long)elapsed.TotalMilliseconds);
        return error;
    }

    /// <summary>
    /// The attempt policy, built once per client: the deadline, retries of the transient answers (backoff from
    /// <see cref="GitHubOidcClientOptions.RetryDelay"/> with ±50 % jitter, capped at <see cref="GitHubOidcClientOptions.MaxRetryDelay"/>;
    /// a <c>Retry-After</c> replaces it, and one beyond the deadline ends the request), and the attempt timeout.
    /// </summary>
    private AttemptPolicy<AttemptResult> BuildPolicy() => new(
        AttemptPolicyOptions.Documented(_options.MaxAttempts, _options.Deadline, _options.AttemptTimeout, _options.RetryDelay, _options.MaxRetryDelay, _time)
            with { BackoffMayRunIntoDeadline = true },
        static outcome => outcome.Result is { Token: null, Retryable: true } failure ? AttemptVerdict.Retry(failure.RetryAfter) : AttemptVerdict.Settle,
        (attempt, outcome, _) =>
        {
            var reason = outcome.Result?.Detail
                ?? (outcome.Exception is TimeoutRejectedException ? AttemptTimedOut(null).Detail : outcome.Exception?.GetType().Name)
                ?? "unknown";
            Log.AttemptFailed(_logger, attempt, reason, willRetry: true);
        });

    private static string NormalizeAudience(string? audience)
    {
        if (audience is null || audience.Length == 0)
        {
            return string.Empty;
        }

        if (string.IsNullOrWhiteSpace(audience))
        {
            throw new ArgumentException("The audience is only white space. Pass the audience your relying party expects, or null for GitHub's default (https://github.com/<owner>).", nameof(audience));
        }

        return audience;
    }

    /// <summary>What one token request carries into each attempt.</summary>
    private sealed record TokenRequest(GitHubOidcClient Client, TokenEndpoint Endpoint, Uri Uri, string Audience);

    /// <summary>The cache for one token endpoint: (request URL, request token) identify it, entries are per audience.</summary>
    private sealed class EndpointCache(string requestUrl, TokenEndpoint endpoint)
    {
        public TokenEndpoint Endpoint { get; } = endpoint;

        public bool Matches(string? url, string? requestToken) =>
            string.Equals(url, requestUrl, StringComparison.Ordinal)
            && string.Equals(requestToken, Endpoint.RequestToken, StringComparison.Ordinal);

        public ConcurrentDictionary<string, CacheEntry> Entries { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>One audience's token: in flight, or received with the instant it stops being reused.</summary>
    private sealed class CacheEntry
    {
        private readonly TaskCompletionSource<IdToken> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _reuseUntilTicks = long.MinValue;

        public Task<IdToken> Task => _completion.Task;

        public bool IsInFlight => !_completion.Task.IsCompleted;

        public bool IsFresh(DateTimeOffset now) => _completion.Task.IsCompletedSuccessfully && now.UtcTicks < Volatile.Read(ref _reuseUntilTicks);

        public void Complete(IdToken token, TimeSpan margin)
        {
            // Lifetime is measured on this machine's clock from when the token arrived, so a skewed runner clock cannot keep a stale token.
            // A lifetime that reaches past year 9999 (exp near the largest date the reader accepts) saturates instead of overflowing.
            var lifetime = token.ExpiresAt - token.IssuedAt - margin;
            var until = lifetime.Ticks > DateTimeOffset.MaxValue.UtcTicks - token.ReceivedAt.UtcTicks
                ? DateTimeOffset.MaxValue.UtcTicks
                : token.ReceivedAt.UtcTicks + lifetime.Ticks;
            Volatile.Write(ref _reuseUntilTicks, until);
            _completion.TrySetResult(token);
        }

        public void Fail(Exception error)
        {
            if (error is OperationCanceledException cancelled)
            {
                _completion.TrySetCanceled(cancelled.CancellationToken);
            }
            else
            {
                _completion.TrySetException(error);
            }
        }
    }
}
