using Google.Apis.Auth.OAuth2;
using OidcToken.Testing;
using Xunit.Abstractions;

namespace OidcToken.Google.Tests;

public sealed class GoogleErrorTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Refresh_fetches_a_fresh_github_token_when_the_access_token_expires()
    {
        var options = new MockGoogleCloudOptions { FederatedTokenLifetime = TimeSpan.FromSeconds(30) };
        using var fixture = new GoogleFixture(options);
        var credential = GitHubGoogleCredential.Create(fixture.Configuration());
        ITokenAccess access = credential;

        var first = await access.GetAccessTokenForRequestAsync();
        var second = await access.GetAccessTokenForRequestAsync();

        Assert.NotEqual(first, second);
        Assert.Equal(2, fixture.Issuer.TokenRequestCount);
        Assert.Equal(2, fixture.Google.StsRequestCount);
    }

    [Fact]
    public async Task A_long_lived_token_is_reused_without_asking_github_again()
    {
        using var fixture = new GoogleFixture();
        ITokenAccess access = GitHubGoogleCredential.Create(fixture.Configuration());

        var first = await access.GetAccessTokenForRequestAsync();
        var second = await access.GetAccessTokenForRequestAsync();

        Assert.Equal(first, second);
        Assert.Equal(1, fixture.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Refresh_with_impersonation_fetches_a_fresh_github_token()
    {
        var options = new MockGoogleCloudOptions
        {
            FederatedTokenLifetime = TimeSpan.FromSeconds(30),
            MaxImpersonatedTokenLifetime = TimeSpan.FromSeconds(30),
        };
        using var fixture = new GoogleFixture(options);
        ITokenAccess access = GitHubGoogleCredential.Create(fixture.Configuration(GoogleFixture.ServiceAccountEmail));

        var first = await access.GetAccessTokenForRequestAsync();
        var second = await access.GetAccessTokenForRequestAsync();

        Assert.NotEqual(first, second);
        Assert.Equal(2, fixture.Google.ImpersonationRequestCount);
        Assert.Equal(2, fixture.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Attribute_condition_refusal_is_exchange_refused_with_googles_text_and_the_claims()
    {
        var options = new MockGoogleCloudOptions { AttributeCondition = claims => claims.GetValueOrDefault("repository_id") == "1" };
        using var fixture = new GoogleFixture(options);

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration()));
        output.WriteLine(ex.Message);

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Equal(400, ex.StatusCode);
        Assert.Contains("unauthorized_client", ex.Message, StringComparison.Ordinal);
        Assert.Contains("The given credential is rejected by the attribute condition.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sub 'repo:octo-org/octo-repo:ref:refs/heads/main'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", ex.Message, StringComparison.Ordinal);
        AssertNoSecrets(fixture, ex);
    }

    [Fact]
    public async Task Wrong_github_audience_is_refused_with_the_audience_fix()
    {
        using var fixture = new GoogleFixture();

        var ex = await Assert.ThrowsAsync<OidcTokenException>(
            () => GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration(audience: "my-custom-audience")));
        output.WriteLine(ex.Message);

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("invalid_grant", ex.Message, StringComparison.Ordinal);
        Assert.Contains("aud 'my-custom-audience'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("https://iam.googleapis.com/" + GoogleFixture.Provider, ex.Message, StringComparison.Ordinal);
        AssertNoSecrets(fixture, ex);
    }

    [Fact]
    public async Task Unknown_provider_is_refused_as_invalid_target()
    {
        var options = new MockGoogleCloudOptions
        {
            WorkloadIdentityProvider = "projects/999/locations/global/workloadIdentityPools/other-pool/providers/other-provider",
        };
        using var fixture = new GoogleFixture(options);

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration()));
        output.WriteLine(ex.Message);

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("invalid_target", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_sts_audience_error_explains_the_two_audiences()
    {
        using var fixture = new GoogleFixture();
        fixture.Google.FailNextRequests(1, MockGoogleCloud.StsError(
            "invalid_request",
            "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider.").ForRequestsTo(fixture.Google.TokenUrl));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration()));
        output.WriteLine(ex.Message);

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("//iam.googleapis.com/projects/<project NUMBER>", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, fixture.Google.StsRequestCount);
    }

    [Fact]
    public async Task Impersonation_permission_denied_is_refused_with_the_binding_fix()
    {
        var options = new MockGoogleCloudOptions();
        options.ServiceAccounts.Add("someone-else@my-project.iam.gserviceaccount.com");
        using var fixture = new GoogleFixture(options);

        var ex = await Assert.ThrowsAsync<OidcTokenException>(
            () => GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration(GoogleFixture.ServiceAccountEmail)));
        output.WriteLine(ex.ToString());

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("IAM Credentials", ex.Message, StringComparison.Ordinal);
        Assert.Contains("roles/iam.workloadIdentityUser", ex.Message, StringComparison.Ordinal);
        AssertNoSecrets(fixture, ex);
    }

    [Fact]
    public async Task Sts_5xx_is_exchange_failed()
    {
        using var fixture = new GoogleFixture();
        fixture.Google.FailNextRequests(10, MockGoogleCloud.ApiError(503, "UNAVAILABLE", "The service is currently unavailable.").ForRequestsTo(fixture.Google.TokenUrl));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration()));
        output.WriteLine(ex.Message + " attempts at STS: " + fixture.Google.StsRequestCount);

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.InRange(fixture.Google.StsRequestCount, 1, 5);
        AssertNoSecrets(fixture, ex);
    }

    [Fact]
    public async Task Sts_redirect_is_not_followed()
    {
        using var fixture = new GoogleFixture();
        using var elsewhere = MockGoogleCloud.Start();
        fixture.Google.FailNextRequests(5, MockHttpTargetFault.Redirect(elsewhere.TokenUrl).ForRequestsTo(fixture.Google.TokenUrl));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration()));
        output.WriteLine(ex.ErrorCode + ": " + ex.Message);

        Assert.Equal(0, elsewhere.StsRequestCount);
    }

    [Fact]
    public async Task Unusable_sts_answer_is_response_invalid()
    {
        using var fixture = new GoogleFixture();
        fixture.Google.FailNextRequests(1, MockHttpTargetFault.Status(200, "{\"kind\":\"unexpected\"}").ForRequestsTo(fixture.Google.TokenUrl));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration()));
        output.WriteLine(ex.ErrorCode + ": " + ex.Message);

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
    }

    [Fact]
    public async Task A_refused_github_token_request_reports_the_runner_problem()
    {
        using var fixture = new GoogleFixture();
        fixture.Issuer.FailNextRequests(1, MockGitHubOidcIssuer.JobCompleted());
        fixture.Issuer.FailNextRequests(5, MockGitHubOidcIssuer.JobCompleted());

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration()));
        output.WriteLine(ex.ErrorCode + ": " + ex.Message);

        Assert.Equal(OidcTokenErrorCode.JobNotRunning, ex.ErrorCode);
        Assert.Equal(0, fixture.Google.StsRequestCount);
        AssertNoSecrets(fixture, ex);
    }

    [Fact]
    public async Task Cancellation_passes_through()
    {
        using var fixture = new GoogleFixture();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration(), cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Missing_runner_variables_fail_with_the_core_diagnosis()
    {
        var configuration = new OidcToken.Exchange.GoogleCredentialConfiguration(GoogleFixture.Provider)
        {
            EnvironmentVariables = name => name == "GITHUB_ACTIONS" ? "true" : null,
        };

        var ex = Assert.Throws<OidcTokenException>(() => GitHubGoogleCredential.Create(configuration));

        Assert.Equal(OidcTokenErrorCode.PermissionMissing, ex.ErrorCode);
    }

    private static void AssertNoSecrets(GoogleFixture fixture, OidcTokenException ex)
    {
        var text = ex.ToString();
        Assert.DoesNotContain(fixture.Issuer.RequestToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ya29.", text, StringComparison.Ordinal);
    }
}
