using OidcToken.Exchange;

namespace OidcToken.Google.Tests.Errors;

/// <summary>
/// Golden wording of the Google exchange's failures, one row per way it ends (each error code, and each kind of
/// ExchangeFailed), with the attempts the policy made: the whole message is pinned, and the exception's fields carry the
/// same facts as its text. Update a row on purpose only: the texts are a contract.
/// </summary>
public sealed class GoogleFailureGoldenTests
{
    private const string Provider = "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github-provider";
    private static readonly TimeSpan Elapsed = TimeSpan.FromMilliseconds(1234);

    public static TheoryData<string, int, string> Rows() => new()
    {
        {
            "refused", 400,
            "Google's Security Token Service refused the exchange (HTTP 400): invalid_grant: The audience in ID Token does not match the expected audience. Likely cause: the GitHub token's aud is not one the provider accepts. Fix: without allowed audiences the provider accepts 'https://iam.googleapis.com/" + Provider + "'; otherwise set the audience option to one of the provider's allowed audiences. Facts: STS audience '//iam.googleapis.com/" + Provider + "', GitHub token audience 'https://iam.googleapis.com/" + Provider + "', service account none (direct federation); the GitHub token could not be fetched again to show its claims; expected instead: aud 'https://iam.googleapis.com/" + Provider + "', sub 'repo:<owner>/<repo>:ref:<ref>' (or 'repo:<owner>/<repo>:environment:<name>' for a job with an environment, 'repo:<owner>/<repo>:pull_request' for pull requests), repository '<owner>/<repo>'. (attempts: 3; elapsed: 1.2 s)"
        },
        {
            "temporary", 120,
            "Google's Security Token Service failed with a temporary error (HTTP 503): unavailable: try later. Likely cause: a Google outage or throttling. Fix: retry the step later. (attempts: 3; elapsed: 1.2 s)"
        },
        {
            "network", 120,
            "Google Cloud could not be reached for the token exchange (Connection refused (sts.googleapis.com:443)). Likely cause: no network path to sts.googleapis.com, a proxy, or a timeout. Fix: check connectivity and proxies; retry the step. (attempts: 3; elapsed: 1.2 s)"
        },
        {
            "deadline", 120,
            "Google Cloud could not be reached for the token exchange (no answer in time). Likely cause: no network path to sts.googleapis.com, a proxy, or a timeout. Fix: check connectivity and proxies; retry the step. (attempts: 3; elapsed: 1.2 s; the 60 s deadline ran out)"
        },
        {
            "redirect", 210,
            "The endpoint https://sts.googleapis.com/v1/moved answered with a redirect (HTTP 302); redirects are never followed for calls that carry a token. Likely cause: an endpoint override that points at a proxy or an old address. Fix: use the service's final https address. (attempts: 3; elapsed: 1.2 s)"
        },
        {
            "invalid", 210,
            "Google answered the token exchange with something Google.Apis.Auth could not read (FormatException: The expireTime is not a date.). Likely cause: token_url or the impersonation URL points at something that is not Google's STS / IAM Credentials. Fix: leave the endpoints at their defaults, or point them at the right service. (attempts: 3; elapsed: 1.2 s)"
        },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GoogleFailure_HasItsGoldenWording_AndFieldsMatchTheFacts(string row, int code, string expected)
    {
        // No runner here: the refusal describes the claims the job would send instead of fetching a token again.
        var configuration = new GoogleCredentialConfiguration(Provider) { EnvironmentVariables = _ => null };
        var sts = configuration.EffectiveTokenUrl;
        var (cause, failure, status) = row switch
        {
            "refused" => ((Exception)new HttpRequestException("refused"), new SafeHttpClientFactory.FailedResponse(sts, 400, """{"error":"invalid_grant","error_description":"The audience in ID Token does not match the expected audience."}"""), (int?)400),
            "temporary" => (new HttpRequestException("unavailable"), new SafeHttpClientFactory.FailedResponse(sts, 503, """{"error":"unavailable","error_description":"try later"}"""), 503),
            "network" => (new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (sts.googleapis.com:443)"), null, null),
            "deadline" => (new OperationCanceledException("no answer within the deadline"), null, null),
            "redirect" => (new RedirectRefusedException(new Uri(sts, "moved"), 302), null, 302),
            _ => (new FormatException("The expireTime is not a date."), null, null),
        };

        var error = await GoogleErrorTranslator.TranslateAsync(
            cause, configuration, failure, 3, Elapsed, row == "deadline" ? TimeSpan.FromSeconds(60) : null, CancellationToken.None);

        Assert.Equal((OidcTokenErrorCode)code, error.ErrorCode);
        Assert.Equal(expected, error.Message);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(3, error.Attempts);
        Assert.Equal(Elapsed, error.Elapsed);
        Assert.Same(cause, error.InnerException);
    }
}
