using OidcToken.Testing;

namespace OidcToken.Tests.Support;

/// <summary>Builds clients wired to a <see cref="MockGitHubOidcIssuer"/> through an environment source (no process-wide variables).</summary>
internal static class MockClientFactory
{
    public static GitHubOidcClientOptions Options(MockGitHubOidcIssuer issuer, Action<GitHubOidcClientOptions>? configure = null)
    {
        var environment = new FakeEnvironment(issuer.GetEnvironment());
        var options = new GitHubOidcClientOptions
        {
            EnvironmentVariables = environment.Reader,
            MaskTokens = false,
            RetryDelay = TimeSpan.Zero,
            MaxRetryDelay = TimeSpan.Zero,
            FileExists = static _ => false,
        };
        configure?.Invoke(options);
        return options;
    }

    public static GitHubOidcClient Create(MockGitHubOidcIssuer issuer, Action<GitHubOidcClientOptions>? configure = null) =>
        new(Options(issuer, configure));
}
