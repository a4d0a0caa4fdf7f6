using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using OidcToken.AspNetCore.Tests.Support;
using OidcToken.Testing;
using OidcToken.Validation;

namespace OidcToken.AspNetCore.Tests.JwtBearer;

/// <summary>The bridge for apps on AddJwtBearer: the same validator, so the same answers as AddGitHubOidc.</summary>
public sealed class JwtBearerBridgeTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Bridge_accepts_a_valid_token_with_github_claim_names_and_typed_claims()
    {
        await using var host = await StartBridgeAsync(v =>
        {
            v.Issuer = _issuer.Issuer;
            v.Audiences.Add(Kit.Audience);
            v.Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId(Kit.RepositoryId).Build();
        });
        using var response = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken(Kit.Audience));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parts = (await response.Content.ReadAsStringAsync()).Split('|');
        Assert.StartsWith("repo:", parts[0], StringComparison.Ordinal);
        Assert.Equal(Kit.RepositoryId, parts[1]);
        Assert.Equal(Kit.RepositoryId, parts[3]);
    }

    [Fact]
    public async Task Bridge_answers_refusal_401_with_the_reason_policy_and_replay_applied_and_unavailable_keys_503()
    {
        var store = new InMemoryJtiReplayStore();
        await using var host = await StartBridgeAsync(v =>
        {
            v.Issuer = _issuer.Issuer;
            v.Audiences.Add(Kit.Audience);
            v.Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId(Kit.RepositoryId).Build();
            v.ReplayStore = store;
            v.RefreshInterval = TimeSpan.FromSeconds(1);
        });

        using (var wrongAudience = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken("https://other-service.example")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
            var challenge = Assert.Single(wrongAudience.Headers.WwwAuthenticate).ToString();
            Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
            Assert.Contains("error_description=\"the token's audience is not accepted\"", challenge, StringComparison.Ordinal);
            Assert.DoesNotContain(Kit.Audience, challenge, StringComparison.Ordinal);
        }

        using (var otherRepository = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken(Kit.Audience, Kit.Claims(("repository_id", "1")))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, otherRepository.StatusCode);
        }

        var token = _issuer.IssueToken(Kit.Audience);
        using (var first = await host.SendAsync(HttpMethod.Get, "/whoami", token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var replay = await host.SendAsync(HttpMethod.Get, "/whoami", token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        }

        // A key the validator has never seen, with the JWKS down: not judged, 503.
        _issuer.RotateSigningKey(keepPreviousKeyPublished: false);
        _issuer.FailNextRequests(100, MockHttpTargetFault.Status(500).ForRequestsTo(new Uri(_issuer.Issuer + "/.well-known/openid-configuration")));
        using var unavailable = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken(Kit.Audience));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.NotNull(unavailable.Headers.RetryAfter);
    }

    private Task<ServiceHost> StartBridgeAsync(Action<GitHubOidcValidationOptions> configure) =>
        ServiceHost.StartAsync(
            builder =>
            {
                builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o => o.UseGitHubOidc(configure));
                builder.Services.AddAuthorization();
            },
            Kit.MapEndpoints);
}
