using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace OidcToken.AspNetCore;

/// <summary>The verified GitHub claims of the current request, typed.</summary>
public static class GitHubOidcHttpContextExtensions
{
    /// <summary>
    /// The verified claims of the GitHub ID token that authenticated this request (through <c>AddGitHubOidc</c> or the
    /// JwtBearer bridge); null when the request was not authenticated by one.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <returns>The typed claims, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public static GitHubActionsClaims? GetGitHubActionsClaims(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.User.GetGitHubActionsClaims();
    }

    /// <summary>The verified GitHub claims carried by <paramref name="principal"/>; null when it has none.</summary>
    /// <param name="principal">A principal, typically <c>HttpContext.User</c>.</param>
    /// <returns>The typed claims, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="principal"/> is null.</exception>
    public static GitHubActionsClaims? GetGitHubActionsClaims(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        foreach (var identity in principal.Identities)
        {
            if (identity is GitHubOidcIdentity { IsAuthenticated: true } github)
            {
                return github.GitHubClaims;
            }
        }

        return null;
    }
}
