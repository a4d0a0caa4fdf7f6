using Google.Apis.Auth.OAuth2;
using OidcToken.Exchange;
using OidcToken.Failures;
using OidcToken.Resilience;

namespace OidcToken.Google;

/// <summary>
/// Google Cloud credentials for a GitHub Actions job through workload identity federation, built by Google.Apis.Auth
/// from the same credential-configuration JSON that <see cref="GoogleCredentialConfiguration"/> writes to a file: one
/// implementation, so a credential in process and <c>GOOGLE_APPLICATION_CREDENTIALS</c> for child processes behave alike.
/// The SDK fetches a fresh GitHub ID token from the runner (the configuration's <c>credential_source.url</c>) each time
/// it refreshes, exchanges it at Google's STS and, with a service account, impersonates it through IAM Credentials.
/// </summary>
public static class GitHubGoogleCredential
{
    /// <summary>The scope used when none is given: <c>https://www.googleapis.com/auth/cloud-platform</c>.</summary>
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    /// <summary>
    /// Builds a <see cref="GoogleCredential"/> for any Google Cloud client library (<c>StorageClient.Create(credential)</c>,
    /// <c>…ClientBuilder { Credential = credential }</c>). It refreshes itself for as long as the job runs. Its calls never
    /// follow redirects and read at most 64 KiB per response. Failures while it refreshes surface as Google.Apis.Auth's own
    /// exceptions (for example <c>TokenResponseException</c>) inside the client library's calls; use
    /// <see cref="GetAccessTokenAsync"/> to get a token once with translated errors.
    /// </summary>
    /// <param name="configuration">The provider, service account and endpoints; it reads the runner's variables now.</param>
    /// <param name="scopes">The OAuth scopes; <see langword="null"/> or empty for <see cref="CloudPlatformScope"/>.</param>
    /// <returns>The credential. It holds the runner's request token: do not serialize it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> is null.</exception>
    /// <exception cref="OidcTokenException">No token can be requested here (the code and explanation of <see cref="GitHubOidcClient.Diagnose"/>).</exception>
    public static GoogleCredential Create(GoogleCredentialConfiguration configuration, IEnumerable<string>? scopes = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Create(configuration, ScopesOrDefault(scopes), new SafeHttpClientFactory());
    }

