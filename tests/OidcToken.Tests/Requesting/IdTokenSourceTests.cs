using OidcToken.Claims;
using OidcToken.Testing;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Requesting;

public sealed class IdTokenSourceTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task FromClient_ReturnsAFreshTokenForTheAudienceEveryCall()
    {
        using var client = MockClientFactory.Create(_issuer);
        var source = IdTokenSources.FromClient(client);

        var first = await source("sts.amazonaws.com", CancellationToken.None);
        var second = await source("sts.amazonaws.com", CancellationToken.None);

        Assert.NotEqual(first, second);
        Assert.Equal(2, _issuer.TokenRequestCount);
        Assert.All(_issuer.TokenRequests, r => Assert.Equal("sts.amazonaws.com", r.Audience));
    }

    [Fact]
    public async Task FromToken_ReturnsTheGivenTokenTrimmed()
    {
        var token = _issuer.IssueToken("aud");
        var source = IdTokenSources.FromToken(token + "\n");

        Assert.Equal(token, await source("anything", CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    public void FromToken_Empty_IsACallerBug(string token) =>
        Assert.ThrowsAny<ArgumentException>(() => IdTokenSources.FromToken(token));

    [Fact]
    public void TrustPolicyClaims_DescribesTheClaimsATrustPolicyCompares()
    {
        var token = _issuer.IssueToken("sts.amazonaws.com");

        var text = TrustPolicyClaims.Describe(token);

        Assert.Equal(
            "the token had sub 'repo:octo-org/octo-repo:ref:refs/heads/main', aud 'sts.amazonaws.com', repository 'octo-org/octo-repo', ref 'refs/heads/main', job_workflow_ref 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main'",
            text);
        LeakAssert.NoSecret(text, token);
    }

    [Theory]
    [InlineData(null, "the token's claims are unknown")]
    [InlineData("not-a-jwt", "the token could not be decoded to show its claims")]
    public void TrustPolicyClaims_Undecodable_SaysSo(string? token, string expected) =>
        Assert.Equal(expected, TrustPolicyClaims.Describe(token));
}
