using OidcToken.Failures;
using OidcToken.Requesting;

namespace OidcToken.Tests.Errors;

/// <summary>
/// Golden wording of every failure the token endpoint reports, one row per error code (explicit values): the whole
/// message is pinned, and the exception's fields carry the same facts as its text. A change to any of these texts is a
/// change to a contract (tests, scripts and docs quote them): update the row on purpose, never to make it pass.
/// </summary>
public sealed class FailureWordingGoldenTests
{
    private const string Host = "pipelines.actions.example.test";
    private static readonly TimeSpan Elapsed = TimeSpan.FromMilliseconds(1234);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static TheoryData<int, string> Rows() => new()
    {
        { 100, "The token endpoint refused the request token (HTTP 401). The server said: \"Bad credentials\". ACTIONS_ID_TOKEN_REQUEST_TOKEN is valid for about 6 hours from the start of the job, and only for that job: a job that has run longer, or a value copied from another job or an earlier run, is refused.\nFix: request ID tokens while the job that received the variables is still running; re-run the job to get fresh variables.\n(audience: 'my-audience'; attempts: 1; elapsed: 1.2 s; last status: 401; request id: req-100)" },
        { 101, "The token endpoint refused the audience 'my-audience' (HTTP 400). The server said: \"Can't issue ID_TOKEN for audience\". " + FailureMessages.AudienceRule + "\nFix: request the audience your relying party expects (for example sts.amazonaws.com for AWS or api://AzureADTokenExchange for Azure), or no audience for the default https://github.com/<owner>.\n(audience: 'my-audience'; attempts: 1; elapsed: 1.2 s; last status: 400; request id: req-101)" },
        { 102, "The token endpoint will not issue a token because the job is no longer running (HTTP 403, job completed). The server said: \"job in 'Completed' state\".\nFix: request tokens while the job runs, not from something that outlives it (a background process, or credentials refreshed after the job ended).\n(audience: 'my-audience'; attempts: 1; elapsed: 1.2 s; last status: 403; request id: req-102)" },
        { 103, "The token endpoint refused the request (HTTP 403). The server said: \"Forbidden\".\nFix: check that the job has 'permissions: id-token: write' and that ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN both come from this job.\n(audience: 'my-audience'; attempts: 1; elapsed: 1.2 s; last status: 403; request id: req-103)" },
        { 104, "The token endpoint at pipelines.actions.example.test answered HTTP 404: ACTIONS_ID_TOKEN_REQUEST_URL does not point at a token endpoint. The server said: \"Not Found\".\nFix: pass the runner's ACTIONS_ID_TOKEN_REQUEST_URL through unchanged.\n(audience: 'my-audience'; attempts: 1; elapsed: 1.2 s; last status: 404; request id: req-104)" },
        { 105, "The token endpoint at pipelines.actions.example.test kept failing with a temporary error (last: HTTP 503). The server said: \"Service Unavailable\".\nFix: this is usually a GitHub incident, or a job that has not started yet; re-run the job, or allow more time (GitHubOidcClientOptions.Deadline and MaxAttempts, or oidc-token --timeout).\n(audience: 'my-audience'; attempts: 5; elapsed: 1.2 s; last status: 503; request id: req-105)" },
        { 106, "Could not get an answer from the token endpoint at pipelines.actions.example.test: the endpoint could not be reached or its answer broke off: HttpRequestException (ConnectionError).\nFix: check that this machine can reach pipelines.actions.example.test (self-hosted runners: HTTPS_PROXY/NO_PROXY settings and egress rules).\n(audience: 'my-audience'; attempts: 5; elapsed: 1.2 s)" },
        { 107, "No token within the deadline of 60.0 s (last attempt: HTTP 503). The server said: \"Service Unavailable\".\nFix: check that pipelines.actions.example.test answers promptly from this machine, or allow more time (GitHubOidcClientOptions.Deadline, or oidc-token --timeout).\n(audience: (none: GitHub's default https://github.com/<owner>); attempts: 3; elapsed: 1.2 s; last status: 503; request id: req-107)" },
        { 108, "The token endpoint at pipelines.actions.example.test could not be used: the endpoint answered with a redirect (HTTP 302 to https://elsewhere.example.test); redirects are never followed for requests that carry a token.\nFix: pass the runner's ACTIONS_ID_TOKEN_REQUEST_URL through unchanged, and do not put a redirecting proxy in front of it.\n(audience: 'my-audience'; attempts: 1; elapsed: 1.2 s; last status: 302; request id: req-108)" },
        { 109, "The token endpoint at pipelines.actions.example.test answered HTTP 418. The server said: \"I'm a teapot\".\nFix: pass the runner's ACTIONS_ID_TOKEN_REQUEST_URL through unchanged; if it is, this is a GitHub incident: re-run the job.\n(audience: 'my-audience'; attempts: 1; elapsed: 1.2 s; last status: 418; request id: req-109)" },
        { 200, "The token endpoint at pipelines.actions.example.test answered HTTP 200 but the JSON has no 'value' field.\nFix: make sure ACTIONS_ID_TOKEN_REQUEST_URL is the runner's value and that no proxy rewrites the answer.\n(audience: 'my-audience'; attempts: 1; elapsed: 1.2 s; last status: 200; request id: req-200)" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void TokenEndpointFailure_HasItsGoldenWording_AndFieldsMatchTheFacts(int value, string expected)
    {
        var code = (OidcTokenErrorCode)value;
        var (last, audience, attempts, deadlinePassed) = Scenario(code);

        var error = FailureMessages.Create(last, audience, Host, attempts, Elapsed, Deadline, deadlinePassed);

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(expected, error.Message);
        Assert.Equal(last.StatusCode, error.StatusCode);
        Assert.Equal(attempts, error.Attempts);
        Assert.Equal(Elapsed, error.Elapsed);
        Assert.Equal(last.RequestId, error.RequestId);
        Assert.Same(last.Exception, error.InnerException);
    }

    [Fact]
    public void Rows_CoverEveryCodeTheTokenEndpointReports()
    {
        int[] reported = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 200];
        Assert.Equal(reported, Rows().Select(row => (int)row[0]).ToArray());
        Assert.All(reported, value => Assert.True(Enum.IsDefined((OidcTokenErrorCode)value)));
    }

    [Fact]
    public void FailureReport_PutsFactsInTheirPlace_AndSetsTheFields()
    {
        var error = new FailureReport(OidcTokenErrorCode.ExchangeFailed, "What happened.")
            .Fix("Fix: do this.")
            .Fact("endpoint", "example.test")
            .Fact("the token's claims are unknown")
            .Attempts(3, TimeSpan.FromSeconds(2.25), "the 2 s deadline ran out")
            .Status(503)
            .RequestId("abc")
            .TrailingFact("trace id", "t-1")
            .TrailingFact("absent", null)
            .ToException();

        Assert.Equal(
            "What happened.\nFix: do this.\n(endpoint: example.test; the token's claims are unknown; attempts: 3; elapsed: 2.3 s; the 2 s deadline ran out; last status: 503; request id: abc; trace id: t-1)",
            error.Message);
        Assert.Equal((503, 3, TimeSpan.FromSeconds(2.25), "abc"), (error.StatusCode!.Value, error.Attempts, error.Elapsed, error.RequestId));

        var hidden = new FailureReport(OidcTokenErrorCode.ExchangeRefused, "Refused.").FactsInline().Status(400, shown: false).RequestId("id", shown: false).ToException();
        Assert.Equal("Refused.", hidden.Message);
        Assert.Equal((400, "id", 0), (hidden.StatusCode!.Value, hidden.RequestId, hidden.Attempts));
    }

    private static (AttemptResult Last, string Audience, int Attempts, bool DeadlinePassed) Scenario(OidcTokenErrorCode code)
    {
        const string Audience = "my-audience";
        var requestId = "req-" + ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return code switch
        {
            OidcTokenErrorCode.RequestTokenRejected => (AttemptResult.Failure(code, false, "HTTP 401", 401, "Bad credentials", requestId: requestId), Audience, 1, false),
            OidcTokenErrorCode.AudienceRefused => (AttemptResult.Failure(code, false, "HTTP 400", 400, "Can't issue ID_TOKEN for audience", requestId: requestId), Audience, 1, false),
            OidcTokenErrorCode.JobNotRunning => (AttemptResult.Failure(code, false, "HTTP 403, job completed", 403, "job in 'Completed' state", requestId: requestId), Audience, 1, false),
            OidcTokenErrorCode.RequestForbidden => (AttemptResult.Failure(code, false, "HTTP 403", 403, "Forbidden", requestId: requestId), Audience, 1, false),
            OidcTokenErrorCode.EndpointNotFound => (AttemptResult.Failure(code, false, "HTTP 404", 404, "Not Found", requestId: requestId), Audience, 1, false),
            OidcTokenErrorCode.ServiceUnavailable => (AttemptResult.Failure(code, true, "HTTP 503", 503, "Service Unavailable", requestId: requestId), Audience, 5, false),
            OidcTokenErrorCode.NetworkError => (AttemptResult.Failure(code, true,
                "the endpoint could not be reached or its answer broke off: HttpRequestException (ConnectionError)", exception: new HttpRequestException(HttpRequestError.ConnectionError)), Audience, 5, false),
            OidcTokenErrorCode.Timeout => (AttemptResult.Failure(OidcTokenErrorCode.ServiceUnavailable, true, "HTTP 503", 503, "Service Unavailable", requestId: requestId), string.Empty, 3, true),
            OidcTokenErrorCode.RedirectRefused => (AttemptResult.Failure(code, false,
                "the endpoint answered with a redirect (HTTP 302 to https://elsewhere.example.test); redirects are never followed for requests that carry a token", 302, requestId: requestId), Audience, 1, false),
            OidcTokenErrorCode.UnexpectedStatus => (AttemptResult.Failure(code, false, "HTTP 418", 418, "I'm a teapot", requestId: requestId), Audience, 1, false),
            OidcTokenErrorCode.InvalidResponse => (AttemptResult.Failure(code, false, "the JSON has no 'value' field", 200, requestId: requestId), Audience, 1, false),
            _ => throw new ArgumentOutOfRangeException(nameof(code), code, "no scenario"),
        };
    }
}
