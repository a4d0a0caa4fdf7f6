using System.Collections.Concurrent;
using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.RequestLog;

public sealed class RequestObserverTests
{
    [Fact]
    public async Task Observer_sees_token_discovery_and_jwks_requests_with_status_and_audience_but_no_secret()
    {
        var seen = new ConcurrentQueue<MockIssuerRequest>();
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { RequestObserver = seen.Enqueue });
        using var client = new IssuerClient(issuer);

        var token = await client.GetTokenAsync("sts.amazonaws.com");
        using (await client.RequestAsync("x", token: "wrong"))
        {
        }

        await client.GetJsonAsync(issuer.Issuer + "/.well-known/openid-configuration");
        var jwks = new Uri(issuer.BaseAddress, ".well-known/jwks");
        issuer.FailNextRequests(1, MockHttpTargetFault.Status(503).ForRequestsTo(jwks));
        using (await client.Http.GetAsync(jwks))
        {
        }

        var requests = seen.ToArray();
        Assert.Equal(4, requests.Length);
        var tokenPath = issuer.RequestUrl.AbsolutePath;

        Assert.Equal(MockIssuerEndpoint.Token, requests[0].Endpoint);
        Assert.Equal("GET", requests[0].Method);
        Assert.Equal(tokenPath, requests[0].Path);
        Assert.Equal("sts.amazonaws.com", requests[0].Audience);
        Assert.Equal(200, requests[0].StatusCode);

        Assert.Equal(MockIssuerEndpoint.Token, requests[1].Endpoint);
        Assert.Equal(401, requests[1].StatusCode);

        Assert.Equal(MockIssuerEndpoint.Discovery, requests[2].Endpoint);
        Assert.Equal("/.well-known/openid-configuration", requests[2].Path);
        Assert.Null(requests[2].Audience);
        Assert.Equal(200, requests[2].StatusCode);

        Assert.Equal(MockIssuerEndpoint.Jwks, requests[3].Endpoint);
        Assert.Equal(503, requests[3].StatusCode);

        foreach (var text in requests.Select(r => r.ToString()))
        {
            Assert.DoesNotContain(issuer.RequestToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Split('.')[2], text, StringComparison.Ordinal);
        }

        Assert.Equal($"token GET {tokenPath} audience=sts.amazonaws.com -> 200", requests[0].ToString());
    }

    [Fact]
    public async Task Observer_set_after_start_is_not_called_because_options_are_copied()
    {
        var options = new MockGitHubOidcIssuerOptions();
        using var issuer = MockGitHubOidcIssuer.Start(options);
        var calls = 0;
        options.RequestObserver = _ => Interlocked.Increment(ref calls);
        using var client = new IssuerClient(issuer);

        await client.GetTokenAsync("aud");

        Assert.Equal(0, Volatile.Read(ref calls));
    }
}
