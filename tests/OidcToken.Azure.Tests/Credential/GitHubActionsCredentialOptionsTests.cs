using Azure.Core;
using Azure.Identity;
using OidcToken.Azure.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Azure.Tests.Credential;

public sealed class GitHubActionsCredentialOptionsTests
{
    [Fact]
    public void Defaults_PublicCloudAudience_RunnerSource_BoundedRetries_NoPipelineRetry()
    {
        var options = new GitHubActionsCredentialOptions();

        Assert.Equal("api://AzureADTokenExchange", options.Audience);
        Assert.Same(IdTokenSources.Runner, options.TokenSource);
        Assert.Equal(2, options.Retry.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(15), options.Retry.NetworkTimeout);
        Assert.NotNull(options.RetryPolicy);
        Assert.NotNull(options.Transport);
    }

    public static TheoryData<string, string> SovereignClouds() => new()
    {
        { AzureAuthorityHosts.AzureGovernment.AbsoluteUri, "api://AzureADTokenExchangeUSGov" },
        { AzureAuthorityHosts.AzureChina.AbsoluteUri, "api://AzureADTokenExchangeChina" },
        { AzureAuthorityHosts.AzurePublicCloud.AbsoluteUri, "api://AzureADTokenExchange" },
    };

    [Theory]
    [MemberData(nameof(SovereignClouds))]
    public void Audience_DefaultsToTheCloudOfTheAuthorityHost(string authorityHost, string audience)
    {
        var options = new GitHubActionsCredentialOptions { AuthorityHost = new Uri(authorityHost) };
        Assert.Equal(audience, options.Audience);
        Assert.Equal(audience, GitHubActionsCredentialOptions.GetDefaultAudience(new Uri(authorityHost)));
    }

    [Fact]
    public void Audience_SetExplicitly_WinsOverTheCloudDefault()
    {
        var options = new GitHubActionsCredentialOptions { AuthorityHost = AzureAuthorityHosts.AzureGovernment, Audience = "api://custom" };
        Assert.Equal("api://custom", options.Audience);
        options.Audience = string.Empty;
        Assert.Equal("api://AzureADTokenExchangeUSGov", options.Audience);
    }

    [Theory]
    [MemberData(nameof(SovereignClouds))]
    public async Task SovereignCloud_RequestsTheCloudsAudience_FromTheCloudsHost(string authorityHost, string audience)
    {
        using var harness = new AzureHarness(new MockEntraIdOptions { AuthorityHost = new Uri(authorityHost), ExpectedAudience = audience });
        var credential = harness.Credential();

        var token = await credential.GetTokenAsync(new TokenRequestContext(["https://management.usgovcloudapi.net/.default"]), CancellationToken.None);

        Assert.True(harness.Entra.IsValidAccessToken(token.Token));
        Assert.Equal(audience, credential.Audience);
        Assert.Equal(audience, harness.Issuer.TokenRequests[0].Audience);
        Assert.Equal(audience, harness.Entra.Requests[0].AssertionAudience);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void TenantId_Missing_IsRefusedNamingTheOption(string? tenantId)
    {
        var ex = Assert.Throws<ArgumentException>(() => new GitHubActionsCredential(new GitHubActionsCredentialOptions { TenantId = tenantId, ClientId = "c" }));
        Assert.Contains("TenantId is required", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("contoso/../evil")]
    [InlineData("tenant id")]
    [InlineData("tenant?x=1")]
    [InlineData("tenant#frag")]
    [InlineData("tenänt")]
    [InlineData("evil.example:443")]
    public void TenantId_WithCharactersOutsideTheRule_IsRefusedNamingTheRule(string tenantId)
    {
        var ex = Assert.Throws<ArgumentException>(() => new GitHubActionsCredential(new GitHubActionsCredentialOptions { TenantId = tenantId, ClientId = "c" }));
        Assert.Contains("[A-Za-z0-9.-]+", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("72f988bf-86f1-41af-91ab-2d7cd011db47")]
    [InlineData("contoso.onmicrosoft.com")]
    public void TenantId_GuidOrDomain_IsAccepted(string tenantId)
    {
        var credential = new GitHubActionsCredential(new GitHubActionsCredentialOptions { TenantId = tenantId, ClientId = "c" });
        Assert.Equal(tenantId, credential.TenantId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void ClientId_Missing_IsRefusedNamingTheOption(string? clientId)
    {
        var ex = Assert.Throws<ArgumentException>(() => new GitHubActionsCredential(new GitHubActionsCredentialOptions { TenantId = "t", ClientId = clientId }));
        Assert.Contains("ClientId is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthorityHost_Http_IsRefusedByAzureIdentity()
    {
        Assert.Throws<ArgumentException>(() => new GitHubActionsCredentialOptions { AuthorityHost = new Uri("http://127.0.0.1:8080/") });
    }

    [Fact]
    public async Task OneShot_Scopes_AreValidated()
    {
        var options = new GitHubActionsCredentialOptions { TenantId = "t", ClientId = "c" };
        await Assert.ThrowsAsync<ArgumentException>(() => GitHubActionsCredential.GetTokenAsync(IdTokenSources.FromToken("x.y.z"), options, [], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => GitHubActionsCredential.GetTokenAsync(IdTokenSources.FromToken("x.y.z"), options, [" "], CancellationToken.None));
    }
}
