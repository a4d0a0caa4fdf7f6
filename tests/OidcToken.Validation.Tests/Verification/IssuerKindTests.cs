using OidcToken.Testing;
using OidcToken.Validation.Tests.KeySources;

namespace OidcToken.Validation.Tests.Verifying;

public sealed class IssuerKindTests
{
    [Fact]
    public async Task GitHubCom_kind_validates_with_its_issuer()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { IssuerKind = MockIssuerKind.GitHubCom });
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer));

        Assert.True((await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience))).IsValid);
    }

    [Fact]
    public async Task Enterprise_slug_issuer_is_accepted_only_with_AcceptEnterpriseSlugIssuer()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { IssuerKind = MockIssuerKind.EnterpriseSlug, EnterpriseSlug = "octo-ent" });
        var root = issuer.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.Equal(root + "/octo-ent", issuer.Issuer);
        var token = issuer.IssueToken(MockIssuerKit.Audience);

        var options = MockIssuerKit.Options(issuer);
        options.Issuer = root;
        using (var strict = new GitHubOidcTokenValidator(options))
        {
            var refused = await strict.ValidateAsync(token);
            Assert.Equal(GitHubOidcValidationFailure.InvalidIssuer, refused.Failure);
            Assert.Equal($"issuer was '{root}/octo-ent', expected '{root}'", refused.Message);
        }

        options.AcceptEnterpriseSlugIssuer = true;
        using var lenient = new GitHubOidcTokenValidator(options);
        var result = await lenient.ValidateAsync(token);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(root + "/octo-ent", result.Claims.Issuer);

        // Only one slug segment is accepted.
        var deeper = await lenient.ValidateAsync(MintWithIssuer(issuer, root + "/octo-ent/x"));
        Assert.Equal(GitHubOidcValidationFailure.InvalidIssuer, deeper.Failure);
        Assert.Equal($"issuer was '{root}/octo-ent/x', expected '{root}' or '{root}/<enterprise-slug>'", deeper.Message);
    }

    [Fact]
    public async Task Enterprise_slug_issuer_configured_exactly_reads_its_own_discovery()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { IssuerKind = MockIssuerKind.EnterpriseSlug, EnterpriseSlug = "octo-ent" });
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer));

        var result = await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience));

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public async Task Enterprise_server_kind_validates_with_the_services_token_issuer()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { IssuerKind = MockIssuerKind.EnterpriseServer });
        var host = issuer.BaseAddress.Authority;
        Assert.Equal("http://" + host + "/_services/token", issuer.Issuer);
        var options = MockIssuerKit.Options(issuer);
        options.Issuer = GitHubIssuers.EnterpriseServer(host).Replace("https://", "http://", StringComparison.Ordinal);
        using var validator = new GitHubOidcTokenValidator(options);

        var result = await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience));

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Enterprise_server_default_audience_is_refused_unless_opted_in()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { IssuerKind = MockIssuerKind.EnterpriseServer });
        var options = MockIssuerKit.Options(issuer);
        options.Audiences = [issuer.DefaultAudience];

        var error = Assert.ThrowsAny<ArgumentException>(() => new GitHubOidcTokenValidator(options));
        Assert.Contains("GitHub's default audience", error.Message, StringComparison.Ordinal);

        options.AllowDefaultAudience = true;
        using var validator = new GitHubOidcTokenValidator(options);
    }

    [Fact]
    public async Task Token_of_one_issuer_kind_is_refused_by_a_validator_for_another()
    {
        using var server = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { IssuerKind = MockIssuerKind.EnterpriseServer });
        using var com = MockGitHubOidcIssuer.Start();
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(com));

        var result = await validator.ValidateAsync(server.IssueToken(MockIssuerKit.Audience));

        // The issuer is checked before any key is fetched: refused as another issuer's token, not as an unknown key.
        Assert.Equal(GitHubOidcValidationFailure.InvalidIssuer, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.Invalid, result.Kind);
        Assert.Contains(server.Issuer, result.Message, StringComparison.Ordinal);
        Assert.Equal(0, com.JwksRequestCount);
    }

    [Theory]
    [InlineData("https://github.com", GitHubIssuers.GitHubCom)]
    [InlineData("https://GitHub.com/", GitHubIssuers.GitHubCom)]
    [InlineData("https://octocorp.ghe.com", "https://token.actions.octocorp.ghe.com")]
    [InlineData("https://github.example.com", "https://github.example.com/_services/token")]
    [InlineData("https://github.example.com:8443", "https://github.example.com:8443/_services/token")]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/_services/token")]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("not a url", null)]
    [InlineData("ftp://github.com", null)]
    public void FromServerUrl_maps_the_server_to_its_issuer(string? serverUrl, string? expected) =>
        Assert.Equal(expected, GitHubIssuers.FromServerUrl(serverUrl));

    [Fact]
    public void Issuer_helpers_build_the_documented_values()
    {
        Assert.Equal("https://token.actions.githubusercontent.com/octo-ent", GitHubIssuers.EnterpriseSlug("octo-ent"));
        Assert.Equal("https://token.actions.octocorp.ghe.com", GitHubIssuers.GheCom("octocorp"));
        Assert.Equal("https://ghes.example.com/_services/token", GitHubIssuers.EnterpriseServer("ghes.example.com"));
        Assert.Equal("https://ghes.example.com:8443/_services/token", GitHubIssuers.EnterpriseServer("ghes.example.com:8443"));
        Assert.ThrowsAny<ArgumentException>(() => GitHubIssuers.EnterpriseSlug("octo/ent"));
        Assert.ThrowsAny<ArgumentException>(() => GitHubIssuers.EnterpriseSlug(""));
        Assert.ThrowsAny<ArgumentException>(() => GitHubIssuers.EnterpriseSlug("octo.ent"));
        Assert.ThrowsAny<ArgumentException>(() => GitHubIssuers.EnterpriseServer("https://ghes.example.com"));
        Assert.ThrowsAny<ArgumentException>(() => GitHubIssuers.EnterpriseServer("ghes.example.com/path"));
    }

    private static string MintWithIssuer(MockGitHubOidcIssuer issuer, string iss) =>
        issuer.IssueToken(MockIssuerKit.Audience, new Dictionary<string, string> { ["iss"] = iss });
}
