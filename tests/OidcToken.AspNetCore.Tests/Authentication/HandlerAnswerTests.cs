using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OidcToken.AspNetCore.Tests.Support;
using OidcToken.Testing;
using OidcToken.Validation;

namespace OidcToken.AspNetCore.Tests.Authentication;

/// <summary>What a service built on AddGitHubOidc answers, over real HTTP (RFC 6750).</summary>
public sealed class HandlerAnswerTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Valid_token_is_authenticated_and_its_claims_are_the_principal()
    {
        await using var host = await Kit.StartAsync(_issuer);
        using var response = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken(Kit.Audience));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var parts = body.Split('|');
        Assert.StartsWith("repo:", parts[0], StringComparison.Ordinal);
        Assert.Equal(Kit.RepositoryId, parts[1]);
        Assert.Equal(Kit.RepositoryId, parts[3]);
        Assert.Contains('/', parts[2]);
    }

    [Fact]
    public async Task No_token_is_401_with_a_bare_bearer_challenge_and_anonymous_endpoints_still_answer()
    {
        await using var host = await Kit.StartAsync(_issuer);
        using var response = await host.SendAsync(HttpMethod.Get, "/whoami", bearer: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        using var open = await host.SendAsync(HttpMethod.Get, "/public", bearer: null);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(0, _issuer.JwksRequestCount);
    }

    [Fact]
    public async Task Refused_token_is_401_invalid_token_with_the_client_safe_reason_and_the_full_message_only_in_the_log()
    {
        await using var host = await Kit.StartAsync(_issuer);
        var token = _issuer.IssueToken("https://other-service.example");
        using var response = await host.SendAsync(HttpMethod.Get, "/whoami", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate).ToString();
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"the token's audience is not accepted\"", challenge);
        var body = await response.Content.ReadAsStringAsync();

        // Neither the configured audience nor the token's nor the token itself reaches the caller.
        foreach (var secretish in new[] { Kit.Audience, "https://other-service.example", token, Kit.RepositoryId })
        {
            Assert.DoesNotContain(secretish, challenge + body, StringComparison.Ordinal);
        }

        // The operator's log has the full story (and never the token).
        Assert.Contains(host.Logs.Lines, l => l.Contains("InvalidAudience", StringComparison.Ordinal) && l.Contains(Kit.Audience, StringComparison.Ordinal));
        Assert.DoesNotContain(token, host.Logs.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer    ")]
    public async Task Other_authorization_headers_are_no_token(string header)
    {
        await using var host = await Kit.StartAsync(_issuer);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task Keys_unavailable_is_503_with_retry_after_and_the_token_is_not_judged()
    {
        await using var host = await Kit.StartAsync(_issuer, o => o.RetryAfter = TimeSpan.FromSeconds(7));
        _issuer.FailNextRequests(100, MockHttpTargetFault.Status(500).ForRequestsTo(new Uri(_issuer.Issuer + "/.well-known/openid-configuration")));
        using var response = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken(Kit.Audience));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Replayed_token_is_401_and_a_failing_replay_store_is_503_never_accepted()
    {
        var store = new SwitchableReplayStore();
        await using var host = await Kit.StartAsync(_issuer, o => o.ReplayStore = store);
        var token = _issuer.IssueToken(Kit.Audience);

        using (var first = await host.SendAsync(HttpMethod.Get, "/whoami", token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var again = await host.SendAsync(HttpMethod.Get, "/whoami", token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
            Assert.Contains("the token was already used", Assert.Single(again.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
        }

        store.Broken = true;
        using var down = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken(Kit.Audience));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.NotNull(down.Headers.RetryAfter);
    }

    [Fact]
    public async Task Endpoint_policy_refusal_is_403_and_a_token_that_meets_it_passes()
    {
        await using var host = await Kit.StartAsync(_issuer);
        using var staging = await host.SendAsync(HttpMethod.Post, "/deploy", _issuer.IssueToken(Kit.Audience, Kit.Claims(("environment", "staging"))));
        Assert.Equal(HttpStatusCode.Forbidden, staging.StatusCode);
        Assert.Contains(host.Logs.Lines, l => l.Contains("environment", StringComparison.Ordinal) && l.Contains("staging", StringComparison.Ordinal));

        using var production = await host.SendAsync(HttpMethod.Post, "/deploy", _issuer.IssueToken(Kit.Audience, Kit.Claims(("environment", "production"))));
        Assert.Equal(HttpStatusCode.OK, production.StatusCode);
        Assert.Equal("deploying production", await production.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Answers_are_problem_details_when_the_app_uses_them()
    {
        await using var host = await Kit.StartAsync(_issuer, services: b => b.Services.AddProblemDetails());
        using var refused = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken("https://other-service.example"));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(401, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("the token's audience is not accepted", json.RootElement.GetProperty("detail").GetString());

        using var forbidden = await host.SendAsync(HttpMethod.Post, "/deploy", _issuer.IssueToken(Kit.Audience));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task One_validator_serves_every_request_so_keys_are_fetched_once()
    {
        await using var host = await Kit.StartAsync(_issuer);
        for (var i = 0; i < 5; i++)
        {
            using var response = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken(Kit.Audience));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, _issuer.JwksRequestCount);
    }

    /// <summary>A replay store that remembers ids, or throws like an unreachable shared store.</summary>
    private sealed class SwitchableReplayStore : IJtiReplayStore
    {
        private readonly InMemoryJtiReplayStore _inner = new();

        public bool Broken { get; set; }

        public ValueTask<bool> TryAddAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            Broken ? throw new TimeoutException("the store did not answer") : _inner.TryAddAsync(issuer, jti, expiresAt, cancellationToken);
    }
}
