using OidcToken.Testing;

namespace OidcToken.Google.Tests;

public sealed class GitHubGoogleCredentialTests
{
    [Fact]
    public async Task Direct_federation_gets_a_federated_token_through_the_sdk()
    {
        using var fixture = new GoogleFixture();
        var token = await GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration());

        Assert.StartsWith("ya29.mock-", token.RevealToken(), StringComparison.Ordinal);
        Assert.Null(token.ServiceAccount);
        Assert.NotNull(token.ExpiresAt);
        Assert.Equal(1, fixture.Issuer.TokenRequestCount);
        var sts = Assert.Single(fixture.Google.Requests);
        Assert.Equal(MockGoogleEndpoint.Sts, sts.Endpoint);
        Assert.Equal("form", sts.BodyFormat);
        Assert.Equal("//iam.googleapis.com/" + GoogleFixture.Provider, sts.StsAudience);
        Assert.Equal("https://iam.googleapis.com/" + GoogleFixture.Provider, sts.SubjectTokenAudience);
        Assert.Equal(GitHubGoogleCredential.CloudPlatformScope, sts.Scope);
        Assert.False(sts.HasAuthorization);
        Assert.Equal(200, sts.StatusCode);
        Assert.True(fixture.Issuer.TokenRequests[0].HadValidBearer);
        Assert.Equal("https://iam.googleapis.com/" + GoogleFixture.Provider, fixture.Issuer.TokenRequests[0].Audience);
    }

    [Fact]
    public async Task Impersonation_calls_iam_credentials_with_the_federated_token()
    {
        using var fixture = new GoogleFixture();
        var token = await GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration(GoogleFixture.ServiceAccountEmail));

        Assert.StartsWith("ya29.mock-", token.RevealToken(), StringComparison.Ordinal);
        Assert.Equal(GoogleFixture.ServiceAccountEmail, token.ServiceAccount);
        Assert.Equal(1, fixture.Google.StsRequestCount);
        Assert.Equal(1, fixture.Google.ImpersonationRequestCount);
        var iam = fixture.Google.Requests.Single(r => r.Endpoint == MockGoogleEndpoint.GenerateAccessToken);
        Assert.True(iam.HadValidBearer);
        Assert.Equal(GoogleFixture.ServiceAccountEmail, iam.ServiceAccount);
        Assert.Equal(200, iam.StatusCode);
        Assert.DoesNotContain(token.RevealToken(), token.ToString(), StringComparison.Ordinal);
    }
}
