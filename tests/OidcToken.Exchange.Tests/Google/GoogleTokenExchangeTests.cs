using OidcToken.Testing;

namespace OidcToken.Exchange.Tests.Google;

public sealed class GoogleTokenExchangeTests : IDisposable
{
    private const string Provider = "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github-provider";
    private const string Account = "deployer@my-project.iam.gserviceaccount.com";

    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();
    private readonly MockGoogleCloud _google = MockGoogleCloud.Start();

    public void Dispose()
    {
        _google.Dispose();
        _issuer.Dispose();
    }

    private GoogleTokenExchangeOptions Options(string? account = null) => new()
    {
        Configuration = new GoogleCredentialConfiguration(Provider)
        {
            ServiceAccount = account,
            TokenUrl = _google.TokenUrl,
            ImpersonationUrlBase = _google.ImpersonationUrlBase,
        },
        RetryDelay = TimeSpan.Zero,
    };

    private IdTokenSource Source => (audience, _) => ValueTask.FromResult(_issuer.IssueToken(audience));

    [Fact]
    public void Executable_configuration_writes_the_command_and_its_timeout_and_no_request_token()
    {
        var configuration = new GoogleCredentialConfiguration(Provider)
        {
            EnvironmentVariables = _issuer.GetEnvironment().GetValueOrDefault,
            ExecutableCommand = "/usr/local/bin/oidc-token token --audience x --format gcp-executable",
            ExecutableTimeout = TimeSpan.FromSeconds(45),
        };

        var json = configuration.ToJson();

        Assert.Contains("\"credential_source\":{\"executable\":{\"command\":\"/usr/local/bin/oidc-token token --audience x --format gcp-executable\",\"timeout_millis\":45000}}", json, StringComparison.Ordinal);
        Assert.DoesNotContain(_issuer.RequestToken, json, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new GoogleCredentialConfiguration(Provider) { ExecutableCommand = "oidc-token token" }); // not absolute
        Assert.Throws<ArgumentOutOfRangeException>(() => new GoogleCredentialConfiguration(Provider) { ExecutableTimeout = TimeSpan.FromSeconds(4) });
    }

    [Fact]
    public async Task Direct_federation_returns_the_federated_token_and_its_expiry()
    {
        var token = await GoogleTokenExchange.GetTokenAsync(Source, Options());

        Assert.Equal(GoogleTokenFormat.AccessToken, token.Format);
        Assert.Null(token.ServiceAccount);
        Assert.StartsWith("ya29.mock-", token.Reveal(), StringComparison.Ordinal);
        Assert.InRange(token.ExpiresAt - TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        Assert.DoesNotContain(token.Reveal(), token.ToString(), StringComparison.Ordinal);
        Assert.Equal("form", Assert.Single(_google.Requests).BodyFormat);
    }

    [Fact]
    public async Task A_5xx_is_retried_with_the_same_GitHub_token_and_a_refusal_is_not()
    {
        _google.FailNextRequests(1, MockGoogleCloud.ApiError(503, "UNAVAILABLE", "The service is currently unavailable."));
        var token = await GoogleTokenExchange.GetTokenAsync(Source, Options(Account));
        Assert.Equal(Account, token.ServiceAccount);
        var sts = _google.Requests.Where(r => r.Endpoint == MockGoogleEndpoint.Sts).ToArray();
        Assert.Equal(2, sts.Length);
        Assert.Single(sts.Select(r => r.SubjectTokenId).Distinct());

        _google.ResetRequestLog();
        _google.FailNextRequests(1, MockGoogleCloud.StsError("invalid_grant", "The audience in ID Token [x] does not match the expected audience."));
        var refused = await Assert.ThrowsAsync<OidcTokenException>(() => GoogleTokenExchange.GetTokenAsync(Source, Options()));
        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, refused.ErrorCode);
        Assert.Contains("the GitHub token's aud is not one the provider accepts", refused.Message, StringComparison.Ordinal);
        Assert.Contains("the token had sub 'repo:octo-org/octo-repo:ref:refs/heads/main'", refused.Message, StringComparison.Ordinal);
        Assert.Single(_google.Requests);
    }

    [Fact]
    public async Task An_unusable_answer_is_ExchangeResponseInvalid()
    {
        _google.FailNextRequests(1, MockHttpTargetFault.Status(200, "{\"access_token\":\"x\"}", contentType: "application/json"));

        var failure = await Assert.ThrowsAsync<OidcTokenException>(() => GoogleTokenExchange.GetTokenAsync(Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, failure.ErrorCode);
        Assert.Contains("expires_in", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_that_need_a_service_account_are_refused_before_any_request()
    {
        var idToken = Options();
        idToken.TokenFormat = GoogleTokenFormat.IdToken;
        idToken.IdTokenAudience = "https://api.example.com";
        var lifetime = Options();
        lifetime.AccessTokenLifetime = TimeSpan.FromMinutes(10);

        await Assert.ThrowsAsync<ArgumentException>(() => GoogleTokenExchange.GetTokenAsync(Source, idToken));
        await Assert.ThrowsAsync<ArgumentException>(() => GoogleTokenExchange.GetTokenAsync(Source, lifetime));
        await Assert.ThrowsAsync<ArgumentException>(() => GoogleTokenExchange.GetTokenAsync(Source, new GoogleTokenExchangeOptions()));
        Assert.Empty(_google.Requests);
    }
}
