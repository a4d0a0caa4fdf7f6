using System.Globalization;
using OidcToken.Rules;
using OidcToken.RunnerContext;

namespace OidcToken.Diagnostics;

/// <summary>Turns a <see cref="RunnerEnvironment"/> into an <see cref="OidcEnvironmentReport"/>. No I/O.</summary>
internal static class EnvironmentDiagnoser
{
    public static OidcEnvironmentReport Diagnose(RunnerEnvironment environment)
    {
        var notes = new List<string>();
        var issuer = environment.Issuer;
        if (issuer is { Kind: not GitHubIssuers.Kind.GitHubCom } known)
        {
            notes.Add(known.Kind switch
            {
                GitHubIssuers.Kind.EnterpriseServer =>
                    "GitHub Enterprise Server: tokens are issued by " + known.Issuer + " (OIDC needs GHES 3.5 or later; its endpoints are often reachable only inside your network).",
                GitHubIssuers.Kind.LocalMock =>
                    "Local mock issuer: tokens are issued by " + known.Issuer + " (OIDC_ISSUER, honoured because the request URL is a loopback address).",
                _ => "GHE.com: tokens are issued by " + known.Issuer + ".",
            });
        }

        if (environment.EventFileProblem is { } problem)
        {
            notes.Add("Could not check for a fork pull request: " + problem + ".");
        }

        var (code, message, host) = Classify(environment);
        if (code == OidcTokenErrorCode.NotInGitHubActions && environment.ContainerMarker is { } marker)
        {
            notes.Add(Format(DiagnosticMessages.ContainerOutsideActionsNote, marker));
        }

        return new OidcEnvironmentReport
        {
            ErrorCode = code,
            Message = message,
            IsGitHubActions = environment.IsGitHubActions,
            RequestUrlPresent = environment.RequestUrl is not null,
            RequestTokenPresent = environment.RequestToken is not null,
            RequestHost = host,
            ServerUrl = environment.ServerUrl,
            ExpectedIssuer = issuer?.Issuer,
            EventName = environment.EventName,
            Repository = environment.Repository,
            Actor = environment.Actor,
            RunnerEnvironment = environment.RunnerEnvironmentName,
            ContainerMarker = environment.ContainerMarker,
            IsAct = environment.IsAct,
            Notes = notes,
        };
    }

    private static (OidcTokenErrorCode? Code, string Message, string? Host) Classify(RunnerEnvironment environment)
    {
        var hasUrl = environment.RequestUrl is not null;
        var hasToken = environment.RequestToken is not null;
        if (hasUrl && hasToken)
        {
            if (!IsSendable(environment.RequestToken!))
            {
                return (OidcTokenErrorCode.RequestTokenMissing, DiagnosticMessages.RequestTokenUnusable, null);
            }

            var problem = UrlRules.CheckSecureUrl(environment.RequestUrl!, out var uri);
            return problem is null
                ? (null, DiagnosticMessages.Ready, uri!.Host)
                : (OidcTokenErrorCode.RequestUrlInvalid, Format(DiagnosticMessages.RequestUrlInvalid, problem), null);
        }

        if (hasUrl)
        {
            return (OidcTokenErrorCode.RequestTokenMissing, DiagnosticMessages.RequestTokenMissing, null);
        }

        if (hasToken)
        {
            return (OidcTokenErrorCode.RequestUrlMissing, DiagnosticMessages.RequestUrlMissing, null);
        }

        if (environment.IsAct)
        {
            return (OidcTokenErrorCode.RunningUnderAct, DiagnosticMessages.RunningUnderAct, null);
        }

        // Outside a job a container marker changes nothing (a dev container, a Codespace, another CI system): there is no token
        // endpoint to pass in, so the story is "not in GitHub Actions" and the mock.
        if (!environment.IsGitHubActions)
        {
            return (OidcTokenErrorCode.NotInGitHubActions, DiagnosticMessages.NotInGitHubActions, null);
        }

        if (environment.IsDependabot)
        {
            return (OidcTokenErrorCode.DependabotRun, DiagnosticMessages.DependabotRun, null);
        }

        if (environment.IsForkPullRequest)
        {
            var from = environment.ForkRepository is null ? string.Empty : " (" + environment.ForkRepository + ")";
            return (OidcTokenErrorCode.ForkPullRequest, Format(DiagnosticMessages.ForkPullRequest, from), null);
        }

        // In a job, inside a container (a job container, a runner pod, or one started by hand): the permission first, then the
        // container that may not have inherited the variables. ContainerWithoutRunnerVariables is retired: it is never reported.
        return (
            OidcTokenErrorCode.PermissionMissing,
            environment.ContainerMarker is { } marker
                ? DiagnosticMessages.PermissionMissing + "\n" + Format(DiagnosticMessages.ContainerInJob, marker)
                : DiagnosticMessages.PermissionMissing,
            null);
    }

    /// <summary>
    /// True when the request token can travel in an HTTP header: printable ASCII only. A new line or NUL would make the
    /// HTTP stack refuse the request (and could inject a header), other control or non-ASCII characters cannot be sent.
    /// </summary>
    internal static bool IsSendable(string requestToken)
    {
        foreach (var c in requestToken)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static string Format(string template, string value) =>
        string.Format(CultureInfo.InvariantCulture, template, value);
}
