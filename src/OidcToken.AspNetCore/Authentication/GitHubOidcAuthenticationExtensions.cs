using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OidcToken.AspNetCore;

/// <summary>Registers the GitHub OIDC authentication scheme.</summary>
public static class GitHubOidcAuthenticationExtensions
{
    /// <summary>Adds the <see cref="GitHubOidcDefaults.AuthenticationScheme"/> scheme with its options from configuration (<c>Authentication:Schemes:GitHubOidc</c>).</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static AuthenticationBuilder AddGitHubOidc(this AuthenticationBuilder builder) =>
        builder.AddGitHubOidc(GitHubOidcDefaults.AuthenticationScheme, configure: null);

    /// <summary>
    /// Adds the <see cref="GitHubOidcDefaults.AuthenticationScheme"/> scheme: requests carrying
    /// <c>Authorization: Bearer &lt;GitHub Actions ID token&gt;</c> are authenticated with one validator per scheme,
    /// reused across requests. Options come from configuration (<c>Authentication:Schemes:GitHubOidc</c>), then from
    /// <paramref name="configure"/>, and are checked when the application starts.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configure">Sets the options (at least <c>Audiences</c> and <c>Policy</c>, unless configuration has them).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static AuthenticationBuilder AddGitHubOidc(this AuthenticationBuilder builder, Action<GitHubOidcAuthenticationOptions> configure) =>
        builder.AddGitHubOidc(GitHubOidcDefaults.AuthenticationScheme, configure);

    /// <summary>Adds a GitHub OIDC authentication scheme under another name (e.g. one per issuer).</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name; configuration is read from <c>Authentication:Schemes:&lt;name&gt;</c>.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="authenticationScheme"/> is null.</exception>
    public static AuthenticationBuilder AddGitHubOidc(this AuthenticationBuilder builder, string authenticationScheme, Action<GitHubOidcAuthenticationOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(authenticationScheme);
        builder.Services.TryAddSingleton<GitHubOidcValidators>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<GitHubOidcAuthenticationOptions>, GitHubOidcConfigurationBinder>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitHubOidcAuthenticationOptions>, GitHubOidcOptionsValidation>());
        builder.Services.AddOptions<GitHubOidcAuthenticationOptions>(authenticationScheme).ValidateOnStart();
        return builder.AddScheme<GitHubOidcAuthenticationOptions, GitHubOidcAuthenticationHandler>(authenticationScheme, displayName: "GitHub Actions OIDC", configure);
    }
}
