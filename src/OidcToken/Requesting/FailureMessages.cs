using System.Globalization;
using OidcToken.Failures;
using static OidcToken.Text.Durations;

namespace OidcToken.Requesting;

/// <summary>
/// Turns the last failed attempt into an <see cref="OidcTokenException"/> whose message says what happened,
/// the likely cause and the fix. Message text is a contract: tests assert it.
/// </summary>
internal static class FailureMessages
{
    internal const string AudienceRule =
        "GitHub refuses an audience that contains 'github.com' unless it is https://github.com, the repository owner's URL " +
        "(https://github.com/<owner>) or the repository's URL; any other audience is accepted.";

    /// <summary>The fix when nothing listens at a loopback request URL: a local mock that stopped, or variables left over from one.</summary>
    internal static string NothingListeningFix(string authority) =>
        $"Fix: nothing is listening at {authority}. Is the mock issuer (oidc-token-mock, or a MockGitHubOidcIssuer) still running? " +
        "If ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN come from an env file, it may be left over from an earlier run: " +
        "start the mock again and use the variables it prints now.";

    /// <summary>The exception for a request that ended without a token.</summary>
    /// <param name="last">The last attempt.</param>
    /// <param name="audience">The audience asked for.</param>
    /// <param name="host">The endpoint's host, as shown.</param>
    /// <param name="attempts">How many attempts were made.</param>
    /// <param name="elapsed">Time spent.</param>
    /// <param name="deadline">The overall deadline.</param>
    /// <param name="deadlinePassed">True when the deadline ended the request.</param>
    /// <param name="loopbackAuthority">HOST:PORT when the request URL is loopback (there, a refused connection means no mock is running), else null.</param>
    public static OidcTokenException Create(
        AttemptResult last, string? audience, string host, int attempts, TimeSpan elapsed, TimeSpan deadline, bool deadlinePassed, string? loopbackAuthority = null)
    {
        var code = deadlinePassed ? OidcTokenErrorCode.Timeout : last.ErrorCode;
        var nothingListening = loopbackAuthority is not null && IsConnectionRefused(last.Exception);
        var server = last.ServerMessage is null ? string.Empty : " The server said: \"" + last.ServerMessage + "\".";
        var shownAudience = string.IsNullOrEmpty(audience) ? "(none: GitHub's default https://github.com/<owner>)" : "'" + audience + "'";
        var (what, fix) = code switch
        {
            OidcTokenErrorCode.AudienceRefused => (
                $"The token endpoint refused the audience {shownAudience} ({last.Detail}).{server} {AudienceRule}",
                "Fix: request the audience your relying party expects (for example sts.amazonaws.com for AWS or api://AzureADTokenExchange for Azure), " +
                "or no audience for the default https://github.com/<owner>."),
            OidcTokenErrorCode.RequestTokenRejected => (
                $"The token endpoint refused the request token ({last.Detail}).{server} ACTIONS_ID_TOKEN_REQUEST_TOKEN is valid for about 6 hours from the start of the job, " +
                "and only for that job: a job that has run longer, or a value copied from another job or an earlier run, is refused.",
                "Fix: request ID tokens while the job that received the variables is still running; re-run the job to get fresh variables."),
            OidcTokenErrorCode.JobNotRunning => (
                $"The token endpoint will not issue a token because the job is no longer running ({last.Detail}).{server}",
                "Fix: request tokens while the job runs, not from something that outlives it (a background process, or credentials refreshed after the job ended)."),
            OidcTokenErrorCode.RequestForbidden => (
                $"The token endpoint refused the request ({last.Detail}).{server}",
                "Fix: check that the job has 'permissions: id-token: write' and that ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN both come from this job."),
            OidcTokenErrorCode.EndpointNotFound => (
                $"The token endpoint at {host} answered HTTP 404: ACTIONS_ID_TOKEN_REQUEST_URL does not point at a token endpoint.{server}",
                "Fix: pass the runner's ACTIONS_ID_TOKEN_REQUEST_URL through unchanged."),
            OidcTokenErrorCode.ServiceUnavailable => (
                $"The token endpoint at {host} kept failing with a temporary error (last: {last.Detail}).{server}",
                "Fix: this is usually a GitHub incident, or a job that has not started yet; re-run the job, or allow more time " +
                "(GitHubOidcClientOptions.Deadline and MaxAttempts, or oidc-token --timeout)."),
            OidcTokenErrorCode.NetworkError => (
                $"Could not get an answer from the token endpoint at {host}: {last.Detail}.",
                nothingListening
                    ? NothingListeningFix(loopbackAuthority!)
                    : $"Fix: check that this machine can reach {host} (self-hosted runners: HTTPS_PROXY/NO_PROXY settings and egress rules)."),
            OidcTokenErrorCode.Timeout => (
                $"No token within the deadline of {Seconds(deadline)} (last attempt: {last.Detail}).{server}",
                nothingListening
                    ? NothingListeningFix(loopbackAuthority!)
                    : $"Fix: check that {host} answers promptly from this machine, or allow more time (GitHubOidcClientOptions.Deadline, or oidc-token --timeout)."),
            OidcTokenErrorCode.RedirectRefused => (
                $"The token endpoint at {host} could not be used: {last.Detail}.",
                "Fix: pass the runner's ACTIONS_ID_TOKEN_REQUEST_URL through unchanged, and do not put a redirecting proxy in front of it."),
            OidcTokenErrorCode.InvalidResponse => (
                $"The token endpoint at {host} answered HTTP {last.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "?"} but {last.Detail}.",
                "Fix: make sure ACTIONS_ID_TOKEN_REQUEST_URL is the runner's value and that no proxy rewrites the answer."),
            _ => (
                $"The token endpoint at {host} answered {last.Detail}.{server}",
                "Fix: pass the runner's ACTIONS_ID_TOKEN_REQUEST_URL through unchanged; if it is, this is a GitHub incident: re-run the job."),
        };

        return new FailureReport(code, what)
            .Fix(fix)
            .Fact("audience", shownAudience)
            .Attempts(attempts, elapsed)
            .Status(last.StatusCode)
            .RequestId(last.RequestId)
            .Setting(
                code is OidcTokenErrorCode.ServiceUnavailable or OidcTokenErrorCode.Timeout ? nameof(GitHubOidcClientOptions.Deadline) : null,
                code switch
                {
                    OidcTokenErrorCode.ServiceUnavailable => "(GitHubOidcClientOptions.Deadline and MaxAttempts, or oidc-token --timeout)",
                    OidcTokenErrorCode.Timeout => "(GitHubOidcClientOptions.Deadline, or oidc-token --timeout)",
                    _ => null,
                })
            .ToException(last.Exception);
    }

    /// <summary>True when the failure is a refused TCP connection (nothing listening at the address).</summary>
    private static bool IsConnectionRefused(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

}
