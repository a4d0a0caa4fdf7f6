using System.Text;

namespace OidcToken.Claims;

/// <summary>
/// Describes the claims a cloud or registry trust policy compares (<c>sub</c>, <c>aud</c>, <c>repository</c>,
/// <c>ref</c>, <c>job_workflow_ref</c>), for refusal messages, and (<see cref="Compared"/>) the wider set the command line's
/// step summary tabulates. Claims are not secret; the token is, and is never shown.
/// </summary>
internal static class TrustPolicyClaims
{
    /// <summary>
    /// The claims cloud and registry trust policies compare, in the order a reader checks them: <c>sub</c>, <c>aud</c>
    /// (several joined with ", "), <c>repository</c>, <c>repository_id</c>, <c>repository_owner_id</c>, <c>ref</c>,
    /// <c>environment</c>, <c>event_name</c>, <c>workflow_ref</c>, <c>job_workflow_ref</c>; a value is null when absent.
    /// </summary>
    public static IReadOnlyList<(string Claim, string? Value)> Compared(GitHubActionsClaims claims) =>
    [
        ("sub", claims.Subject),
        ("aud", claims.Audiences.Count > 1 ? string.Join(", ", claims.Audiences) : claims.Audience),
        ("repository", claims.Repository),
        ("repository_id", claims.RepositoryId),
        ("repository_owner_id", claims.RepositoryOwnerId),
        ("ref", claims.Ref),
        ("environment", claims.Environment),
        ("event_name", claims.EventName),
        ("workflow_ref", claims.WorkflowRef),
        ("job_workflow_ref", claims.JobWorkflowRef),
    ];

    public static string Describe(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return "the token's claims are unknown";
        }

        var claims = JwtPayloadReader.TryRead(token, out _);
        if (claims is null)
        {
            return "the token could not be decoded to show its claims";
        }

        var text = new StringBuilder("the token had ");
        Append(text, "sub", claims.Subject, first: true);
        Append(text, "aud", claims.Audience);
        Append(text, "repository", claims.Repository);
        Append(text, "ref", claims.Ref);
        Append(text, "job_workflow_ref", claims.JobWorkflowRef);
        return text.ToString();
    }

    private static void Append(StringBuilder text, string name, string? value, bool first = false)
    {
        if (!first)
        {
            text.Append(", ");
        }

        text.Append(name).Append(' ').Append(value is null ? "(absent)" : "'" + value + "'");
    }
}
