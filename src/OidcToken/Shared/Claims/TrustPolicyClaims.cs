using System.Text;

namespace OidcToken.Claims;

/// <summary>
/// Describes the claims a cloud or registry trust policy compares (<c>sub</c>, <c>aud</c>, <c>repository</c>,
/// <c>ref</c>, <c>job_workflow_ref</c>), for refusal messages. Claims are not secret; the token is, and is never shown.
/// </summary>
internal static class TrustPolicyClaims
{
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
