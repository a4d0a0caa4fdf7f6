using Microsoft.IdentityModel.Tokens;

namespace OidcToken.Validation.Tests.Verifying;

public sealed class OptionsValidationTests
{
    [Fact]
    public void Defaults_are_documented_values()
    {
        var options = new GitHubOidcValidationOptions();

        Assert.Equal(GitHubIssuers.GitHubCom, options.Issuer);
        Assert.False(options.AcceptEnterpriseSlugIssuer);
        Assert.Empty(options.Audiences);
        Assert.False(options.AllowDefaultAudience);
        Assert.Null(options.Policy);
        Assert.Equal(TimeSpan.FromSeconds(60), options.ClockSkew);
        Assert.Null(options.MaxTokenAge);
        Assert.Equal(16 * 1024, options.MaxTokenLength);
        Assert.Null(options.SigningKeys);
        Assert.Equal(TimeSpan.FromSeconds(60), options.RefreshInterval);
        Assert.Equal(TimeSpan.FromHours(1), options.AutomaticRefreshInterval);
        Assert.Null(options.HttpClient);
        Assert.Null(options.TimeProvider);
        Assert.Null(options.LoggerFactory);
        Assert.Null(options.ReplayStore);
    }

    [Fact]
    public void Every_invalid_option_is_reported_in_one_exception()
    {
        var options = new GitHubOidcValidationOptions
        {
            Issuer = "http://token.example.com",
            Audiences = ["", "https://github.com/octo-org"],
            ClockSkew = TimeSpan.FromMinutes(6),
            MaxTokenAge = TimeSpan.Zero,
            MaxTokenLength = 100,
            RefreshInterval = TimeSpan.FromMilliseconds(10),
            AutomaticRefreshInterval = TimeSpan.FromMinutes(1),
            SigningKeys = new JsonWebKeySet("{\"keys\":[]}"),
        };

        var error = Assert.Throws<GitHubOidcSettingsException>("options", () => new GitHubOidcTokenValidator(options));

        foreach (var part in new[]
        {
            "Issuer 'http://token.example.com' uses plain http",
            "Audiences contains an empty or whitespace value",
            "Audiences contains 'https://github.com/octo-org', GitHub's default audience",
            "Policy is null",
            "ClockSkew is 360 s",
            "MaxTokenAge is 0 s",
            "MaxTokenLength is 100",
            "RefreshInterval is 0.01 s",
            "AutomaticRefreshInterval is 60 s",
            "SigningKeys holds no usable key",
        })
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://127.1.2.3", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://localhost.example.com", false)]
    [InlineData("http://[::ffff:127.0.0.1]", false)]
    [InlineData("http://10.0.0.1", false)]
    [InlineData("https://token.actions.githubusercontent.com/", false)]
    [InlineData("https://token.actions.githubusercontent.com?x=1", false)]
    [InlineData("ftp://token.actions.githubusercontent.com", false)]
    [InlineData("token.actions.githubusercontent.com", false)]
    public void Issuer_must_be_https_or_loopback_http(string issuer, bool accepted)
    {
        var options = new GitHubOidcValidationOptions
        {
            Issuer = issuer,
            Audiences = ["aud"],
            Policy = GitHubClaimPolicy.CreateBuilder().AllowAnyRepository().Build(),
        };

        if (accepted)
        {
            using var validator = new GitHubOidcTokenValidator(options);
        }
        else
        {
            Assert.ThrowsAny<ArgumentException>(() => new GitHubOidcTokenValidator(options));
        }
    }

    [Fact]
    public async Task Null_token_is_the_only_argument_exception_and_cancellation_passes_through()
    {
        using var validator = new GitHubOidcTokenValidator(new GitHubOidcValidationOptions
        {
            Audiences = ["aud"],
            Policy = GitHubClaimPolicy.CreateBuilder().AllowAnyRepository().Build(),
            SigningKeys = RealTokens.RealFixtures.Jwks(RealTokens.RealFixtures.JwksC),
        });

        await Assert.ThrowsAsync<ArgumentNullException>("token", () => validator.ValidateAsync(null!));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => validator.ValidateAsync("a.b.c", new CancellationToken(canceled: true)));
        Assert.Equal(GitHubOidcValidationFailure.Malformed, (await validator.ValidateAsync("")).Failure);
    }
}
