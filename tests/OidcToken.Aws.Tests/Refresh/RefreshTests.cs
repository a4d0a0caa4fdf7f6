using OidcToken.Aws.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Aws.Tests.Refresh;

public sealed class RefreshTests
{
    [Fact]
    public async Task Credentials_inside_the_preempt_window_are_refreshed_with_a_fresh_GitHub_token()
    {
        // The SDK judges expiry by the system clock, so the mock hands out credentials that live 2 minutes: already inside
        // the 5-minute preempt window, not yet expired. The next GetCredentials starts a refresh in the background.
        using var harness = new AwsHarness(new MockAwsStsOptions { CredentialLifetime = TimeSpan.FromMinutes(2) });
        using var credentials = new GitHubAwsCredentials(harness.Source, harness.Options());
        Assert.Equal(GitHubAwsCredentials.DefaultPreemptExpiryTime, credentials.PreemptExpiryTime);

        var first = await credentials.GetCredentialsAsync();
        Assert.Equal(1, harness.Issuer.TokenRequestCount);
        Assert.Equal(1, harness.Sts.RequestCount);

        var second = await credentials.GetCredentialsAsync();
        Assert.Equal(first.AccessKey, second.AccessKey); // still valid: served while the refresh runs
        await WaitUntil(() => harness.Sts.RequestCount == 2);

        Assert.Equal(2, harness.Issuer.TokenRequestCount);
        await WaitUntil(() => credentials.GetCredentials().AccessKey != first.AccessKey);
    }

    [Fact]
    public async Task Credentials_outside_the_preempt_window_are_reused()
    {
        using var harness = new AwsHarness();
        using var credentials = new GitHubAwsCredentials(harness.Source, harness.Options());

        var first = await credentials.GetCredentialsAsync();
        var second = await credentials.GetCredentialsAsync();
        var third = credentials.GetCredentials();

        Assert.Equal(first.AccessKey, second.AccessKey);
        Assert.Equal(first.AccessKey, third.AccessKey);
        Assert.Equal(1, harness.Issuer.TokenRequestCount);
        Assert.Equal(1, harness.Sts.RequestCount);
        Assert.NotNull(credentials.Expiration);
    }

    [Fact]
    public void The_synchronous_path_assumes_the_role_too()
    {
        using var harness = new AwsHarness();
        using var credentials = new GitHubAwsCredentials(harness.Source, harness.Options());

        var immutable = credentials.GetCredentials();

        Assert.StartsWith("ASIA", immutable.AccessKey, StringComparison.Ordinal);
        Assert.True(immutable.UseToken);
        Assert.Equal(1, harness.Sts.RequestCount);
    }

    [Fact]
    public async Task Nothing_is_requested_before_first_use()
    {
        using var harness = new AwsHarness();
        using var credentials = new GitHubAwsCredentials(harness.Source, harness.Options());

        await Task.Yield();

        Assert.Equal(0, harness.Issuer.TokenRequestCount);
        Assert.Equal(0, harness.Sts.RequestCount);
    }

    [Fact]
    public async Task A_refusal_surfaces_from_GetCredentials_as_ExchangeRefused()
    {
        using var harness = new AwsHarness(new MockAwsStsOptions { SubjectPattern = "repo:someone-else/*" });
        using var credentials = new GitHubAwsCredentials(harness.Source, harness.Options());

        var ex = await Assert.ThrowsAsync<OidcTokenException>(credentials.GetCredentialsAsync);

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("AccessDenied", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Works_as_the_credentials_of_an_SDK_client()
    {
        // The credentials sign requests of another SDK client; here an STS client sending AssumeRoleWithWebIdentity to the
        // mock (the call itself is unsigned, but the SDK still resolves the credentials of the client first).
        using var harness = new AwsHarness();
        using var credentials = new GitHubAwsCredentials(harness.Source, harness.Options());
        using var client = new Amazon.SecurityToken.AmazonSecurityTokenServiceClient(
            credentials, new Amazon.SecurityToken.AmazonSecurityTokenServiceConfig { ServiceURL = harness.Sts.BaseAddress.AbsoluteUri, MaxErrorRetry = 0 });

        var response = await client.AssumeRoleWithWebIdentityAsync(new Amazon.SecurityToken.Model.AssumeRoleWithWebIdentityRequest
        {
            RoleArn = AwsHarness.RoleArn,
            RoleSessionName = "second-hop",
            WebIdentityToken = harness.Issuer.IssueToken("sts.amazonaws.com"),
        });

        Assert.NotNull(response.Credentials.AccessKeyId);
        Assert.Contains("second-hop", harness.Sts.RequestedSessionNames);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(deadline) < TimeSpan.FromSeconds(15), "condition not met within 15 s");
            await Task.Delay(20);
        }
    }
}
