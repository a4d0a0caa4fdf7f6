using Microsoft.Identity.Client;
using OidcToken.Azure.Refusals;

namespace OidcToken.Azure.Tests.Errors;

/// <summary>
/// Golden wording of the Entra failures, one row per way a token request ends (each error code, and each kind of
/// ExchangeFailed): the whole message is pinned, and the exception's fields carry the same facts as its text. Update a
/// row on purpose only: the texts are a contract.
/// </summary>
public sealed class EntraFailureGoldenTests
{
    private static readonly TimeSpan Elapsed = TimeSpan.FromMilliseconds(1234);

    public static TheoryData<string, int, string> Rows() => new()
    {
        {
            "refused", 400,
            "Microsoft Entra ID refused the GitHub token for app 'client-1' in tenant 'contoso' (HTTP 400, AADSTS53003): \"AADSTS53003: Access has been blocked by Conditional Access policies.\".\n" +
            "Conditional Access for workload identities blocked the token.\n" +
            "Fix: ask a tenant administrator to review the Conditional Access policies that apply to this service principal (e.g. location conditions for GitHub-hosted runners).\n" +
            "(the token's claims are unknown; requested audience: 'api://AzureADTokenExchange'; authority: https://login.microsoftonline.com/; attempts: 2; elapsed: 1.2 s; trace id: trace-1; correlation id: corr-1)"
        },
        {
            "temporary", 120,
            "Microsoft Entra ID at login.microsoftonline.com kept failing with a temporary error (HTTP 503, AADSTS90033): \"AADSTS90033: A transient error has occurred.\".\n" +
            "Fix: this is usually an Entra incident or throttling; retry later, or allow more attempts (Retry.MaxRetries).\n" +
            "(the token's claims are unknown; requested audience: 'api://AzureADTokenExchange'; authority: https://login.microsoftonline.com/; attempts: 2; elapsed: 1.2 s; trace id: trace-2; correlation id: corr-2)"
        },
        {
            "network", 120,
            "Could not get an answer from Microsoft Entra ID at login.microsoftonline.com: Connection refused (login.microsoftonline.com:443).\n" +
            "Fix: check that this machine can reach login.microsoftonline.com (self-hosted runners: HTTPS_PROXY/NO_PROXY settings and egress rules); if it can, retry later.\n" +
            "(the token's claims are unknown; requested audience: 'api://AzureADTokenExchange'; authority: https://login.microsoftonline.com/; attempts: 2; elapsed: 1.2 s)"
        },
        {
            "invalid", 210,
            "Microsoft Entra ID at login.microsoftonline.com answered HTTP 200, invalid_request with something that is not a token or a documented error: \"Entra answered HTTP 200\".\n" +
            "Fix: make sure AuthorityHost is an Entra authority (login.microsoftonline.com or a sovereign cloud's) and that no proxy rewrites the answer.\n" +
            "(the token's claims are unknown; requested audience: 'api://AzureADTokenExchange'; authority: https://login.microsoftonline.com/; attempts: 2; elapsed: 1.2 s)"
        },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void EntraFailure_HasItsGoldenWording_AndFieldsMatchTheFacts(string row, int code, string expected)
    {
        Exception cause = row switch
        {
            "refused" => Service(400, """{"error":"invalid_request","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies. Trace ID: x Correlation ID: y","error_codes":[53003],"trace_id":"trace-1","correlation_id":"corr-1"}"""),
            "temporary" => Service(503, """{"error":"temporarily_unavailable","error_description":"AADSTS90033: A transient error has occurred.","error_codes":[90033],"trace_id":"trace-2","correlation_id":"corr-2"}"""),
            "network" => new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (login.microsoftonline.com:443)"),
            _ => Service(200, "<html>proxy</html>"),
        };
        var error = EntraError.From(cause);
        var context = new FailureContext("contoso", "client-1", "api://AzureADTokenExchange", new Uri("https://login.microsoftonline.com/"), null, 2, Elapsed);

        var exception = EntraFailureMessages.Create(error, context, cause);

        Assert.Equal((OidcTokenErrorCode)code, exception.ErrorCode);
        Assert.Equal(expected, exception.Message);
        Assert.Equal(error.StatusCode, exception.StatusCode);
        Assert.Equal(2, exception.Attempts);
        Assert.Equal(Elapsed, exception.Elapsed);
        Assert.Equal(error.CorrelationId, exception.RequestId);
        Assert.Same(cause, exception.InnerException);
    }

    private static MsalServiceException Service(int status, string body) =>
        new("invalid_request", "Entra answered HTTP " + status, status) { ResponseBody = body };
}
