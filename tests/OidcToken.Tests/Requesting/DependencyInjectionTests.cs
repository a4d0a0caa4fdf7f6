using Microsoft.Extensions.DependencyInjection;
using OidcToken.Testing;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Requesting;

public sealed class DependencyInjectionTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    private ServiceProvider Build()
    {
        var environment = new FakeEnvironment(_issuer.GetEnvironment());
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGitHubOidc(o =>
        {
            o.EnvironmentVariables = environment.Reader;
            o.MaskTokens = false;
        });
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task AddGitHubOidc_RegistersAClientThatWorks()
    {
        using var provider = Build();

        var client = provider.GetRequiredService<GitHubOidcClient>();
        var token = await client.GetTokenAsync("aud");

        Assert.Same(client, provider.GetRequiredService<GitHubOidcClient>());
        Assert.Equal("aud", token.Audience);
    }

    [Fact]
    public async Task AddGitHubOidc_PrimaryHandlerDoesNotFollowRedirects()
    {
        using var elsewhere = MockGitHubOidcIssuer.Start();
        _issuer.FailNextRequests(1, MockHttpTargetFault.Redirect(elsewhere.RequestUrl, 307));
        using var provider = Build();

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => provider.GetRequiredService<GitHubOidcClient>().GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.RedirectRefused, error.ErrorCode);
        Assert.Equal(0, elsewhere.TokenRequestCount);
    }

    [Fact]
    public void Options_InvalidValues_AreAllReportedTogether()
    {
        var options = new GitHubOidcClientOptions
        {
            AttemptTimeout = TimeSpan.Zero,
            Deadline = TimeSpan.FromHours(2),
            MaxAttempts = 0,
            CacheMargin = TimeSpan.FromSeconds(5),
            HttpClientName = " ",
        };

        var error = Assert.Throws<ArgumentException>(() => new GitHubOidcClient(options));

        Assert.StartsWith("Invalid GitHubOidcClientOptions:", error.Message, StringComparison.Ordinal);
        Assert.Contains("- AttemptTimeout must be between 00:00:00.1000000 and 00:05:00; it is 00:00:00.", error.Message, StringComparison.Ordinal);
        Assert.Contains("- Deadline must be between", error.Message, StringComparison.Ordinal);
        Assert.Contains("- CacheMargin must be between 00:01:00 and 01:00:00; it is 00:00:05.", error.Message, StringComparison.Ordinal);
        Assert.Contains("- MaxAttempts must be between 1 and 20; it is 0.", error.Message, StringComparison.Ordinal);
        Assert.Contains("- HttpClientName must not be empty.", error.Message, StringComparison.Ordinal);
    }
}