    /// <summary>
    /// Gets one Google access token now (the <c>oidc-token exchange gcp</c> path): the SDK fetches a GitHub ID token,
    /// exchanges it at STS and, with a service account, impersonates it. Refusals are translated into
    /// <see cref="OidcTokenException"/> with Google's error, the claims a provider's condition compares, and a fix.
    /// Temporary failures (network errors, no answer within 10 s, HTTP 408, 429 and 5xx) are retried: at most 3 attempts
    /// within 60 s, exponential backoff with jitter from 0.8 s, <c>Retry-After</c> honoured; each attempt fetches a fresh
    /// GitHub token and sends one request per endpoint (Google.Apis.Auth's own retries are off for this call).
    /// </summary>
    /// <param name="configuration">The provider, service account and endpoints.</param>
    /// <param name="scopes">The OAuth scopes; <see langword="null"/> or empty for <see cref="CloudPlatformScope"/>.</param>
    /// <param name="cancellationToken">Cancels the exchange; an <see cref="OperationCanceledException"/> passes through.</param>
    /// <returns>The token, with its expiry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> is null.</exception>
    /// <exception cref="OidcTokenException">
    /// <see cref="OidcTokenErrorCode.ExchangeRefused"/> when STS or IAM Credentials refused (wrong audience, attribute
    /// condition, missing IAM binding…); <see cref="OidcTokenErrorCode.ExchangeFailed"/> when Google could not be reached or
    /// answered 408/429/5xx on every attempt (<see cref="OidcTokenException.Attempts"/> and
    /// <see cref="OidcTokenException.Elapsed"/> say how many and how long); <see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/> for an unusable answer; the runner's own
    /// codes when no GitHub token could be had.
    /// </exception>
    public static Task<GoogleAccessToken> GetAccessTokenAsync(
        GoogleCredentialConfiguration configuration,
        IEnumerable<string>? scopes = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return GetAccessTokenWithPolicyAsync(configuration, scopes, GoogleAttemptPolicy.Default, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// <see cref="GetAccessTokenAsync(GoogleCredentialConfiguration, IEnumerable{string}?, CancellationToken)"/> with an
    /// explicit attempt policy: each attempt is a new credential (a fresh GitHub token, one request per endpoint), a
    /// temporary failure (network, attempt timeout, 408, 429, 5xx from STS or IAM Credentials) is retried with backoff
    /// within the deadline, and the last failure is translated with the attempts made and the time spent.
    /// </summary>
    internal static async Task<GoogleAccessToken> GetAccessTokenWithPolicyAsync(
        GoogleCredentialConfiguration configuration,
        IEnumerable<string>? scopes,
        GoogleAttemptPolicy policy,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var scopeList = ScopesOrDefault(scopes);
        var run = new GoogleRun(configuration, scopeList, policy);
        var report = await policy.ToAttemptPolicy(time).RunAsync(static (run, token) => AttemptAsync(run, token), run, cancellationToken).ConfigureAwait(false);
        report.Last?.ThrowIfException();
        var deadlinePassed = report.Stop == AttemptStop.DeadlinePassed;
        var (failure, lastFailure) = deadlinePassed && (report.DeadlineCutAttempt || report.Result?.Failure is null)
            ? (new OperationCanceledException("no answer within the deadline", report.DeadlineException), run.Http?.LastFailure)
            : (report.Result!.Failure, report.Result.LastFailure);
        if (failure is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw await GoogleErrorTranslator.TranslateAsync(
                failure, configuration, lastFailure, report.Attempts, report.Elapsed, deadlinePassed ? policy.Deadline : null, cancellationToken).ConfigureAwait(false);
        }

        var attempt = report.Result!;
        if (string.IsNullOrEmpty(attempt.Token))
        {
            throw new FailureReport(
                    OidcTokenErrorCode.ExchangeResponseInvalid,
                    "Google answered the token exchange without an access token. Fix: check the token_url and impersonation endpoints point at Google (or a faithful mock).")
                .Attempts(report.Attempts, report.Elapsed)
                .ToException();
        }

        return new GoogleAccessToken(attempt.Token, attempt.Expiry, configuration.WorkloadIdentityProvider, configuration.ServiceAccount, scopeList);
    }

    /// <summary>One attempt: a new credential (a fresh GitHub token, one request per endpoint); a failure the translator reads is a result.</summary>
    private static async ValueTask<GoogleAttempt> AttemptAsync(GoogleRun run, CancellationToken cancellationToken)
    {
        var http = new SafeHttpClientFactory(run.Policy.AttemptTimeout, singleTry: true);
        run.Http = http;
        var credential = Create(run.Configuration, run.Scopes, http);
        try
        {
            var token = await ((ITokenAccess)credential).GetAccessTokenForRequestAsync(authUri: null, cancellationToken).ConfigureAwait(false);
            return new GoogleAttempt(token, http.LastExpiry, null, null);
        }
        catch (Exception exception) when (GoogleErrorTranslator.CanTranslate(exception, cancellationToken))
        {
            return new GoogleAttempt(null, null, exception, http.LastFailure);
        }
    }

    private static GoogleCredential Create(GoogleCredentialConfiguration configuration, string[] scopes, SafeHttpClientFactory http)
    {
        var json = configuration.ToJson();
        return CredentialFactory.FromJson(json, GoogleCredentialConfiguration.CredentialType)
            .CreateWithHttpClientFactory(http)
            .CreateScoped(scopes);
    }

    private static string[] ScopesOrDefault(IEnumerable<string>? scopes)
    {
        var list = scopes?.Where(s => !string.IsNullOrWhiteSpace(s)).ToArray() ?? [];
        return list.Length == 0 ? [CloudPlatformScope] : list;
    }

    /// <summary>What one attempt ended with: a token and its expiry, or what the SDK threw and Google's last failed answer.</summary>
    internal sealed record GoogleAttempt(string? Token, DateTimeOffset? Expiry, Exception? Failure, SafeHttpClientFactory.FailedResponse? LastFailure);

    /// <summary>One call's inputs, and the HTTP layer of the latest attempt (what the deadline cut, if it did).</summary>
    private sealed class GoogleRun(GoogleCredentialConfiguration configuration, string[] scopes, GoogleAttemptPolicy policy)
    {
        public GoogleCredentialConfiguration Configuration { get; } = configuration;

        public string[] Scopes { get; } = scopes;

        public GoogleAttemptPolicy Policy { get; } = policy;

        public SafeHttpClientFactory? Http { get; set; }
    }
}
