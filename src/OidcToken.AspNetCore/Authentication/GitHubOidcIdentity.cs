using System.Globalization;
using System.Security.Claims;

namespace OidcToken.AspNetCore;

/// <summary>
/// The identity of a verified GitHub Actions ID token: one <see cref="Claim"/> per claim of the token, typed with
/// GitHub's own claim name (<c>repository_id</c>, <c>environment</c>, <c>sub</c>, …; <c>aud</c> once per audience;
/// <c>exp</c>, <c>iat</c> and <c>nbf</c> as Unix seconds), issued by the token's issuer, and the typed
/// <see cref="GitHubActionsClaims"/> alongside. The name claim is <c>sub</c>; there are no role claims.
/// </summary>
public sealed class GitHubOidcIdentity : ClaimsIdentity
{
    /// <summary>Creates the identity of verified claims.</summary>
    /// <param name="claims">The verified claims of the token.</param>
    /// <param name="authenticationType">The scheme that verified them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="claims"/> is null.</exception>
    public GitHubOidcIdentity(GitHubActionsClaims claims, string authenticationType)
        : base(ToClaims(claims), authenticationType, "sub", roleType: null)
    {
        GitHubClaims = claims;
    }

    private GitHubOidcIdentity(GitHubOidcIdentity other)
        : base(other)
    {
        GitHubClaims = other.GitHubClaims;
    }

    /// <summary>The verified claims, typed.</summary>
    public GitHubActionsClaims GitHubClaims { get; }

    /// <inheritdoc/>
    public override ClaimsIdentity Clone() => new GitHubOidcIdentity(this);

    private static List<Claim> ToClaims(GitHubActionsClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var issuer = claims.Issuer ?? ClaimsIdentity.DefaultIssuer;
        var list = new List<Claim>(40);
        void Add(string type, string? value)
        {
            if (value is not null)
            {
                list.Add(new Claim(type, value, ClaimValueTypes.String, issuer));
            }
        }

        void AddTime(string type, DateTimeOffset? value)
        {
            if (value is { } at)
            {
                list.Add(new Claim(type, at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64, issuer));
            }
        }

        Add("iss", claims.Issuer);
        Add("sub", claims.Subject);
        foreach (var audience in claims.Audiences)
        {
            Add("aud", audience);
        }

        AddTime("exp", claims.ExpiresAt);
        AddTime("iat", claims.IssuedAt);
        AddTime("nbf", claims.NotBefore);
        Add("jti", claims.JwtId);
        Add("actor", claims.Actor);
        Add("actor_id", claims.ActorId);
        Add("base_ref", claims.BaseRef);
        Add("check_run_id", claims.CheckRunId);
        Add("enterprise", claims.Enterprise);
        Add("enterprise_id", claims.EnterpriseId);
        Add("environment", claims.Environment);
        Add("environment_node_id", claims.EnvironmentNodeId);
        Add("event_name", claims.EventName);
        Add("head_ref", claims.HeadRef);
        Add("issuer_scope", claims.IssuerScope);
        Add("job_workflow_ref", claims.JobWorkflowRef);
        Add("job_workflow_sha", claims.JobWorkflowSha);
        Add("ref", claims.Ref);
        Add("ref_protected", claims.RefProtectedValue);
        Add("ref_type", claims.RefType);
        Add("repository", claims.Repository);
        Add("repository_id", claims.RepositoryId);
        Add("repository_owner", claims.RepositoryOwner);
        Add("repository_owner_id", claims.RepositoryOwnerId);
        Add("repository_visibility", claims.RepositoryVisibility);
        Add("run_attempt", claims.RunAttempt);
        Add("run_id", claims.RunId);
        Add("run_number", claims.RunNumber);
        Add("runner_environment", claims.RunnerEnvironment);
        Add("sha", claims.Sha);
        Add("workflow", claims.Workflow);
        Add("workflow_ref", claims.WorkflowRef);
        Add("workflow_sha", claims.WorkflowSha);
        foreach (var (name, value) in claims.AdditionalClaims)
        {
            Add(name, value);
        }

        return list;
    }
}
