using OidcToken.Aws.Tests.Support;

namespace OidcToken.Aws.Tests.Exchange;

public sealed class ValidationTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("github-actions")]
    [InlineData("arn:aws:iam::12345:role/github-actions")]
    [InlineData("arn:aws:iam::123456789012:user/someone")]
    [InlineData("arn:aws:sts::123456789012:role/github-actions")]
    [InlineData("arn:aws:iam::123456789012:role/has space")]
    [InlineData("arn:aws:iam::123456789012:role/github-actions\n")]
    public async Task A_bad_role_ARN_is_refused_before_anything_is_sent(string? roleArn)
    {
        using var harness = new AwsHarness();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(o => o.RoleArn = roleArn), CancellationToken.None));

        Assert.Contains("RoleArn", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, harness.Issuer.TokenRequestCount);
        Assert.Equal(0, harness.Sts.RequestCount);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/github-actions")]
    [InlineData("arn:aws:iam::123456789012:role/path/to/deploy+role=x,y.z@w-1")]
    [InlineData("arn:aws-cn:iam::123456789012:role/github-actions")]
    [InlineData("arn:aws-us-gov:iam::123456789012:role/github-actions")]
    public void Role_ARNs_of_every_partition_are_accepted(string roleArn)
    {
        using var credentials = new GitHubAwsCredentials((_, _) => ValueTask.FromResult("x"), new GitHubAwsCredentialsOptions { RoleArn = roleArn });
        Assert.NotNull(credentials);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("slash/name")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    [InlineData("")]
    public void A_bad_session_name_is_refused(string sessionName)
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(o => o.SessionName = sessionName));
        Assert.Contains("SessionName", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 to 64", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(899)]
    [InlineData(43201)]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_duration_outside_900_to_43200_seconds_is_refused(int seconds)
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(o => o.Duration = TimeSpan.FromSeconds(seconds)));
        Assert.Contains("900 s", ex.Message, StringComparison.Ordinal);
        Assert.Contains("43200 s", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(900)]
    [InlineData(43200)]
    public void The_duration_bounds_are_accepted(int seconds)
    {
        using var credentials = Create(o => o.Duration = TimeSpan.FromSeconds(seconds));
        Assert.NotNull(credentials);
    }

    [Theory]
    [InlineData("http://sts.example.com/")]
    [InlineData("http://10.0.0.1:4566/")]
    [InlineData("http://localhost.example.com/")]
    public void Plain_http_to_a_host_that_is_not_loopback_is_refused(string endpoint)
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(o => o.Endpoint = new Uri(endpoint)));
        Assert.Contains("loopback", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("https://user:pass@sts.example.com/")]
    [InlineData("https://sts.example.com/?x=1")]
    public void Other_unusable_endpoints_are_refused(string endpoint)
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(o => o.Endpoint = new Uri(endpoint)));
        Assert.Contains("STS endpoint", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pass@", ex.Message.Replace("user:pass@", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://sts.eu-west-1.amazonaws.com/")]
    [InlineData("http://127.0.0.1:4566/")]
    [InlineData("http://localhost:4566/")]
    [InlineData("http://[::1]:4566/")]
    public void Https_and_loopback_http_endpoints_are_accepted(string endpoint)
    {
        using var credentials = Create(o => o.Endpoint = new Uri(endpoint));
        Assert.NotNull(credentials);
    }

    [Fact]
    public void Policies_are_checked()
    {
        Assert.Contains("not valid JSON", Assert.Throws<ArgumentException>(() => Create(o => o.Policy = "{not json")).Message, StringComparison.Ordinal);
        Assert.Contains("JSON object", Assert.Throws<ArgumentException>(() => Create(o => o.Policy = "[]")).Message, StringComparison.Ordinal);
        Assert.Contains("2048", Assert.Throws<ArgumentException>(() => Create(o => o.Policy = "{\"a\":\"" + new string('x', 2100) + "\"}")).Message, StringComparison.Ordinal);
        Assert.Contains("at most 10", Assert.Throws<ArgumentException>(() => Create(o =>
        {
            for (var i = 0; i < 11; i++)
            {
                o.PolicyArns.Add("arn:aws:iam::aws:policy/P" + i);
            }
        })).Message, StringComparison.Ordinal);
        Assert.Contains("policy ARN", Assert.Throws<ArgumentException>(() => Create(o => o.PolicyArns.Add("ReadOnlyAccess"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Region_attempts_deadline_and_audience_are_checked()
    {
        Assert.Contains("Region", Assert.Throws<ArgumentException>(() => Create(o => o.Region = "EU")).Message, StringComparison.Ordinal);
        Assert.Contains("MaxAttempts", Assert.Throws<ArgumentException>(() => Create(o => o.MaxAttempts = 0)).Message, StringComparison.Ordinal);
        Assert.Contains("MaxAttempts", Assert.Throws<ArgumentException>(() => Create(o => o.MaxAttempts = 11)).Message, StringComparison.Ordinal);
        Assert.Contains("Deadline", Assert.Throws<ArgumentException>(() => Create(o => o.Deadline = TimeSpan.Zero)).Message, StringComparison.Ordinal);
        Assert.Contains("Audience", Assert.Throws<ArgumentException>(() => Create(o => o.Audience = " sts.amazonaws.com")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => new GitHubAwsCredentials(null!, new GitHubAwsCredentialsOptions()));
        Assert.Throws<ArgumentNullException>(() => new GitHubAwsCredentials((_, _) => ValueTask.FromResult("x"), null!));
    }

    [Fact]
    public void Defaults_match_configure_aws_credentials()
    {
        var options = new GitHubAwsCredentialsOptions();
        Assert.Equal("GitHubActions", options.SessionName);
        Assert.Equal("sts.amazonaws.com", options.Audience);
        Assert.Equal(TimeSpan.FromHours(1), options.Duration);
        Assert.Null(options.Endpoint);
        Assert.Equal(3, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Deadline);
    }

    private static GitHubAwsCredentials Create(Action<GitHubAwsCredentialsOptions> configure)
    {
        var options = new GitHubAwsCredentialsOptions { RoleArn = AwsHarness.RoleArn, Region = "us-east-1" };
        configure(options);
        return new GitHubAwsCredentials((_, _) => ValueTask.FromResult("x"), options);
    }
}
