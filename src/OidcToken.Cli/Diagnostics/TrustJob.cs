using System.Text;

namespace OidcToken.Cli.Diagnostics;

/// <summary>The targets <c>oidc-token doctor --trust</c> writes a trust configuration for.</summary>
internal enum TrustTarget
{
    /// <summary>An AWS IAM role trust policy.</summary>
    Aws,

    /// <summary>An Entra ID federated identity credential.</summary>
    Azure,

    /// <summary>A Google workload identity provider's attribute mapping and condition.</summary>
    Gcp,

    /// <summary>A HashiCorp Vault JWT auth role.</summary>
    Vault,
}

/// <summary>
/// The facts of one job that a trust configuration compares, read from its token's claims: the issuer (and the host and
/// path IAM names its provider by), the audience, the subject, the repository's and owner's ids, and what the subject
/// does and does not pin down. Never holds the token.
/// </summary>
internal sealed class TrustJob
{
    private TrustJob(GitHubActionsClaims claims, string issuer, string subject, string audience)
    {
        Claims = claims;
        Issuer = issuer;
        Subject = subject;
        Audience = audience;
        var hostPath = issuer;
        foreach (var scheme in (ReadOnlySpan<string>)["https://", "http://"])
        {
            if (hostPath.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                hostPath = hostPath[scheme.Length..];
                break;
            }
        }

        IssuerHostPath = hostPath.TrimEnd('/');
    }

    /// <summary>All the claims, unverified.</summary>
    internal GitHubActionsClaims Claims { get; }

    /// <summary><c>iss</c>, as the token carries it.</summary>
    internal string Issuer { get; }

    /// <summary>The issuer without its scheme or a trailing slash: the name IAM gives the OIDC provider and its condition keys.</summary>
    internal string IssuerHostPath { get; }

    /// <summary><c>sub</c>.</summary>
    internal string Subject { get; }

    /// <summary><c>aud</c> (the first, when the token carries several).</summary>
    internal string Audience { get; }

    /// <summary>Whether the token has <c>repository_id</c> and <c>repository_owner_id</c> (GitHub Enterprise Server before 3.9 has not).</summary>
    internal bool HasIds => !string.IsNullOrEmpty(Claims.RepositoryId) && !string.IsNullOrEmpty(Claims.RepositoryOwnerId);

    /// <summary>Whether the job runs a reusable workflow: <c>job_workflow_ref</c> differs from <c>workflow_ref</c>, and <c>sub</c> describes the caller.</summary>
    internal bool IsReusableWorkflow =>
        !string.IsNullOrEmpty(Claims.JobWorkflowRef) && !string.IsNullOrEmpty(Claims.WorkflowRef) &&
        !string.Equals(Claims.JobWorkflowRef, Claims.WorkflowRef, StringComparison.Ordinal);

    /// <summary>Whether the job was started by a pull request event, whose <c>sub</c> (…<c>:pull_request</c>) is the same for every pull request.</summary>
    internal bool IsPullRequest => Claims.EventName is "pull_request" or "pull_request_target" ||
                                   Subject.EndsWith(":pull_request", StringComparison.Ordinal);

    /// <summary>
    /// Whether <c>sub</c> carries the repository's id: the immutable form (<c>repo:owner@ID/name@ID:…</c>) or a custom
    /// template with <c>repository_id</c>.
    /// </summary>
    internal bool SubjectHasRepositoryId =>
        Claims.RepositoryId is { Length: > 0 } id &&
        (Subject.Contains("repository_id:" + id, StringComparison.Ordinal) ||
         (Subject.StartsWith("repo:", StringComparison.Ordinal) && Subject.Contains("@" + id + ":", StringComparison.Ordinal)));

    /// <summary>Whether <c>sub</c> names this repository at all (by name or by id); a custom template may leave it out.</summary>
    internal bool SubjectNamesRepository =>
        SubjectHasRepositoryId ||
        (Claims.Repository is { Length: > 0 } repository && Subject.Contains("repo:" + repository + ":", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The claims a target that can condition on any claim (Google, Vault) compares, in order: the owner's and the
    /// repository's ids (their names when the token has no ids), then the environment when the job has one, else the ref
    /// (not for pull requests, whose ref changes with every pull request), and <c>job_workflow_ref</c> for a reusable workflow.
    /// </summary>
    internal IReadOnlyList<(string Claim, string Value)> ConditionClaims
    {
        get
        {
            var claims = new List<(string, string)>();
            if (HasIds)
            {
                claims.Add(("repository_owner_id", Claims.RepositoryOwnerId!));
                claims.Add(("repository_id", Claims.RepositoryId!));
            }
            else
            {
                if (Claims.RepositoryOwner is { Length: > 0 } owner)
                {
                    claims.Add(("repository_owner", owner));
                }

                if (Claims.Repository is { Length: > 0 } repository)
                {
                    claims.Add(("repository", repository));
                }
            }

            if (Claims.Environment is { Length: > 0 } environment)
            {
                claims.Add(("environment", environment));
            }
            else if (Claims.Ref is { Length: > 0 } gitRef && !IsPullRequest)
            {
                claims.Add(("ref", gitRef));
            }

            if (IsReusableWorkflow)
            {
                claims.Add(("job_workflow_ref", Claims.JobWorkflowRef!));
            }

            return claims;
        }
    }

    /// <summary>Reads the facts from <paramref name="claims"/>, or returns null with <paramref name="problem"/> naming the missing claim.</summary>
    internal static TrustJob? From(GitHubActionsClaims claims, out string? problem)
    {
        var missing = new List<string>();
        if (string.IsNullOrEmpty(claims.Issuer))
        {
            missing.Add("iss");
        }

        if (string.IsNullOrEmpty(claims.Subject))
        {
            missing.Add("sub");
        }

        if (string.IsNullOrEmpty(claims.Audience))
        {
            missing.Add("aud");
        }

        if (missing.Count > 0)
        {
            problem = "the token has no " + string.Join(", ", missing) + " claim; a GitHub Actions ID token always carries iss, sub and aud";
            return null;
        }

        if (!Uri.TryCreate(claims.Issuer, UriKind.Absolute, out var issuer) || (issuer.Scheme != Uri.UriSchemeHttps && issuer.Scheme != Uri.UriSchemeHttp))
        {
            problem = "the token's iss is not an https URL; a GitHub Actions ID token's issuer is one (https://token.actions.githubusercontent.com on github.com)";
            return null;
        }

        problem = null;
        return new TrustJob(claims, claims.Issuer!, claims.Subject!, claims.Audience!);
    }

    /// <summary>
    /// How to make <c>sub</c> carry the ids (or <c>job_workflow_ref</c>), for targets that compare only <c>sub</c>: the
    /// repository's subject template through GitHub's REST API (<c>include_claim_keys</c>), as a <c>gh api</c> command.
    /// </summary>
    internal string SubjectTemplateCommand(params string[] keys)
    {
        var repository = Claims.Repository is { Length: > 0 } name ? name : "OWNER/REPO";
        var body = new StringBuilder("{\"use_default\":false,\"include_claim_keys\":[");
        body.AppendJoin(',', keys.Select(k => "\"" + k + "\""));
        body.Append("]}");
        return "echo '" + body + "' | gh api -X PUT " + TrustConfigurations.ShellQuote("repos/" + repository + "/actions/oidc/customization/sub") + " --input -";
    }
}
