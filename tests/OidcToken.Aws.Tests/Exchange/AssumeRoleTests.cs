using OidcToken.Aws.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Aws.Tests.Exchange;

public sealed class AssumeRoleTests
{
    private const string SubjectPrefix = "sub 'repo:octo-org/octo-repo:";

    [Fact]
    public async Task Success_returns_usable_credentials_and_what_STS_said()
    {
        using var harness = new AwsHarness();

        var result = await GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None);

        Assert.StartsWith("ASIA", result.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal(40, result.RevealSecretAccessKey().Length);
        Assert.False(string.IsNullOrEmpty(result.RevealSessionToken()));
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/github-actions/GitHubActions", result.AssumedRoleArn);
        Assert.EndsWith(":GitHubActions", result.AssumedRoleId, StringComparison.Ordinal);
        Assert.StartsWith("repo:octo-org/octo-repo:", result.SubjectFromWebIdentityToken, StringComparison.Ordinal);
        Assert.Equal("sts.amazonaws.com", result.Audience);
        Assert.Equal("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", result.Provider);
        var lifetime = result.Expiration - TimeProvider.System.GetUtcNow();
        Assert.InRange(lifetime, TimeSpan.FromMinutes(58), TimeSpan.FromMinutes(61));

        var immutable = await result.ToAwsCredentials().GetCredentialsAsync();
        Assert.Equal(result.AccessKeyId, immutable.AccessKey);
        Assert.Equal(result.RevealSecretAccessKey(), immutable.SecretKey);
        Assert.Equal(result.RevealSessionToken(), immutable.Token);

        var request = Assert.Single(harness.Sts.Requests);
        Assert.Equal("AssumeRoleWithWebIdentity", request.Action);
        Assert.Equal(AwsHarness.RoleArn, request.RoleArn);
        Assert.Equal("GitHubActions", request.RoleSessionName);
        Assert.Equal(3600, request.DurationSeconds);
        Assert.True(request.HadWebIdentityToken);
        Assert.Equal("sts.amazonaws.com", request.TokenAudience);
        Assert.Equal("sts.amazonaws.com", Assert.Single(harness.Issuer.TokenRequests).Audience);
    }

    [Fact]
    public async Task Session_name_duration_and_policies_are_sent()
    {
        using var harness = new AwsHarness(new MockAwsStsOptions { MaxSessionDuration = TimeSpan.FromHours(2) });
        const string policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:ListAllMyBuckets\",\"Resource\":\"*\"}]}";

        var result = await GitHubAwsCredentials.AssumeRoleAsync(
            harness.Source,
            harness.Options(o =>
            {
                o.SessionName = "deploy-42";
                o.Duration = TimeSpan.FromMinutes(90);
                o.Policy = policy;
                o.PolicyArns.Add("arn:aws:iam::aws:policy/ReadOnlyAccess");
                o.PolicyArns.Add("arn:aws:iam::123456789012:policy/team/limits");
            }),
            CancellationToken.None);

        var request = Assert.Single(harness.Sts.Requests);
        Assert.Equal("deploy-42", request.RoleSessionName);
        Assert.Equal(5400, request.DurationSeconds);
        Assert.Equal(policy, request.Policy);
        Assert.Equal(["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/team/limits"], request.PolicyArns);
        Assert.EndsWith("/deploy-42", result.AssumedRoleArn, StringComparison.Ordinal);
        Assert.Equal(["deploy-42"], harness.Sts.RequestedSessionNames);
        Assert.Equal([AwsHarness.RoleArn], harness.Sts.RequestedRoleArns);
    }

    [Fact]
    public async Task A_custom_audience_is_requested_from_GitHub()
    {
        var sts = new MockAwsStsOptions();
        sts.AllowedAudiences.Add("sts.amazonaws.com.cn");
        using var harness = new AwsHarness(sts);

        var result = await GitHubAwsCredentials.AssumeRoleAsync(
            harness.Source, harness.Options(o => (o.Audience, o.Region) = ("sts.amazonaws.com.cn", "cn-northwest-1")), CancellationToken.None);

        Assert.Equal("sts.amazonaws.com.cn", result.Audience);
        Assert.Equal("sts.amazonaws.com.cn", Assert.Single(harness.Issuer.TokenRequests).Audience);
    }

