using OidcToken.Testing;
using OidcToken.Validation.Tests.KeySources;

namespace OidcToken.Validation.Tests.ClientHook;

public sealed class ClientVerifierTests
{
    private static GitHubOidcClient Client(MockGitHubOidcIssuer issuer, IdTokenVerifier verifier)
    {
        var environment = issuer.GetEnvironment();
        return new GitHubOidcClient(new GitHubOidcClientOptions
        {
            Verifier = verifier,
            EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
        });
    }

    [Fact]
    public async Task Matching_policy_passes()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer));
        using var verifier = new GitHubOidcTokenVerifier(validator);
        var client = Client(issuer, verifier);

        var token = await client.GetTokenAsync(MockIssuerKit.Audience, CancellationToken.None);

        Assert.Equal(MockIssuerKit.Audience, token.Audience);
        Assert.Equal("456789", token.UnverifiedClaims.RepositoryId);
    }

    [Fact]
    public async Task Mismatching_policy_throws_token_verification_failed()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        var options = MockIssuerKit.Options(issuer);
        options.Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId("1").Build();
        using var validator = new GitHubOidcTokenValidator(options);
        using var verifier = new GitHubOidcTokenVerifier(validator);
        var client = Client(issuer, verifier);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync(MockIssuerKit.Audience, CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.TokenVerificationFailed, error.ErrorCode);
        Assert.Contains("repository_id was '456789', expected '1'", error.Message, StringComparison.Ordinal);
        Assert.Equal(6, error.ExitCode);
    }

    [Fact]
    public async Task Jwks_down_throws_verification_keys_unavailable()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        issuer.FailNextRequests(100, MockHttpTargetFault.Status(503).ForRequestsTo(new Uri(issuer.BaseAddress, ".well-known/jwks")));
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer));
        using var verifier = new GitHubOidcTokenVerifier(validator);
        var client = Client(issuer, verifier);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync(MockIssuerKit.Audience, CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.VerificationKeysUnavailable, error.ErrorCode);
        Assert.Contains("HTTP 503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForRunner_takes_the_issuer_from_GITHUB_SERVER_URL()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { IssuerKind = MockIssuerKind.EnterpriseServer });
        var environment = issuer.GetEnvironment();
        Assert.Equal(issuer.BaseAddress.GetLeftPart(UriPartial.Authority), environment["GITHUB_SERVER_URL"]);
        using var verifier = GitHubOidcTokenVerifier.ForRunner(MockIssuerKit.Audience, MockIssuerKit.Policy, name => environment.TryGetValue(name, out var v) ? v : null);
        var client = Client(issuer, verifier);

        var token = await client.GetTokenAsync(MockIssuerKit.Audience, CancellationToken.None);

        Assert.Equal(issuer.Issuer, token.UnverifiedClaims.Issuer);
    }

    [Fact]
    public void ForRunner_refuses_a_default_audience_and_a_bad_server_url()
    {
        Assert.ThrowsAny<ArgumentException>(() => GitHubOidcTokenVerifier.ForRunner("https://github.com/octo-org", MockIssuerKit.Policy, _ => null));
        Assert.ThrowsAny<ArgumentException>(() => GitHubOidcTokenVerifier.ForRunner(MockIssuerKit.Audience, MockIssuerKit.Policy, _ => "not a url"));
        using var verifier = GitHubOidcTokenVerifier.ForRunner(MockIssuerKit.Audience, MockIssuerKit.Policy, _ => null);
    }
}
