using Microsoft.AspNetCore.Authorization;
using OidcToken.Validation;

namespace OidcToken.AspNetCore;

/// <summary>Per-endpoint rules on the verified GitHub claims, for minimal APIs and controllers.</summary>
public static class GitHubOidcAuthorizationExtensions
{
    /// <summary>
    /// Requires a GitHub ID token whose claims satisfy the rules <paramref name="configure"/> sets with the claim-policy
    /// vocabulary: repository id, owner id, ref, protected ref, environment, events allowed or denied,
    /// <c>job_workflow_ref</c>, runner environment, <c>sub</c> patterns. The scheme's own policy (which pins the repository
    /// or owner id) has already held, so an endpoint rule need not repeat an id: these rules refine it.
    /// </summary>
    /// <param name="builder">The authorization policy being built.</param>
    /// <param name="configure">Sets the endpoint's rules, e.g. <c>p =&gt; p.Environment("production").RequireProtectedRef()</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    /// <exception cref="GitHubOidcSettingsException">The rules are not valid (the message lists each problem).</exception>
    public static AuthorizationPolicyBuilder RequireGitHubClaims(this AuthorizationPolicyBuilder builder, Action<GitHubClaimPolicyBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var rules = GitHubClaimPolicy.CreateBuilder().AllowAnyRepository();
        configure(rules);
        return builder.RequireAuthenticatedUser().AddRequirements(new GitHubClaimsRequirement(rules.Build()));
    }
}
