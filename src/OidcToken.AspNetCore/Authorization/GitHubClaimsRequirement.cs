using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OidcToken.Validation;

namespace OidcToken.AspNetCore;

/// <summary>
/// An endpoint's rules on the verified GitHub claims: met when the user was authenticated by a GitHub ID token (the
/// <c>GitHubOidc</c> scheme or the JwtBearer bridge) whose claims satisfy <see cref="Policy"/>. Not met otherwise, which
/// the authentication scheme answers with 403 (authenticated) or a challenge (not authenticated).
/// </summary>
public sealed class GitHubClaimsRequirement : AuthorizationHandler<GitHubClaimsRequirement>, IAuthorizationRequirement
{
    /// <summary>Creates the requirement.</summary>
    /// <param name="policy">The rules; see <see cref="GitHubClaimPolicy"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    public GitHubClaimsRequirement(GitHubClaimPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
    }

    /// <summary>The rules every token must satisfy on this endpoint.</summary>
    public GitHubClaimPolicy Policy { get; }

    /// <inheritdoc/>
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, GitHubClaimsRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (context.User.GetGitHubActionsClaims() is not { } claims)
        {
            return Task.CompletedTask;
        }

        if (requirement.Policy.Check(claims) is { } violation)
        {
            // The violation names the expected values: it goes to the operator's log, never to the caller.
            if (context.Resource is HttpContext http && http.RequestServices.GetService<ILoggerFactory>() is { } loggers)
            {
                AnswerLog.PolicyRefused(loggers.CreateLogger("OidcToken.AspNetCore"), violation);
            }

            context.Fail(new AuthorizationFailureReason(this, "the token's claims are not accepted by this endpoint's policy"));
            return Task.CompletedTask;
        }

        context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
