using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.Extensions.Time.Testing;
using OidcToken.Azure.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Azure.Tests.Credential;

public sealed class GitHubActionsCredentialTests
{
    private const string Storage = "https://storage.azure.com/.default";
    private const string MockSubject = "repo:octo-org/octo-repo:ref:refs/heads/main";

    [Fact]
    public async Task Success_ReturnsAnAccessTokenEntraAccepts_WithOneFreshGitHubToken()
    {
        using var harness = new AzureHarness();
        var credential = harness.Credential();

        var token = await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None);

        Assert.True(harness.Entra.IsValidAccessToken(token.Token, Storage));
        Assert.True(token.ExpiresOn > DateTimeOffset.FromUnixTimeSeconds(0));
        Assert.Equal(1, harness.Issuer.TokenRequestCount);
        Assert.Equal("api://AzureADTokenExchange", harness.Issuer.TokenRequests[0].Audience);
        var request = Assert.Single(harness.Entra.Requests);
        Assert.Equal(200, request.StatusCode);
        Assert.Equal("client_credentials", request.GrantType);
        Assert.Equal(MockEntraId.JwtBearerAssertionType, request.ClientAssertionType);
        Assert.Equal(harness.Entra.ClientId, request.ClientId);
        Assert.Equal(harness.Entra.TenantId, request.Tenant);
        Assert.Equal(Storage, request.Scope);
        Assert.Equal("api://AzureADTokenExchange", request.AssertionAudience);
        Assert.Equal(MockSubject, request.AssertionSubject);
        Assert.Equal(0, harness.Entra.UnexpectedRequestCount);
        Assert.Equal(0, harness.Entra.InstanceDiscoveryRequestCount);
    }

    [Fact]
    public async Task Success_WithInstanceDiscoveryOn_MsalAsksForInstanceMetadataFirst_AndTheMockAnswers()
    {
        using var harness = new AzureHarness();
        var credential = harness.Credential(options => options.DisableInstanceDiscovery = false);

        var token = await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None);

        Assert.True(harness.Entra.IsValidAccessToken(token.Token));
        Assert.Equal(1, harness.Entra.InstanceDiscoveryRequestCount);
        Assert.Empty(harness.Entra.UnexpectedRequests);
    }

    [Fact]
    public void SyncGetToken_Works()
    {
        using var harness = new AzureHarness();
        var token = harness.Credential().GetToken(new TokenRequestContext([Storage]), CancellationToken.None);
        Assert.True(harness.Entra.IsValidAccessToken(token.Token, Storage));
    }

    [Fact]
    public async Task SecondCall_IsServedFromMsalCache_WithoutAnotherGitHubToken()
    {
        using var harness = new AzureHarness();
        var credential = harness.Credential();

        var first = await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None);
        var second = await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None);

        Assert.Equal(first.Token, second.Token);
        Assert.Equal(1, harness.Issuer.TokenRequestCount);
        Assert.Equal(1, harness.Entra.RequestCount);
    }

    [Fact]
    public async Task Refresh_WhenTheAccessTokenIsAboutToExpire_UsesAFreshGitHubToken()
    {
        // MSAL treats a token expiring within 5 minutes as expired, so a 60-second token forces a new request.
        using var harness = new AzureHarness(new MockEntraIdOptions { AccessTokenLifetime = TimeSpan.FromSeconds(60) });
        var credential = harness.Credential();

        var first = await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None);
        var second = await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None);

        Assert.NotEqual(first.Token, second.Token);
        Assert.Equal(2, harness.Issuer.TokenRequestCount);
        Assert.Equal(2, harness.Entra.RequestCount);
        var ids = harness.Entra.Requests.Select(r => r.AssertionId).ToList();
        Assert.All(ids, Assert.NotNull);
        Assert.Equal(2, ids.Distinct().Count());
    }

    public static TheoryData<string, int, string> Refusals() => new()
    {
        { "subject", 700213, "has the token's subject" },
        { "subject-case", 7002138, "only when case is ignored" },
        { "audience", 700212, "has the token's audience" },
        { "issuer", 700211, "has the token's issuer" },
        { "tenant", 90002, "does not exist in the cloud" },
        { "client", 700016, "No application with client id" },
        { "injected-70021", 70021, "may not be active yet" },
        { "expired", 700024, "synchronise this machine's clock" },
        { "conditional-access", 53003, "Conditional Access" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task EntraRefusal_IsAnAuthenticationFailedException_WithCodeClaimsAndFix_AndNotRetried(string scenario, int aadsts, string fix)
    {
        using var harness = CreateRefusing(scenario, out var configure);
        var credential = harness.Credential(configure);

        var ex = await Assert.ThrowsAsync<AuthenticationFailedException>(
            async () => await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None));

        Assert.IsNotType<CredentialUnavailableException>(ex);
        var inner = Assert.IsType<OidcTokenException>(ex.InnerException);
        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, inner.ErrorCode);
        Assert.Equal(7, inner.ExitCode);
        Assert.Equal(ex.Message, inner.Message);
        Assert.Contains("AADSTS" + aadsts, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft Entra ID refused the GitHub token", ex.Message, StringComparison.Ordinal);
        Assert.Contains(fix, ex.Message, StringComparison.Ordinal);
        Assert.Contains("the token had sub '" + MockSubject + "', aud 'api://AzureADTokenExchange', repository 'octo-org/octo-repo', ref 'refs/heads/main'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, inner.Attempts);
        Assert.Equal(1, harness.Entra.RequestCount);
        Assert.Equal(1, harness.Issuer.TokenRequestCount);
        SecretAssert.NotIn(ex, harness);
    }

    [Fact]
    public async Task OneShot_EntraRefusal_ThrowsExchangeRefusedDirectly()
    {
        using var harness = new AzureHarness(new MockEntraIdOptions { ExpectedSubject = "repo:octo-org/octo-repo:environment:prod" });

        var ex = await Assert.ThrowsAsync<OidcTokenException>(
            () => GitHubActionsCredential.GetTokenAsync(harness.Source, harness.Options(), [Storage], CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Equal(400, ex.StatusCode);
        Assert.NotNull(ex.RequestId);
        Assert.Contains("AADSTS700213", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sub '" + MockSubject + "'", ex.Message, StringComparison.Ordinal);
        Assert.IsType<AuthenticationFailedException>(ex.InnerException);
        SecretAssert.NotIn(ex, harness);
    }

    [Fact]
    public async Task OneShot_Success_RevealsTheTokenOnlyThroughRevealToken()
    {
        using var harness = new AzureHarness();

        var result = await GitHubActionsCredential.GetTokenAsync(
            IdTokenSources.FromClient(new GitHubOidcClient(new GitHubOidcClientOptions
            {
                EnvironmentVariables = name => harness.Issuer.GetEnvironment().TryGetValue(name, out var v) ? v : null,
                MaskTokens = false,
            })),
            harness.Options(),
            [Storage],
            CancellationToken.None);

        Assert.True(harness.Entra.IsValidAccessToken(result.RevealToken(), Storage));
        Assert.Equal("Bearer", result.TokenType);
        Assert.Equal([Storage], result.Scopes);
        Assert.Equal(harness.Entra.TenantId, result.TenantId);
        Assert.Equal(harness.Entra.ClientId, result.ClientId);
        Assert.DoesNotContain(result.RevealToken(), result.ToString(), StringComparison.Ordinal);
        Assert.Contains("[redacted]", result.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(typeof(AzureAccessToken).GetProperties(), p => p.PropertyType == typeof(string) && (string?)p.GetValue(result) == result.RevealToken());
    }

    [Fact]
    public async Task OutsideGitHubActions_ThrowsCredentialUnavailable_WithTheDiagnosis_AndSendsNothing()
    {
        using var harness = new AzureHarness();
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = _ => null, MaskTokens = false });
        var credential = harness.Credential(options => options.TokenSource = IdTokenSources.FromClient(client));

        var ex = await Assert.ThrowsAsync<CredentialUnavailableException>(
            async () => await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None));

        var inner = Assert.IsType<OidcTokenException>(ex.InnerException);
        // Outside Actions the story is NotInGitHubActions, in a container or not.
        Assert.Equal(OidcTokenErrorCode.NotInGitHubActions, inner.ErrorCode);
        Assert.Equal(3, inner.ExitCode);
        Assert.Equal(inner.Message, ex.Message);
        Assert.Equal(0, harness.Entra.RequestCount);
    }

    [Fact]
    public async Task OneShot_OutsideGitHubActions_ThrowsTheSourcesOwnCode()
    {
        using var harness = new AzureHarness();
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = _ => null, MaskTokens = false });

        var ex = await Assert.ThrowsAsync<OidcTokenException>(
            () => GitHubActionsCredential.GetTokenAsync(IdTokenSources.FromClient(client), harness.Options(), [Storage], CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.NotInGitHubActions, ex.ErrorCode);
        Assert.Equal(3, ex.ExitCode);
    }

    [Fact]
    public async Task InsideChainedTokenCredential_OutsideActions_FallsThroughToTheNextCredential()
    {
        using var harness = new AzureHarness();
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = _ => null, MaskTokens = false });
        var github = harness.Credential(options => options.TokenSource = IdTokenSources.FromClient(client));
        var fallback = new StaticCredential("fallback-token");
        var chain = new ChainedTokenCredential(github, fallback);

        var token = await chain.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None);

        Assert.Equal("fallback-token", token.Token);
        Assert.Equal(1, fallback.Calls);
    }

    [Fact]
    public async Task InsideChainedTokenCredential_EntraRefusal_StopsTheChain()
    {
        using var harness = new AzureHarness(new MockEntraIdOptions { ExpectedAudience = "api://other" });
        var fallback = new StaticCredential("fallback-token");
        var chain = new ChainedTokenCredential(harness.Credential(), fallback);

        var ex = await Assert.ThrowsAsync<AuthenticationFailedException>(
            async () => await chain.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None));

        Assert.Contains("AADSTS700212", ex.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, fallback.Calls);
    }

    [Fact]
    public async Task GitHubSideRefusal_IsAnAuthenticationFailedException_WithTheSourcesCode()
    {
        using var harness = new AzureHarness();
        harness.Issuer.FailNextRequests(1, MockHttpTargetFault.Status(401));
        var credential = harness.Credential();

        var ex = await Assert.ThrowsAsync<AuthenticationFailedException>(
            async () => await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None));

        Assert.IsNotType<CredentialUnavailableException>(ex);
        var inner = Assert.IsType<OidcTokenException>(ex.InnerException);
        Assert.Equal(OidcTokenErrorCode.RequestTokenRejected, inner.ErrorCode);
        Assert.Equal(0, harness.Entra.RequestCount);
        SecretAssert.NotIn(ex, harness);
    }

    public static TheoryData<int, int> TransientFaults() => new()
    {
        { 90033, 400 },
        { 90006, 400 },
        { 90024, 400 },
        { 90090, 400 },
        { 50000, 429 },
        { 50000, 503 },
        { 0, 0 },
    };

    [Theory]
    [MemberData(nameof(TransientFaults))]
    public async Task Transient_IsRetried_WithAFreshGitHubTokenForEachAttempt(int aadsts, int status)
    {
        using var harness = new AzureHarness();
        harness.Entra.FailNextRequests(1, MockEntraId.Error(aadsts, status));
        var credential = harness.Credential();

        var token = await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None);

        Assert.True(harness.Entra.IsValidAccessToken(token.Token));
        var requests = harness.Entra.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(200, requests[^1].StatusCode);
        Assert.Equal(2, harness.Issuer.TokenRequestCount);
        Assert.Equal(2, requests.Select(r => r.AssertionId).Distinct().Count());
    }

    [Theory]
    [InlineData(90033, 400)]
    [InlineData(50000, 503)]
    [InlineData(0, 0)]
    public async Task Transient_IsBounded_AndEndsAsExchangeFailed(int aadsts, int status)
    {
        using var harness = new AzureHarness();
        harness.Entra.FailNextRequests(20, MockEntraId.Error(aadsts, status));
        var credential = harness.Credential();

        var ex = await Assert.ThrowsAsync<AuthenticationFailedException>(
            async () => await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None));

        var inner = Assert.IsType<OidcTokenException>(ex.InnerException);
        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, inner.ErrorCode);
        Assert.Equal(4, inner.ExitCode);
        Assert.Equal(3, inner.Attempts);
        Assert.Equal(3, harness.Issuer.TokenRequestCount);
        Assert.Equal(3, harness.Entra.RequestCount);
        Assert.Contains("attempts: 3", ex.Message, StringComparison.Ordinal);
        SecretAssert.NotIn(ex, harness);
    }

    [Fact]
    public async Task Transient_MaxRetriesZero_MakesOneAttempt()
    {
        using var harness = new AzureHarness();
        harness.Entra.FailNextRequests(5, MockEntraId.Error(90033, 503));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(
            () => GitHubActionsCredential.GetTokenAsync(harness.Source, harness.Options(o => o.Retry.MaxRetries = 0), [Storage], CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(1, harness.Entra.RequestCount);
    }

    [Fact]
    public async Task UnusableAnswer_IsExchangeResponseInvalid()
    {
        using var harness = new AzureHarness();
        using var http = new HttpClient(new FixedHandler(200, "<html>sign in</html>", "text/html"));
        var options = harness.Options(o => o.Transport = new HttpClientTransport(http));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(
            () => GitHubActionsCredential.GetTokenAsync(harness.Source, options, [Storage], CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
        Assert.Equal(5, ex.ExitCode);
        SecretAssert.NotIn(ex, harness);
    }

    [Fact]
    public async Task Redirect_IsNotFollowed()
    {
        using var harness = new AzureHarness();
        var handler = new FixedHandler(302, string.Empty, "text/plain", new Uri("https://attacker.example/steal"));
        using var http = new HttpClient(handler);
        var options = harness.Options(o => o.Transport = new HttpClientTransport(http));

        await Assert.ThrowsAsync<OidcTokenException>(
            () => GitHubActionsCredential.GetTokenAsync(harness.Source, options, [Storage], CancellationToken.None));

        Assert.DoesNotContain(handler.Hosts, host => host == "attacker.example");
    }

    [Fact]
    public async Task Cancellation_PassesThroughUnwrapped()
    {
        using var harness = new AzureHarness();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await harness.Credential().GetTokenAsync(new TokenRequestContext([Storage]), cts.Token));
    }

    private static AzureHarness CreateRefusing(string scenario, out Action<GitHubActionsCredentialOptions>? configure)
    {
        configure = null;
        switch (scenario)
        {
            case "subject":
                return new AzureHarness(new MockEntraIdOptions { ExpectedSubject = "repo:octo-org/octo-repo:environment:prod" });
            case "subject-case":
                return new AzureHarness(new MockEntraIdOptions { ExpectedSubject = "repo:Octo-Org/octo-repo:ref:refs/heads/main" });
            case "audience":
                return new AzureHarness(new MockEntraIdOptions { ExpectedAudience = "api://AzureADTokenExchangeUSGov" });
            case "issuer":
                return new AzureHarness(new MockEntraIdOptions { ExpectedIssuer = "https://token.actions.githubusercontent.com/" });
            case "tenant":
                configure = o => o.TenantId = "contoso.onmicrosoft.com";
                return new AzureHarness();
            case "client":
                configure = o => o.ClientId = "11111111-2222-3333-4444-555555555555";
                return new AzureHarness();
            case "expired":
                var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow().AddHours(1));
                return new AzureHarness(new MockEntraIdOptions { TimeProvider = clock });
            case "conditional-access":
                var blocked = new AzureHarness();
                blocked.Entra.FailNextRequests(1, MockEntraId.Error(53003, 400));
                return blocked;
            default:
                var harness = new AzureHarness();
                harness.Entra.FailNextRequests(1, MockEntraId.Error(70021, 400));
                return harness;
        }
    }

    private sealed class StaticCredential(string token) : TokenCredential
    {
        public int Calls { get; private set; }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Calls++;
            return new AccessToken(token, DateTimeOffset.MaxValue);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private sealed class FixedHandler(int status, string body, string mediaType, Uri? location = null) : HttpMessageHandler
    {
        public List<string> Hosts { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Hosts)
            {
                Hosts.Add(request.RequestUri!.Host);
            }

            var response = new HttpResponseMessage((System.Net.HttpStatusCode)status)
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, mediaType),
                RequestMessage = request,
            };
            if (location is not null)
            {
                response.Headers.Location = location;
            }

            return Task.FromResult(response);
        }
    }
}
