using System.Reflection;
using Microsoft.Extensions.Time.Testing;
using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.RequestLog;

public sealed class RequestLogTests
{
    [Fact]
    public async Task Log_records_query_audience_and_headers()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture));
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { TimeProvider = clock });
        using var client = new IssuerClient(issuer);

        await client.GetTokenAsync("api://AzureADTokenExchange");
        using (await client.RequestAsync("x", scheme: null))
        {
        }

        Assert.Equal(2, issuer.TokenRequestCount);
        var ok = issuer.TokenRequests[0];
        Assert.Equal("GET", ok.Method);
        Assert.Equal("?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange", ok.RawQuery);
        Assert.Equal("api://AzureADTokenExchange", ok.Audience);
        Assert.True(ok.HasAuthorizationHeader);
        Assert.True(ok.HadValidBearer);
        Assert.Equal("oidc-token-tests/1.0", ok.UserAgent);
        Assert.Equal("application/json", ok.Accept);
        Assert.Equal(200, ok.StatusCode);
        Assert.Null(ok.Fault);
        Assert.Equal(clock.GetUtcNow(), ok.ReceivedAt);
        var refused = issuer.TokenRequests[1];
        Assert.False(refused.HasAuthorizationHeader);
        Assert.Equal(401, refused.StatusCode);
    }

    [Fact]
    public async Task Log_never_holds_the_request_token_or_the_issued_token()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        var token = await client.GetTokenAsync("aud");
        using (await client.RequestAsync("aud", token: "wrong"))
        {
        }

        foreach (var request in issuer.TokenRequests)
        {
            var values = typeof(MockTokenRequest)
                .GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => Convert.ToString(p.GetValue(request), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty)
                .Append(request.ToString());
            foreach (var value in values)
            {
                Assert.False(value.Contains(issuer.RequestToken, StringComparison.Ordinal), "The request log exposes the request token.");
                Assert.False(value.Contains(token.Split('.')[2], StringComparison.Ordinal), "The request log exposes an issued token.");
            }
        }
    }

    [Fact]
    public async Task Reset_clears_the_log_and_counters_but_not_faults()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        var token = await client.GetTokenAsync("aud");
        await client.VerifyAsync(token, "aud");
        issuer.FailNextRequests(1, MockHttpTargetFault.Status(503));

        issuer.ResetRequestLog();

        Assert.Equal(0, issuer.TokenRequestCount);
        Assert.Empty(issuer.TokenRequests);
        Assert.Equal(0, issuer.DiscoveryRequestCount);
        Assert.Equal(0, issuer.JwksRequestCount);
        using var response = await client.RequestAsync("aud");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, issuer.TokenRequestCount);
    }

    [Fact]
    public void Issuing_directly_does_not_touch_the_log()
    {
        using var issuer = MockGitHubOidcIssuer.Start();

        issuer.IssueToken();

        Assert.Equal(0, issuer.TokenRequestCount);
    }
}
