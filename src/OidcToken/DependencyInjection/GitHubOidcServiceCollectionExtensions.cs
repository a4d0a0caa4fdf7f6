using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OidcToken.Http;

namespace OidcToken;

/// <summary>Registers <see cref="GitHubOidcClient"/> with dependency injection.</summary>
public static class GitHubOidcServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="GitHubOidcClient"/> that takes its <see cref="HttpClient"/> from
    /// <see cref="IHttpClientFactory"/> under <see cref="GitHubOidcClientOptions.DefaultHttpClientName"/>, with
    /// OidcToken's own redirect-free primary handler, and its logging from the container's <see cref="ILoggerFactory"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options; <see cref="GitHubOidcClientOptions.HttpClientFactory"/> and
    /// <see cref="GitHubOidcClientOptions.LoggerFactory"/> are filled from the container when left null.</param>
    /// <returns>The HTTP client builder, to add handlers (for example a proxy) around the redirect-free primary handler.</returns>
    public static IHttpClientBuilder AddGitHubOidc(this IServiceCollection services, Action<GitHubOidcClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services
            .AddHttpClient(GitHubOidcClientOptions.DefaultHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => SafeHttp.CreateHandler());
        services.TryAddSingleton(provider =>
        {
            var options = new GitHubOidcClientOptions();
            configure?.Invoke(options);
            options.HttpClientFactory ??= provider.GetRequiredService<IHttpClientFactory>();
            options.LoggerFactory ??= provider.GetService<ILoggerFactory>();
            options.HttpClientName = GitHubOidcClientOptions.DefaultHttpClientName;
            return new GitHubOidcClient(options);
        });
        return builder;
    }
}
