using System.Globalization;
using System.Text;
using OidcToken.Claims;
using OidcToken.Errors;
using OidcToken.Failures;

namespace OidcToken.Aws.Exchange;

/// <summary>
/// Builds the <see cref="OidcTokenException"/>s of the AWS exchange: what happened (with STS's own code and message,
/// scrubbed), the likely cause, "Fix: …", then the token's trust-policy claims and the facts. Never a secret.
/// </summary>
internal static class StsMessages
{
    internal const string ImmutableSubjectNote =
        "Repositories created since mid-2026 send an immutable sub of the form repo:OWNER@OWNER_ID/REPO@REPO_ID:…, which a " +
        "condition written for repo:OWNER/REPO:… does not match; match both forms with StringLike, or add the new one.";

    private const string PolicyReference = "GitHubAwsCredentialsOptions.Policy";

    public static OidcTokenException Refused(StsSettings settings, StsFailure failure, string token, int attempts, TimeSpan elapsed)
    {
        var code = failure.Code ?? "(no code)";
        var said = Said(failure, token);
        var advice = code switch
        {
            "AccessDenied" =>
                $"The role's trust policy does not allow this token. Fix: compare the token's sub and aud below with the conditions on " +
                $"token.actions.githubusercontent.com:sub and token.actions.githubusercontent.com:aud in the trust policy of {settings.RoleArn}; its " +
                "Principal must be the IAM OIDC provider for token.actions.githubusercontent.com in the role's account, and its Action " +
                "sts:AssumeRoleWithWebIdentity. A sub for an environment ends in :environment:NAME, for a pull request in :pull_request. " +
                ImmutableSubjectNote,
            "InvalidIdentityToken" =>
                $"AWS could not validate the GitHub token. Fix: create the IAM OIDC provider for https://token.actions.githubusercontent.com in the " +
                $"role's account and put the token's aud ('{settings.Audience}') in its client-id list (audiences); the token must come from " +
                "GitHub's issuer (or the matching enterprise issuer) and be unchanged.",
            "IDPRejectedClaim" =>
                "The identity provider rejected a claim of the token. Fix: check the OIDC provider and trust policy conditions against the claims below.",
            "ExpiredTokenException" or "ExpiredToken" =>
                "The GitHub token had expired when AWS received it, also after one retry with a new token. Fix: check this machine's clock, " +
                "and do not pass an old token (with --token -, pass one requested moments before).",
            "MalformedPolicyDocument" =>
                "The session policy is not a valid IAM policy. Fix: correct " + PolicyReference + ".",
            "PackedPolicyTooLarge" =>
                "The session policies are too large once packed. Fix: shorten " + PolicyReference + " or use fewer managed policy ARNs.",
            "RegionDisabledException" =>
                $"STS is not activated in region {settings.Region} for this account. Fix: activate it in the IAM console (Account settings), or use another region.",
            "ValidationError" =>
                $"STS refused a request parameter. Fix: DurationSeconds ({settings.DurationSeconds.ToString(CultureInfo.InvariantCulture)}) must not exceed the role's " +
                "maximum session duration; check the role ARN, session name and policies.",
            _ =>
                "Fix: see the AWS STS documentation for this error code; the token's claims are below.",
        };

        var what = "AWS STS refused AssumeRoleWithWebIdentity for role '" + settings.RoleArn + "' (" + code + said + ").";
        var report = Report(OidcTokenErrorCode.ExchangeRefused, what, advice, settings, failure, TrustPolicyClaims.Describe(token), attempts, elapsed);
        if (code is "MalformedPolicyDocument" or "PackedPolicyTooLarge")
        {
            report.Setting(nameof(GitHubAwsCredentialsOptions.Policy), PolicyReference);
        }

        return report.ToException();
    }

    public static OidcTokenException Failed(StsSettings settings, string host, StsFailure failure, string? token, int attempts, TimeSpan elapsed, bool redirect)
    {
        string what, fix;
        if (redirect)
        {
            what = "AWS STS at " + host + " could not be used: " + failure.Message + ".";
            fix = "Fix: point Endpoint (or AWS_ENDPOINT_URL_STS) at the STS endpoint itself, without a redirecting proxy.";
        }
        else if (failure.Code is not null || failure.StatusCode is not null)
        {
            what = "AWS STS at " + host + " kept failing with a temporary error (last: "
                + (failure.Code ?? ("HTTP " + failure.StatusCode?.ToString(CultureInfo.InvariantCulture))) + Said(failure, token) + ").";
            fix = failure.Code == "IDPCommunicationError" || failure.Code == "InvalidIdentityToken"
                ? "AWS could not reach GitHub's OIDC provider to fetch its keys. Fix: this is usually temporary; re-run the job, or allow more attempts (MaxAttempts, Deadline)."
                : "Fix: this is usually an AWS incident or throttling; re-run the job, or allow more attempts (MaxAttempts, Deadline).";
        }
        else
        {
            what = "Could not get an answer from AWS STS at " + host + ": " + failure.Message + ".";
            fix = "Fix: check that this machine can reach " + host + " (HTTPS_PROXY/NO_PROXY, egress rules; Region, Endpoint and AWS_ENDPOINT_URL_STS).";
        }

        return Report(OidcTokenErrorCode.ExchangeFailed, what, fix, settings, failure, TrustPolicyClaims.Describe(token), attempts, elapsed)
            .ToException(failure.Exception);
    }

