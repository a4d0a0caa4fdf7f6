using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using OidcToken.Aws.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Aws.Tests.Exchange;

/// <summary>
/// <c>GetCallerIdentity</c> against <see cref="MockAwsSts"/>, signed by the AWS SDK with the credentials the mock issued
/// (the first call a user makes to check credentials).
/// </summary>
public sealed class CallerIdentityTests
{
    [Fact]
    public async Task Credentials_from_the_mock_answer_with_their_assumed_role()
    {
        using var harness = new AwsHarness();
        using var credentials = new GitHubAwsCredentials(harness.Source, harness.Options());
        using var client = Client(credentials, harness);

        var identity = await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        var session = harness.Sts.Requests[0].RoleSessionName;
        Assert.False(string.IsNullOrEmpty(session));
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/github-actions/" + session, identity.Arn);
        Assert.Equal("123456789012", identity.Account);
        Assert.StartsWith("AROA", identity.UserId, StringComparison.Ordinal);
        Assert.EndsWith(":" + session, identity.UserId, StringComparison.Ordinal);
        var call = harness.Sts.Requests[^1];
        Assert.Equal("GetCallerIdentity", call.Action);
        Assert.Equal(200, call.StatusCode);
        Assert.True(call.HasAuthorization);
    }

    [Fact]
    public async Task The_account_override_is_the_callers_account()
    {
        using var harness = new AwsHarness(new MockAwsStsOptions { AccountId = "210987654321" });
        using var credentials = new GitHubAwsCredentials(harness.Source, harness.Options());
        using var client = Client(credentials, harness);

        var identity = await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal("210987654321", identity.Account);
        Assert.StartsWith("arn:aws:sts::210987654321:assumed-role/github-actions/", identity.Arn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_access_key_is_refused_as_InvalidClientTokenId()
    {
        using var harness = new AwsHarness();
        using var client = Client(new SessionAWSCredentials("ASIAUNKNOWNKEY000000", "not-a-secret-0000000000000000000000000000", "not-a-session-token"), harness);

        var ex = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("InvalidClientTokenId", ex.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Equal("InvalidClientTokenId", Assert.Single(harness.Sts.Requests).ErrorCode);
    }

    [Fact]
    public async Task Expired_credentials_are_refused_as_ExpiredToken()
    {
        var clock = new ShiftedClock();
        using var harness = new AwsHarness(new MockAwsStsOptions { TimeProvider = clock });
        using var credentials = new GitHubAwsCredentials(harness.Source, harness.Options());
        using var client = Client(credentials, harness);
        await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        clock.Offset = TimeSpan.FromHours(2);
        var ex = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("ExpiredToken", ex.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, ex.StatusCode);
    }

    private static AmazonSecurityTokenServiceClient Client(AWSCredentials credentials, AwsHarness harness) =>
        new(credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = harness.Sts.BaseAddress.AbsoluteUri, MaxErrorRetry = 0 });

    /// <summary>The system clock moved by <see cref="Offset"/>: the mock's view of time, not the SDK's.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }
}
