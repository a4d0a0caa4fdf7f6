using System.Net;
using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.Endpoints;

public sealed class AuthorizationTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("Bearer", "wrong-token")]
    [InlineData("Bearer", "")]
    [InlineData("Basic", null)]
    [InlineData("Token", null)]
    [InlineData("Bearer-ish", null)]
    public async Task Token_endpoint_refuses_without_the_right_bearer(string? scheme, string? token)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        using var response = await client.RequestAsync("sts.amazonaws.com", scheme, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("eyJ", body, StringComparison.Ordinal);
        var logged = Assert.Single(issuer.TokenRequests);
        Assert.False(logged.HadValidBearer);
        Assert.Equal(scheme is not null, logged.HasAuthorizationHeader);
        Assert.Equal(401, logged.StatusCode);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task Bearer_scheme_is_case_insensitive(string scheme)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        using var response = await client.RequestAsync("sts.amazonaws.com", scheme);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(Assert.Single(issuer.TokenRequests).HadValidBearer);
    }

    [Fact]
    public async Task Another_instances_request_token_is_refused()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var other = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        using var response = await client.RequestAsync("x", token: other.RequestToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Answer_is_a_json_object_with_only_value()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        using var response = await client.RequestAsync("sts.amazonaws.com");
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var member = Assert.Single(json.RootElement.EnumerateObject());
        Assert.Equal("value", member.Name);
        Assert.Equal(3, member.Value.GetString()!.Split('.').Length);
    }
}
