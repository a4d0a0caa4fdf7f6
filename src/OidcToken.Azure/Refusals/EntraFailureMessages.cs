using System.Globalization;
using OidcToken.Claims;
using OidcToken.Errors;
using OidcToken.Failures;

namespace OidcToken.Azure.Refusals;

/// <summary>
/// Turns a failed Entra token request into an <see cref="OidcTokenException"/> whose message says what happened, the
/// likely cause and the fix, then the facts (the GitHub token's claims, attempts, ids). Message text is a contract:
/// tests assert it.
/// </summary>
internal static class EntraFailureMessages
{
    internal const string GitHubIssuer = "https://token.actions.githubusercontent.com";

    public static OidcTokenException Create(EntraError error, FailureContext context, Exception? inner)
    {
        var host = context.AuthorityHost.Host;
        var code = error switch
        {
            { IsTransient: true } => OidcTokenErrorCode.ExchangeFailed,
            { IsUnusableAnswer: true } => OidcTokenErrorCode.ExchangeResponseInvalid,
            { AadstsCode: not null } => OidcTokenErrorCode.ExchangeRefused,
            { StatusCode: >= 400 and < 500 } => OidcTokenErrorCode.ExchangeRefused,
            _ => OidcTokenErrorCode.ExchangeFailed,
        };

        var said = error.Description is null ? string.Empty : Scrub(error.Description, context.Assertion);
        var aadsts = error.AadstsCode is { } n ? "AADSTS" + n.ToString(CultureInfo.InvariantCulture) : error.Error ?? "no error code";
        var status = error.StatusCode is { } s ? "HTTP " + s.ToString(CultureInfo.InvariantCulture) + ", " : string.Empty;
        var app = $"app '{context.ClientId}' in tenant '{context.TenantId}'";

        string what, fix;
        if (code == OidcTokenErrorCode.ExchangeFailed && error.IsNetwork)
        {
            what = $"Could not get an answer from Microsoft Entra ID at {host}: {Scrub(error.OtherDetail ?? "no response", context.Assertion)}.";
            fix = $"Fix: check that this machine can reach {host} (self-hosted runners: HTTPS_PROXY/NO_PROXY settings and egress rules); if it can, retry later.";
        }
        else if (code == OidcTokenErrorCode.ExchangeFailed && error.IsTransient)
        {
            what = $"Microsoft Entra ID at {host} kept failing with a temporary error ({status}{aadsts}): \"{said}\".";
            fix = "Fix: this is usually an Entra incident or throttling; retry later, or allow more attempts (Retry.MaxRetries).";
        }
        else if (code == OidcTokenErrorCode.ExchangeResponseInvalid)
        {
            what = $"Microsoft Entra ID at {host} answered {status}{aadsts} with something that is not a token or a documented error: " +
                $"\"{Scrub(error.OtherDetail ?? said, context.Assertion)}\".";
            fix = "Fix: make sure AuthorityHost is an Entra authority (login.microsoftonline.com or a sovereign cloud's) and that no proxy rewrites the answer.";
        }
        else if (code == OidcTokenErrorCode.ExchangeRefused)
        {
            what = $"Microsoft Entra ID refused the GitHub token for {app} ({status}{aadsts}): \"{said}\".";
            fix = Fix(error.AadstsCode, context);
        }
        else
        {
            what = $"The Entra token request for {app} failed: {Scrub(error.OtherDetail ?? said, context.Assertion)}.";
            fix = $"Fix: check TenantId, ClientId and AuthorityHost ({context.AuthorityHost.AbsoluteUri}).";
        }

        var requestId = error.CorrelationId is { } correlation ? Scrub(correlation, context.Assertion, 64) : null;
        return new FailureReport(code, what)
            .Fix(fix)
            .Fact(TrustPolicyClaims.Describe(context.Assertion))
            .Fact("requested audience", "'" + context.Audience + "'")
            .Fact("authority", context.AuthorityHost.AbsoluteUri)
            .Attempts(context.Attempts, context.Elapsed)
            .Status(error.StatusCode, shown: false)
            .RequestId(requestId, shown: false)
            .TrailingFact("trace id", error.TraceId is { } trace ? Scrub(trace, context.Assertion, 64) : null)
            .TrailingFact("correlation id", requestId)
            .ToException(inner);
    }

    private static string Fix(int? aadsts, FailureContext context)
    {
        const string Compare =
            "Fix: compare the app's federated identity credential with the token's claims below: its Issuer must be exactly " +
            GitHubIssuer + " (no trailing slash), its Subject must equal the token's sub exactly (case-sensitive; e.g. " +
            "repo:<owner>/<repo>:environment:<name> for a job with an environment, repo:<owner>/<repo>:ref:refs/heads/<branch> without one), " +
            "and its Audience must equal the token's aud";
        var audience = $" ('{context.Audience}'; set Audience here to match a different one).";
        return aadsts switch
        {
            70021 => Compare + audience + " A credential created or changed in the last few minutes may not be active yet: wait and retry.",
            700211 => "No federated identity credential of this app has the token's issuer. " + Compare + audience,
            700212 => "No federated identity credential of this app has the token's audience. " + Compare + audience,
            700213 => "No federated identity credential of this app has the token's subject. " + Compare + audience +
                " Note that GitHub's sub may use immutable ids (repo:<owner>@<id>/<repo>@<id>:…) for newer repositories.",
            7002138 => "A federated identity credential matches the token's subject only when case is ignored; Entra compares subjects case-sensitively. " +
                Compare + audience,
            700024 => "The client assertion (the GitHub token) was outside its valid time range. This credential fetches a fresh GitHub " +
                "token for every Entra request, so the likely cause is a wrong clock on this machine (or on the token source), " +
                "or a token source that returns one fixed token (--token -) that has expired.\n" +
                "Fix: synchronise this machine's clock (NTP), and give the credential a source that returns a fresh token each call.",
            90002 => $"The tenant '{context.TenantId}' does not exist in the cloud at {context.AuthorityHost.Host}.\n" +
                "Fix: check TenantId (the directory id, or a verified domain), and for a sovereign cloud set AuthorityHost " +
                "(AzureAuthorityHosts.AzureGovernment or AzureChina; the default audience follows it).",
            700016 => $"No application with client id '{context.ClientId}' exists in tenant '{context.TenantId}'.\n" +
                "Fix: use the app registration's Application (client) ID, or the user-assigned managed identity's client ID, and the tenant it lives in.",
            70011 => "The scope is not valid for the client credentials flow.\n" +
                "Fix: request one resource's scope ending in /.default, e.g. https://management.azure.com/.default.",
            53003 => "Conditional Access for workload identities blocked the token.\n" +
                "Fix: ask a tenant administrator to review the Conditional Access policies that apply to this service principal (e.g. location conditions for GitHub-hosted runners).",
            _ => "Fix: look up the AADSTS code in Microsoft's Entra error-code reference and compare the app's federated identity credential with the token's claims below.",
        };
    }

    private static string Scrub(string text, string? secret, int maxLength = SecretScrubber.MaxLength) =>
        SecretScrubber.Scrub(text, secret, maxLength);
}

/// <summary>The facts a failure message needs.</summary>
internal sealed record FailureContext(
    string TenantId,
    string ClientId,
    string Audience,
    Uri AuthorityHost,
    string? Assertion,
    int Attempts,
    TimeSpan Elapsed);
