using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.Claims;

public sealed class ClaimShapeTests
{
    private const string FixtureC = "github-id-token-2026-04-22_marchenko1985-github_oidc_token_demo.jwt";

    private static string RealToken => File.ReadAllText(RepoPaths.Fixture(FixtureC)).Trim();

    [Fact]
    public async Task Claims_have_exactly_the_names_order_and_json_kinds_of_a_real_2026_token()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { EventName = "workflow_dispatch" });
        using var client = new IssuerClient(issuer);

        var mock = Jwt.Shape(Jwt.Payload(await client.GetTokenAsync("demo")));
        var real = Jwt.Shape(Jwt.Payload(RealToken));

        Assert.Equal(real, mock);
    }

    [Fact]
    public void Header_has_the_members_of_a_real_2026_token()
    {
        using var issuer = MockGitHubOidcIssuer.Start();

        var mock = Jwt.Header(issuer.IssueToken());
        var real = Jwt.Header(RealToken);

        Assert.Equal(Jwt.Shape(real), Jwt.Shape(mock));
        Assert.Equal("RS256", mock.GetProperty("alg").GetString());
        Assert.Equal("JWT", mock.GetProperty("typ").GetString());
        Assert.True(Guid.TryParse(mock.GetProperty("kid").GetString(), out _));
        Assert.Equal(issuer.CurrentKeyId, mock.GetProperty("kid").GetString());
    }

    [Fact]
    public void Environment_claim_appears_only_when_set_and_is_a_string()
    {
        using var without = MockGitHubOidcIssuer.Start();
        using var with = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { Environment = "production" });

        Assert.False(Jwt.Payload(without.IssueToken()).TryGetProperty("environment", out _));
        var environment = Jwt.Payload(with.IssueToken()).GetProperty("environment");
        Assert.Equal(JsonValueKind.String, environment.ValueKind);
        Assert.Equal("production", environment.GetString());
    }

    [Fact]
    public void Default_claims_describe_the_configured_job()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions
        {
            Owner = "acme",
            Repository = "rockets",
            OwnerId = "42",
            RepositoryId = "4242",
            Sha = "f76f93421331e77d1cc43080eee4ef7905fccd25",
            WorkflowFile = "deploy.yml",
            Visibility = "private",
            Actor = "wile",
        });

        var claims = Jwt.Payload(issuer.IssueToken("aud"));

        Assert.Equal(issuer.Issuer, claims.GetProperty("iss").GetString());
        Assert.Equal("acme/rockets", claims.GetProperty("repository").GetString());
        Assert.Equal("acme", claims.GetProperty("repository_owner").GetString());
        Assert.Equal("42", claims.GetProperty("repository_owner_id").GetString());
        Assert.Equal("4242", claims.GetProperty("repository_id").GetString());
        Assert.Equal("refs/heads/main", claims.GetProperty("ref").GetString());
        Assert.Equal("branch", claims.GetProperty("ref_type").GetString());
        Assert.Equal("false", claims.GetProperty("ref_protected").GetString());
        Assert.Equal("acme/rockets/.github/workflows/deploy.yml@refs/heads/main", claims.GetProperty("workflow_ref").GetString());
        Assert.Equal("acme/rockets/.github/workflows/deploy.yml@refs/heads/main", claims.GetProperty("job_workflow_ref").GetString());
        Assert.Equal("f76f93421331e77d1cc43080eee4ef7905fccd25", claims.GetProperty("workflow_sha").GetString());
        Assert.Equal("f76f93421331e77d1cc43080eee4ef7905fccd25", claims.GetProperty("job_workflow_sha").GetString());
        Assert.Equal("private", claims.GetProperty("repository_visibility").GetString());
        Assert.Equal("github-hosted", claims.GetProperty("runner_environment").GetString());
        Assert.Equal("wile", claims.GetProperty("actor").GetString());
        Assert.Equal("push", claims.GetProperty("event_name").GetString());
        Assert.Equal(string.Empty, claims.GetProperty("head_ref").GetString());
        Assert.Equal(string.Empty, claims.GetProperty("base_ref").GetString());
        Assert.True(Guid.TryParse(claims.GetProperty("jti").GetString(), out _));
    }

    [Fact]
    public void Every_token_has_a_new_jti()
    {
        using var issuer = MockGitHubOidcIssuer.Start();

        var ids = Enumerable.Range(0, 20).Select(_ => Jwt.Payload(issuer.IssueToken()).GetProperty("jti").GetString()).ToHashSet();

        Assert.Equal(20, ids.Count);
    }

    [Fact]
    public void Additional_claims_add_and_override_strings()
    {
        var options = new MockGitHubOidcIssuerOptions();
        options.AdditionalClaims["enterprise"] = "octo-enterprise";
        options.AdditionalClaims["sub"] = "repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main";
        options.AdditionalClaims["jti"] = "fixed-jti";
        using var issuer = MockGitHubOidcIssuer.Start(options);

        var claims = Jwt.Payload(issuer.IssueToken());
        var overridden = Jwt.Payload(issuer.IssueToken(claimOverrides: new Dictionary<string, string> { ["ref_protected"] = "true", ["jti"] = "other" }));

        Assert.Equal("octo-enterprise", claims.GetProperty("enterprise").GetString());
        Assert.Equal("repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main", claims.GetProperty("sub").GetString());
        Assert.Equal("fixed-jti", claims.GetProperty("jti").GetString());
        Assert.Equal("true", overridden.GetProperty("ref_protected").GetString());
        Assert.Equal("other", overridden.GetProperty("jti").GetString());
        Assert.Equal("false", Jwt.Payload(issuer.IssueToken()).GetProperty("ref_protected").GetString());
    }

    [Fact]
    public void Times_come_from_the_time_provider_with_githubs_default_lifetimes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-04-22T07:54:53Z", System.Globalization.CultureInfo.InvariantCulture));
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { TimeProvider = clock });

        var first = Jwt.Payload(issuer.IssueToken());
        clock.Advance(TimeSpan.FromMinutes(10));
        var later = Jwt.Payload(issuer.IssueToken());

        Assert.Equal(1776844493, first.GetProperty("iat").GetInt64());
        Assert.Equal(1776844493 + 300, first.GetProperty("exp").GetInt64());
        Assert.Equal(1776844493 - 300, first.GetProperty("nbf").GetInt64());
        Assert.Equal(1776844493 + 600, later.GetProperty("iat").GetInt64());
        var real = Jwt.Payload(RealToken);
        Assert.Equal(real.GetProperty("exp").GetInt64() - real.GetProperty("iat").GetInt64(), first.GetProperty("exp").GetInt64() - first.GetProperty("iat").GetInt64());
        Assert.Equal(real.GetProperty("iat").GetInt64() - real.GetProperty("nbf").GetInt64(), first.GetProperty("iat").GetInt64() - first.GetProperty("nbf").GetInt64());
    }

    [Fact]
    public void Lifetimes_are_configurable()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_743_246_227));
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions
        {
            TimeProvider = clock,
            TokenLifetime = TimeSpan.FromHours(6),
            NotBeforeBackdate = TimeSpan.FromMinutes(10),
        });

        var claims = Jwt.Payload(issuer.IssueToken());

        Assert.Equal(21600, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
        Assert.Equal(600, claims.GetProperty("iat").GetInt64() - claims.GetProperty("nbf").GetInt64());
    }

    [Fact]
    public async Task Lifetime_validation_follows_the_fake_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-04-22T07:54:53Z", System.Globalization.CultureInfo.InvariantCulture));
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { TimeProvider = clock });
        using var client = new IssuerClient(issuer);
        var token = await client.GetTokenAsync("aud");

        Assert.True((await client.VerifyAsync(token, "aud", clock)).IsValid);
        clock.Advance(TimeSpan.FromSeconds(301));
        Assert.False((await client.VerifyAsync(token, "aud", clock)).IsValid);
    }
}
