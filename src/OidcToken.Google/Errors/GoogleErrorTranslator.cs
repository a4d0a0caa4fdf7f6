using System.Globalization;
using System.Text.Json;
using System.Text;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Auth.OAuth2;
using OidcToken.Claims;
using OidcToken.Errors;
using OidcToken.Exchange;
using OidcToken.Failures;
using OidcToken.Http;
using OidcToken.Rules;

namespace OidcToken.Google;

/// <summary>
/// Turns what Google.Apis.Auth throws into <see cref="OidcTokenException"/>: Google's own error code and description
/// (scrubbed), the likely cause, the fix, and the claims a provider's attribute condition compares. Google's answer is
/// read from the HTTP layer (<see cref="SafeHttpClientFactory.LastFailure"/>) because the SDK drops IAM's error body.
/// </summary>
internal static class GoogleErrorTranslator
{
    private const string StsLeg = "Google's Security Token Service";
    private const string IamLeg = "Google's IAM Credentials API (service-account impersonation)";

    public static bool CanTranslate(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        SubjectTokenException or TokenResponseException or global::Google.GoogleApiException or HttpRequestException => true,
        // The SDK's own parsing failures on unusable answers (a 3xx without body makes TokenResponseException's constructor throw NRE).
        KeyNotFoundException or Newtonsoft.Json.JsonException or InvalidOperationException or NullReferenceException => true,
        // ... and its conversions of the answer's values (an expireTime that is no date: FormatException; found by fuzzing).
        FormatException or OverflowException or InvalidCastException => true,
        _ => false,
    };

    /// <summary>
    /// Whether another attempt may succeed: a network error or attempt timeout, or HTTP 408, 429 or 5xx from STS or IAM
    /// Credentials. Redirects, refusals, unusable answers and failures of the GitHub token request are final.
    /// </summary>
    public static bool IsTransient(Exception exception, SafeHttpClientFactory.FailedResponse? failure)
    {
        if (exception is RedirectRefusedException || exception.InnerException is RedirectRefusedException)
        {
            return false;
        }

        if (failure is not null)
        {
            // An answer from STS, IAM Credentials or the runner's token endpoint (credential_source.url): its status decides.
            return HttpStatusRules.IsTransient(failure.StatusCode);
        }

        return exception switch
        {
            TokenResponseException { StatusCode: { } status } => HttpStatusRules.IsTransient((int)status),

            // No answer at all (refused, reset, TLS, the attempt timeout), also when the SDK met it fetching the GitHub token.
            HttpRequestException or OperationCanceledException => true,
            SubjectTokenException { InnerException: HttpRequestException or OperationCanceledException } => true,
            _ => false,
        };
    }

    /// <summary>The translated failure with the attempts made and the time spent, in the properties and at the end of the message.</summary>
    public static async Task<OidcTokenException> TranslateAsync(
        Exception exception,
        GoogleCredentialConfiguration configuration,
        SafeHttpClientFactory.FailedResponse? failure,
        int attempts,
        TimeSpan elapsed,
        TimeSpan? deadlineReached,
        CancellationToken cancellationToken)
    {
        var report = await TranslateAsync(exception, configuration, failure, cancellationToken).ConfigureAwait(false);
        var note = deadlineReached is { } d ? string.Create(CultureInfo.InvariantCulture, $"the {d.TotalSeconds:0.#} s deadline ran out") : null;
        return report.Attempts(attempts, elapsed, note).ToException();
    }

