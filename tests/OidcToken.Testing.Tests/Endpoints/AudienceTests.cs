using System.Net;
using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.Endpoints;

public sealed class AudienceTests
{
    [Fact]
    public async Task No_audience_gives_the_owner_url()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { Owner = "n-e" });
        using var client = new IssuerClient(issuer);

        var token = await client.GetTokenAsync(audience: null);

        Assert.Equal("https://github.com/n-e", Jwt.Payload(token).GetProperty("aud").GetString());
        Assert.Null(Assert.Single(issuer.TokenRequests).Audience);
    }

    [Fact]
    public async Task Empty_audience_gives_the_owner_url()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        var token = await client.GetTokenAsync(audience: string.Empty);

        Assert.Equal(issuer.DefaultAudience, Jwt.Payload(token).GetProperty("aud").GetString());
        Assert.Equal(string.Empty, Assert.Single(issuer.TokenRequests).Audience);
    }

    [Theory]
    [InlineData("sts.amazonaws.com")]
    [InlineData("api://AzureADTokenExchange")]
    [InlineData("with spaces and a+plus")]
    [InlineData("a&b=c&audience=evil")]
    [InlineData("x/y:z?q#frag")]
    [InlineData("café ✓ 日本 🚀")]
    [InlineData("https://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/providers/gh")]
    [InlineData("%41 is not A")]
    public async Task Custom_audience_survives_encoding(string audience)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        var token = await client.GetTokenAsync(audience);

        Assert.Equal(audience, Jwt.Payload(token).GetProperty("aud").GetString());
        var logged = Assert.Single(issuer.TokenRequests);
        Assert.Equal(audience, logged.Audience);
        Assert.StartsWith("?api-version=2.0&audience=", logged.RawQuery, StringComparison.Ordinal);
        Assert.True((await client.VerifyAsync(token, audience)).IsValid);
    }

    [Fact]
    public async Task Plus_in_the_query_is_a_space()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        using var response = await client.RequestAsync(url: new Uri(issuer.RequestUrl + "&audience=my+audience"));
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("my audience", Jwt.Payload(json.RootElement.GetProperty("value").GetString()!).GetProperty("aud").GetString());
    }

    [Theory]
    [InlineData("https://github.com")]
    [InlineData("https://github.com/")]
    [InlineData("https://github.com/octo-org")]
    [InlineData("https://GitHub.com/Octo-Org/")]
    [InlineData("https://github.com/octo-org/octo-repo")]
    [InlineData("https://github.com/octo-org/octo-repo/anything/below")]
    [InlineData("github.com")]
    [InlineData("sts.amazonaws.com")]
    [InlineData("https://gitlab.com/octo-org")]
    public async Task Github_audiences_of_this_owner_or_repository_are_accepted(string audience)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        using var response = await client.RequestAsync(audience);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("https://github.com/apps/cyspbot")]
    [InlineData("https://github.com/other-org")]
    [InlineData("https://github.com/octo-org/other-repo")]
    [InlineData("https://github.com/octo-org/octo-repo.git")]
    [InlineData("https://github.com/octo-org/octo-repository")]
    [InlineData("https://api.github.com/repos/octo-org/octo-repo")]
    [InlineData("https://github.com.example.com")]
    [InlineData("https://github.com:443/octo-org")]
    [InlineData("sts.amazonaws.com?via=GITHUB.COM/x")]
    public async Task Other_github_audiences_get_githubs_400(string audience)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        using var response = await client.RequestAsync(audience);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "{\"source\":\"actions-run-service\",\"statusCode\":400,\"errorMessage\":\"Can't issue ID_TOKEN for audience '" + audience + "'\"}",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refusal_body_is_byte_identical_to_githubs_real_one()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { Owner = "cysp" });
        using var client = new IssuerClient(issuer);
        var real = File.ReadAllText(RepoPaths.Fixture("token-endpoint-error-400-audience.actions-run-service.json")).TrimEnd('\n', '\r');

        using var response = await client.RequestAsync("https://github.com/apps/cyspbot");

        Assert.Equal(real, await response.Content.ReadAsStringAsync());
    }
}