    public static OidcTokenException Timeout(StsSettings settings, string host, StsFailure? failure, string? token, int attempts, TimeSpan elapsed)
    {
        var what = new StringBuilder()
            .Append("No answer from AWS STS at ").Append(host).Append(" within the deadline of ")
            .Append(settings.Deadline.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)).Append(" s");
        if (failure is not null)
        {
            what.Append(" (last: ").Append(failure.Code ?? failure.Message).Append(Said(failure, token)).Append(')');
        }

        var fix = "Fix: check that " + host + " answers promptly from this machine, or allow more time (GitHubAwsCredentialsOptions.Deadline, oidc-token --timeout).";
        return Report(OidcTokenErrorCode.ExchangeFailed, what.Append('.').ToString(), fix, settings, failure, TrustPolicyClaims.Describe(token), attempts, elapsed)
            .ToException();
    }

    public static OidcTokenException Invalid(StsSettings settings, string host, StsFailure failure, int attempts, TimeSpan elapsed)
    {
        var what = "AWS STS at " + host + " answered, but " + SecretScrubber.Scrub(failure.Message, null) + ".";
        const string Fix = "Fix: make sure Endpoint (or AWS_ENDPOINT_URL_STS) points at STS or an STS-compatible service, and that no proxy rewrites the answer.";
        return Report(OidcTokenErrorCode.ExchangeResponseInvalid, what, Fix, settings, failure, claims: null, attempts, elapsed).ToException();
    }

    /// <summary>The role's account is not among <see cref="StsSettings.AllowedAccountIds"/>: refused, the credentials discarded.</summary>
    public static OidcTokenException AccountNotAllowed(StsSettings settings, string? account, string? arn, string? token, int attempts, TimeSpan elapsed)
    {
        const string Reference = "GitHubAwsCredentialsOptions.AllowedAccountIds";
        var allowed = string.Join(", ", settings.AllowedAccountIds);
        var what = "The role '" + settings.RoleArn + "' was assumed in AWS account " + (account ?? "(none reported)") +
                   ", which is not one of the allowed accounts (" + allowed + "), so its credentials were discarded.";
        var fix = "Fix: use a role in one of the allowed accounts, or, if account " + (account ?? "(none reported)") +
                  " is the right one, add it to " + Reference + ".";
        var report = Report(OidcTokenErrorCode.ExchangeRefused, what, fix, settings, failure: null, TrustPolicyClaims.Describe(token), attempts, elapsed)
            .Fact("caller", arn is null ? "(none reported)" : SecretScrubber.Scrub(arn, null, 300))
            .Setting(nameof(GitHubAwsCredentialsOptions.AllowedAccountIds), Reference);
        return report.ToException();
    }

    /// <summary>GetCallerIdentity, made to check the account, failed: the credentials are discarded.</summary>
    public static OidcTokenException CallerIdentityFailed(StsSettings settings, string host, StsFailure failure, int attempts, TimeSpan elapsed)
    {
        const string Reference = "GitHubAwsCredentialsOptions.AllowedAccountIds";
        var what = "The role was assumed, but AWS STS at " + host + " did not answer GetCallerIdentity, which checks its account against " + Reference +
                   " (" + (failure.Code ?? failure.Message) + Said(failure, null) + "), so the credentials were discarded.";
        const string Fix = "Fix: this is usually temporary; re-run the job. The role's credentials need no permission for GetCallerIdentity.";
        return Report(OidcTokenErrorCode.ExchangeFailed, what, Fix, settings, failure, claims: null, attempts, elapsed)
            .Setting(nameof(GitHubAwsCredentialsOptions.AllowedAccountIds), Reference)
            .ToException(failure.Exception);
    }

    private static string Said(StsFailure failure, string? token)
    {
        if (failure.Code is null || string.IsNullOrWhiteSpace(failure.Message))
        {
            return string.Empty;
        }

        return ": " + SecretScrubber.Scrub(failure.Message, token);
    }

    /// <summary>The shared shape: what happened, the advice, then the token's claims (when shown), the role and session, and the facts.</summary>
    private static FailureReport Report(
        OidcTokenErrorCode code, string what, string advice, StsSettings settings, StsFailure? failure, string? claims, int attempts, TimeSpan elapsed)
    {
        var report = new FailureReport(code, what).Fix(advice);
        if (claims is not null)
        {
            report.Fact(claims);
        }

        return report
            .Fact("role", settings.RoleArn)
            .Fact("session name", settings.SessionName)
            .Fact("audience requested", "'" + settings.Audience + "'")
            .Attempts(attempts, elapsed)
            .Status(failure?.StatusCode)
            .RequestId(failure?.RequestId is { Length: > 0 } requestId ? SecretScrubber.Scrub(requestId, null, 100) : null);
    }
}
