using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.Issuer;

public sealed class IssuerKindTests
{
    [Fact]
    public async Task GitHubCom_issuer_is_the_base_address_with_root_jwks()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        var discovery = await client.GetJsonAsync(issuer.Issuer + "/.well-known/openid-configuration");

        Assert.Equal(issuer.BaseAddress.ToString().TrimEnd('/'), issuer.Issuer);
        Assert.Equal(issuer.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal(issuer.BaseAddress + ".well-known/jwks", discovery.GetProperty("jwks_uri").GetString());
        Assert.Equal("https://github.com/octo-org", issuer.DefaultAudience);
        var token = await client.GetTokenAsync("sts.amazonaws.com");
        Assert.True((await client.VerifyAsync(token, "sts.amazonaws.com")).IsValid);
    }

    [Fact]
    public async Task Enterprise_slug_issuer_appends_the_slug_and_points_at_the_root_jwks()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions
        {
            IssuerKind = MockIssuerKind.EnterpriseSlug,
            EnterpriseSlug = "octo-enterprise",
        });
        using var client = new IssuerClient(issuer);

        var discovery = await client.GetJsonAsync(issuer.Issuer + "/.well-known/openid-configuration");
        var root = await client.GetJsonAsync(issuer.BaseAddress + ".well-known/openid-configuration");

        Assert.Equal(issuer.BaseAddress + "octo-enterprise", issuer.Issuer);
        Assert.Equal(issuer.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal(issuer.BaseAddress + ".well-known/jwks", discovery.GetProperty("jwks_uri").GetString());
        Assert.Equal(issuer.BaseAddress.ToString().TrimEnd('/'), root.GetProperty("issuer").GetString());
        var token = await client.GetTokenAsync("sts.amazonaws.com");
        Assert.Equal(issuer.Issuer, Jwt.Payload(token).GetProperty("iss").GetString());
        Assert.True((await client.VerifyAsync(token, "sts.amazonaws.com")).IsValid);
        Assert.Equal(issuer.Issuer, issuer.GetEnvironment()["OIDC_ISSUER"]);
    }

    [Fact]
    public async Task Enterprise_server_issuer_lives_under_services_token()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { IssuerKind = MockIssuerKind.EnterpriseServer });
        using var client = new IssuerClient(issuer);

        var discovery = await client.GetJsonAsync(issuer.Issuer + "/.well-known/openid-configuration");

        var serverUrl = issuer.BaseAddress.ToString().TrimEnd('/');
        Assert.Equal(serverUrl + "/_services/token", issuer.Issuer);
        Assert.Equal(issuer.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal(issuer.Issuer + "/.well-known/jwks", discovery.GetProperty("jwks_uri").GetString());
        Assert.Equal(serverUrl, issuer.GetEnvironment()["GITHUB_SERVER_URL"]);
        Assert.Equal(serverUrl + "/octo-org", issuer.DefaultAudience);
        var token = await client.GetTokenAsync();
        Assert.Equal(serverUrl + "/octo-org", Jwt.Payload(token).GetProperty("aud").GetString());
        Assert.True((await client.VerifyAsync(token, serverUrl + "/octo-org")).IsValid);
    }

    [Fact]
    public async Task Discovery_has_the_same_members_as_githubs_real_document()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        using var real = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture("github-openid-configuration-2026-04_forgejo.json")));

        var mock = await client.GetJsonAsync(issuer.Issuer + "/.well-known/openid-configuration");

        Assert.Equal(
            real.RootElement.EnumerateObject().Select(p => p.Name),
            mock.EnumerateObject().Select(p => p.Name));
        foreach (var member in new[] { "subject_types_supported", "response_types_supported", "claims_supported", "id_token_signing_alg_values_supported", "scopes_supported" })
        {
            Assert.Equal(
                real.RootElement.GetProperty(member).EnumerateArray().Select(e => e.GetString()),
                mock.GetProperty(member).EnumerateArray().Select(e => e.GetString()));
        }
    }
}