    private static async Task<FailureReport> TranslateAsync(
        Exception exception, GoogleCredentialConfiguration configuration, SafeHttpClientFactory.FailedResponse? failure, CancellationToken cancellationToken)
    {
        var requestToken = (configuration.EnvironmentVariables ?? Environment.GetEnvironmentVariable)(RunnerVariables.RequestToken);
        var leg = failure is null ? null : LegOf(failure.Url, configuration);
        if (exception is RedirectRefusedException redirect)
        {
            return Report(
                OidcTokenErrorCode.ExchangeResponseInvalid,
                redirect.Message + " Likely cause: an endpoint override that points at a proxy or an old address. Fix: use the service's final https address.",
                exception,
                redirect.Status);
        }

        if (exception is SubjectTokenException || (failure is not null && leg is null))
        {
            // Google.Apis.Auth could not get the GitHub token from credential_source.url: ask the runner ourselves for the
            // precise diagnosis (401 request token, 403 job completed, …).
            var runnerProblem = await ProbeRunnerAsync(configuration, cancellationToken).ConfigureAwait(false);
            if (runnerProblem is not null)
            {
                return Report(
                    runnerProblem.ErrorCode,
                    "Google.Apis.Auth could not get a GitHub ID token from credential_source.url. " + runnerProblem.Message,
                    exception,
                    runnerProblem.StatusCode);
            }

            return Report(
                OidcTokenErrorCode.ExchangeFailed,
                "Google.Apis.Auth could not get a GitHub ID token from credential_source.url ("
                + SecretScrubber.Scrub(exception.InnerException?.Message ?? exception.Message, requestToken)
                + "), though a request made just after succeeded. Likely cause: a temporary failure of the runner's token service. Fix: retry the step.",
                exception,
                failure?.StatusCode);
        }

        if (failure is not null && leg is not null)
        {
            var (error, description) = ReadError(failure.Body, failure.StatusCode);
            return await BuildAsync(leg, failure.StatusCode, error, SecretScrubber.Scrub(description, requestToken), exception, configuration, cancellationToken)
                .ConfigureAwait(false);
        }

        if (exception is TokenResponseException { StatusCode: { } status } response)
        {
            return await BuildAsync(
                StsLeg,
                (int)status,
                response.Error?.Error ?? "(no error code)",
                SecretScrubber.Scrub(response.Error?.ErrorDescription ?? string.Empty, requestToken),
                exception,
                configuration,
                cancellationToken).ConfigureAwait(false);
        }

        if (exception is HttpRequestException or OperationCanceledException)
        {
            var detail = exception is OperationCanceledException ? "no answer in time" : SecretScrubber.Scrub(NetworkErrorText.Describe(exception), requestToken);
            return Report(
                OidcTokenErrorCode.ExchangeFailed,
                "Google Cloud could not be reached for the token exchange (" + detail + "). "
                + "Likely cause: no network path to " + configuration.EffectiveTokenUrl.Host + ", a proxy, or a timeout. "
                + "Fix: check connectivity and proxies; retry the step.",
                exception,
                null);
        }

        return Report(
            OidcTokenErrorCode.ExchangeResponseInvalid,
            "Google answered the token exchange with something Google.Apis.Auth could not read ("
            + SecretScrubber.Scrub(exception.GetType().Name + ": " + exception.Message, requestToken) + "). "
            + "Likely cause: token_url or the impersonation URL points at something that is not Google's STS / IAM Credentials. "
            + "Fix: leave the endpoints at their defaults, or point them at the right service.",
            exception,
            null);
    }

    private static string? LegOf(Uri url, GoogleCredentialConfiguration configuration)
    {
        if (configuration.ServiceAccountImpersonationUrl is { } impersonation && SamePath(url, impersonation))
        {
            return IamLeg;
        }

        return SamePath(url, configuration.EffectiveTokenUrl) ? StsLeg : null;
    }

