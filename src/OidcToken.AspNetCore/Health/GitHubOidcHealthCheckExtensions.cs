using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OidcToken.AspNetCore;

/// <summary>Health check for the GitHub OIDC authentication scheme.</summary>
public static class GitHubOidcHealthCheckExtensions
{
    /// <summary>
    /// Adds a check that reports whether the scheme's validator holds the issuer's signing keys: unhealthy while none
    /// could be fetched (tokens are then answered 503), degraded when the latest refresh failed but the keys held are
    /// still used, healthy otherwise.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="authenticationScheme">The GitHub OIDC scheme to check; default <see cref="GitHubOidcDefaults.AuthenticationScheme"/>.</param>
    /// <param name="name">The check's name; default <c>github-oidc-keys</c>.</param>
    /// <param name="failureStatus">The status reported when keys are unavailable; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IHealthChecksBuilder AddGitHubOidcKeys(
        this IHealthChecksBuilder builder,
        string authenticationScheme = GitHubOidcDefaults.AuthenticationScheme,
        string name = "github-oidc-keys",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new GitHubOidcKeysHealthCheck(services.GetRequiredService<GitHubOidcValidators>(), authenticationScheme),
            failureStatus,
            tags));
    }
}