    [Theory]
    [InlineData("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity", "token.actions.githubusercontent.com:sub")]
    [InlineData("IDPRejectedClaim", 403, "The identity provider rejected a claim of the token.", "identity provider rejected")]
    [InlineData("InvalidIdentityToken", 400, "Incorrect token audience", "client-id list")]
    [InlineData("MalformedPolicyDocument", 400, "The policy is not in the valid JSON format.", "GitHubAwsCredentialsOptions.Policy")]
    [InlineData("PackedPolicyTooLarge", 400, "Packed policy consumes 112% of allotted space", "fewer managed policy ARNs")]
    [InlineData("RegionDisabledException", 403, "STS is not activated in this region for account.", "activate it in the IAM console")]
    [InlineData("ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", "maximum session duration")]
    public async Task Each_STS_refusal_is_ExchangeRefused_with_code_message_claims_and_fix_and_is_not_retried(string code, int status, string awsMessage, string fix)
    {
        using var harness = new AwsHarness();
        harness.Sts.FailNextRequests(1, MockAwsSts.Error(code, status, awsMessage));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Equal(7, ex.ExitCode);
        Assert.Contains("(" + code + ": " + awsMessage + ")", ex.Message, StringComparison.Ordinal);
        Assert.Contains(SubjectPrefix, ex.Message, StringComparison.Ordinal);
        Assert.Contains("aud 'sts.amazonaws.com'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("repository 'octo-org/octo-repo'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("job_workflow_ref", ex.Message, StringComparison.Ordinal);
        Assert.Contains(AwsHarness.RoleArn, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", ex.Message, StringComparison.Ordinal);
        Assert.Contains(fix, ex.Message, StringComparison.Ordinal);
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(1, ex.Attempts);
        Assert.NotNull(ex.RequestId);
        Assert.Equal(1, harness.Sts.RequestCount);
        Assert.Equal(1, harness.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task A_trust_policy_that_does_not_match_sub_is_AccessDenied_with_the_immutable_sub_hint()
    {
        using var harness = new AwsHarness(new MockAwsStsOptions { SubjectPattern = "repo:octo-org@123456/octo-repo@456789:*" });

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity", ex.Message, StringComparison.Ordinal);
        Assert.Contains("repo:OWNER@OWNER_ID/REPO@REPO_ID", ex.Message, StringComparison.Ordinal);
        Assert.Contains(SubjectPrefix, ex.Message, StringComparison.Ordinal);
        Assert.Equal(403, ex.StatusCode);
        Assert.Equal("AccessDenied", Assert.Single(harness.Sts.Requests).ErrorCode);
    }

    [Fact]
    public async Task A_matching_trust_policy_pattern_is_accepted()
    {
        using var harness = new AwsHarness(new MockAwsStsOptions { SubjectPattern = "repo:octo-org/octo-repo:*" });

        var result = await GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None);

        Assert.NotNull(result.AccessKeyId);
    }

    [Fact]
    public async Task An_audience_the_provider_does_not_list_is_InvalidIdentityToken()
    {
        using var harness = new AwsHarness();

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() =>
            GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(o => o.Audience = "my-sts"), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("InvalidIdentityToken: Incorrect token audience", ex.Message, StringComparison.Ordinal);
        Assert.Contains("aud 'my-sts'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("client-id list", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_from_an_unexpected_issuer_is_InvalidIdentityToken()
    {
        using var harness = new AwsHarness(new MockAwsStsOptions { ExpectedIssuer = "https://token.actions.githubusercontent.com" });

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("No OpenIDConnect provider found in your account for http://127.0.0.1:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duration_over_the_roles_maximum_is_ValidationError_from_STS()
    {
        using var harness = new AwsHarness();

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() =>
            GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(o => o.Duration = TimeSpan.FromHours(2)), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(7200)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_SDK_error_types_are_mapped_by_code_not_only_by_class()
    {
        // IDPCommunicationError arrives as the SDK's IDPCommunicationErrorException; it must be retried, then reported as failed.
        using var harness = new AwsHarness();
        harness.Sts.FailNextRequests(3, MockAwsSts.Error("IDPCommunicationError"));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(4, ex.ExitCode);
        Assert.Contains("IDPCommunicationError: Couldn't retrieve verification key", ex.Message, StringComparison.Ordinal);
        Assert.Contains(SubjectPrefix, ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, ex.Attempts);
        Assert.Equal(3, harness.Sts.RequestCount);
        Assert.Equal(3, harness.Issuer.TokenRequestCount);
    }

    [Theory]
    [InlineData("IDPCommunicationError", 400)]
    [InlineData("Throttling", 400)]
    [InlineData("InternalFailure", 500)]
    [InlineData("", 503)]
    [InlineData("InvalidIdentityToken", 400, "Couldn't retrieve verification key from your identity provider")]
    public async Task Temporary_errors_are_retried_with_a_fresh_GitHub_token_each_time(string code, int status, string? message = null)
    {
        using var harness = new AwsHarness();
        harness.Sts.FailNextRequests(2, MockAwsSts.Error(code, status, message));

        var result = await GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None);

        Assert.NotNull(result.AccessKeyId);
        Assert.Equal(3, harness.Sts.RequestCount);
        Assert.Equal(3, harness.Issuer.TokenRequestCount);
        Assert.All(harness.Issuer.TokenRequests, r => Assert.Equal("sts.amazonaws.com", r.Audience));
    }

    [Fact]
    public async Task Retries_are_bounded_by_MaxAttempts()
    {
        using var harness = new AwsHarness();
        harness.Sts.FailNextRequests(10, MockAwsSts.Error("Throttling", 400, "Rate exceeded"));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() =>
            GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(o => o.MaxAttempts = 2), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Contains("Throttling: Rate exceeded", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, ex.Attempts);
        Assert.Equal(2, harness.Sts.RequestCount);
        Assert.Equal(2, harness.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task ExpiredToken_is_retried_once_with_a_fresh_token()
    {
        using var harness = new AwsHarness();
        harness.Sts.FailNextRequests(1, MockAwsSts.Error("ExpiredTokenException"));

        var result = await GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(o => o.MaxAttempts = 1), CancellationToken.None);

        Assert.NotNull(result.AccessKeyId);
        Assert.Equal(2, harness.Sts.RequestCount);
        Assert.Equal(2, harness.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task ExpiredToken_twice_is_refused_without_a_third_attempt()
    {
        using var harness = new AwsHarness();
        harness.Sts.FailNextRequests(5, MockAwsSts.Error("ExpiredTokenException"));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("ExpiredTokenException", ex.Message, StringComparison.Ordinal);
        Assert.Contains("clock", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, ex.Attempts);
        Assert.Equal(2, harness.Sts.RequestCount);
    }

    [Fact]
    public async Task A_malformed_answer_is_ExchangeResponseInvalid_and_not_retried()
    {
        using var harness = new AwsHarness();
        harness.Sts.FailNextRequests(1, MockHttpTargetFault.Html());

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
        Assert.Equal(5, ex.ExitCode);
        Assert.Contains("Fix:", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, harness.Sts.RequestCount);
    }

    [Fact]
    public async Task An_error_status_without_an_STS_ErrorResponse_is_ExchangeResponseInvalid()
    {
        using var harness = new AwsHarness();
        harness.Sts.FailNextRequests(1, MockAwsSts.Error(null, 404));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
        Assert.Contains("404", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, harness.Sts.RequestCount);
    }

    [Fact]
    public async Task An_answer_over_64_KiB_is_ExchangeResponseInvalid()
    {
        using var harness = new AwsHarness();
        harness.Sts.FailNextRequests(1, MockAwsSts.Error("AccessDenied", 403, new string('x', 70 * 1024)));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
        Assert.Contains("64 KiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_nor_retried()
    {
        using var harness = new AwsHarness();
        harness.Sts.FailNextRequests(1, MockAwsSts.Error(null, 307));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Contains("redirect", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, harness.Sts.RequestCount);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_ExchangeFailed_after_bounded_attempts_each_with_a_fresh_token()
    {
        using var harness = new AwsHarness();
        var closed = FreeLoopbackPort();

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() =>
            GitHubAwsCredentials.AssumeRoleAsync(
                harness.Source,
                harness.Options(o => (o.Endpoint, o.MaxAttempts) = (new Uri($"http://127.0.0.1:{closed}/"), 2)),
                CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Contains("Could not get an answer from AWS STS at 127.0.0.1:", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, ex.Attempts);
        Assert.Equal(2, harness.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Cancellation_passes_through_unwrapped()
    {
        using var harness = new AwsHarness();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), cancelled.Token));
        Assert.Equal(0, harness.Sts.RequestCount);
    }

    [Fact]
    public async Task A_failing_token_source_passes_its_own_error_through()
    {
        using var harness = new AwsHarness();
        harness.Issuer.FailNextRequests(20, MockHttpTargetFault.Status(401));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.RequestTokenRejected, ex.ErrorCode);
        Assert.Equal(0, harness.Sts.RequestCount);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