    private static bool SamePath(Uri a, Uri b) =>
        string.Equals(a.GetLeftPart(UriPartial.Path), b.GetLeftPart(UriPartial.Path), StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads Google's OAuth error (<c>error</c>, <c>error_description</c>) or API error (<c>error.status</c>, <c>error.message</c>).</summary>
    private static (string Error, string Description) ReadError(string body, int status)
    {
        try
        {
            using var document = JsonDocument.Parse(body);

            // A lone surrogate escape ("\ud800") parses, then throws InvalidOperationException when read: check once here.
            JsonText.ThrowIfInvalid(document.RootElement);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    var description = document.RootElement.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String
                        ? d.GetString()!
                        : string.Empty;
                    return (error.GetString()!, description);
                }

                if (error.ValueKind == JsonValueKind.Object)
                {
                    var code = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "HTTP " + status;
                    var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;
                    return (code, message);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: show the text itself (scrubbed by the caller).
        }
        catch (InvalidOperationException)
        {
            // JSON with text that is not valid UTF-16: no documented error; show the body (scrubbed by the caller).
        }

        return ("HTTP " + status.ToString(CultureInfo.InvariantCulture), body);
    }

    private static async Task<FailureReport> BuildAsync(
        string leg, int status, string error, string description, Exception exception, GoogleCredentialConfiguration configuration, CancellationToken cancellationToken)
    {
        if (HttpStatusRules.IsTransient(status))
        {
            return Report(
                OidcTokenErrorCode.ExchangeFailed,
                leg + " failed with a temporary error (HTTP " + status.ToString(CultureInfo.InvariantCulture) + "): " + error + (description.Length == 0 ? string.Empty : ": " + description)
                + ". Likely cause: a Google outage or throttling. Fix: retry the step later.",
                exception,
                status);
        }

        var (cause, fix) = Explain(error, description, leg, configuration);
        var claims = await DescribeClaimsAsync(configuration, cancellationToken).ConfigureAwait(false);
        var message = new StringBuilder()
            .Append(leg).Append(" refused the exchange (HTTP ").Append(status.ToString(CultureInfo.InvariantCulture)).Append("): ")
            .Append(error).Append(": ").Append(description.Length == 0 ? "(no description)" : description.TrimEnd('.')).Append(". ")
            .Append("Likely cause: ").Append(cause).Append(' ')
            .Append("Fix: ").Append(fix).Append(' ')
            .Append("Facts: STS audience '").Append(configuration.StsAudience)
            .Append("', GitHub token audience '").Append(configuration.GitHubAudience)
            .Append("', service account ").Append(configuration.ServiceAccount is null ? "none (direct federation)" : "'" + configuration.ServiceAccount + "'")
            .Append("; ").Append(claims).Append('.')
            .ToString();
        return Report(OidcTokenErrorCode.ExchangeRefused, message, exception, status);
    }

    /// <summary>Google's failures keep cause, fix and facts in one paragraph; the attempts follow on the same line.</summary>
    private static FailureReport Report(OidcTokenErrorCode code, string message, Exception exception, int? status) =>
        new FailureReport(code, message).FactsInline().Status(status, shown: false).CausedBy(exception);

    private static (string Cause, string Fix) Explain(string error, string description, string leg, GoogleCredentialConfiguration configuration) =>
        GoogleRefusals.Explain(error, description, leg == IamLeg, configuration.WorkloadIdentityProvider, configuration.ServiceAccount, "the audience option");

    /// <summary>
    /// Google.Apis.Auth fetched its own GitHub token and does not expose it, so fetch one for the same audience (the same job
    /// gets the same claims) to show what the provider saw. If that fails, describe what the job would send.
    /// </summary>
    private static async Task<string> DescribeClaimsAsync(GoogleCredentialConfiguration configuration, CancellationToken cancellationToken)
    {
        try
        {
            using var client = NewClient(configuration);
            var token = await client.GetTokenAsync(configuration.GitHubAudience, cancellationToken).ConfigureAwait(false);
            return "claims of a GitHub token fetched again for the same audience (Google.Apis.Auth fetched its own, which it does not expose; the job's claims are the same): "
                + TrustPolicyClaims.Describe(token.Reveal());
        }
        catch (OidcTokenException)
        {
            var variables = configuration.EnvironmentVariables ?? Environment.GetEnvironmentVariable;
            var repository = variables("GITHUB_REPOSITORY") ?? "<owner>/<repo>";
            var gitRef = variables("GITHUB_REF") ?? "<ref>";
            return "the GitHub token could not be fetched again to show its claims; expected instead: aud '" + configuration.GitHubAudience
                + "', sub 'repo:" + repository + ":ref:" + gitRef + "' (or 'repo:" + repository + ":environment:<name>' for a job with an environment, 'repo:"
                + repository + ":pull_request' for pull requests), repository '" + repository + "'";
        }
    }

    private static async Task<OidcTokenException?> ProbeRunnerAsync(GoogleCredentialConfiguration configuration, CancellationToken cancellationToken)
    {
        try
        {
            using var client = NewClient(configuration);
            _ = await client.GetTokenAsync(configuration.GitHubAudience, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (OidcTokenException problem)
        {
            return problem;
        }
    }

    private static GitHubOidcClient NewClient(GoogleCredentialConfiguration configuration) =>
        new(new GitHubOidcClientOptions
        {
            EnvironmentVariables = configuration.EnvironmentVariables,
            // Used only to read claims for a message: never printed, so no mask command on stdout.
            MaskTokens = false,
            MaxAttempts = 2,
            Deadline = TimeSpan.FromSeconds(20),
            RetryDelay = TimeSpan.FromMilliseconds(200),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
        });

}
