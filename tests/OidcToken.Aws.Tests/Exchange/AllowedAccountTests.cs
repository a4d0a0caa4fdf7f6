using OidcToken.Aws.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Aws.Tests.Exchange;

/// <summary><see cref="GitHubAwsCredentialsOptions.AllowedAccountIds"/>: GetCallerIdentity with the new credentials, then allow or refuse.</summary>
public sealed class AllowedAccountTests
{
    [Fact]
    public async Task An_allowed_account_is_taken_from_GetCallerIdentity()
    {
        using var harness = new AwsHarness(new MockAwsStsOptions { AccountId = "210987654321" });

        var result = await GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(o => o.AllowedAccountIds.Add("210987654321")));

        Assert.Equal("210987654321", result.AccountId);
        Assert.Equal(["AssumeRoleWithWebIdentity", "GetCallerIdentity"], harness.Sts.Requests.Select(r => r.Action));
        Assert.Equal(200, harness.Sts.Requests[1].StatusCode);
    }

    [Fact]
    public async Task Without_the_option_the_account_comes_from_the_assumed_role_ARN_and_no_call_is_made()
    {
        using var harness = new AwsHarness();

        var result = await GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options());

        Assert.Equal("123456789012", result.AccountId);
        Assert.Equal(1, harness.Sts.RequestCount);
    }

    [Fact]
    public async Task Another_account_is_refused_naming_it_and_the_allowed_ones()
    {
        using var harness = new AwsHarness(new MockAwsStsOptions { AccountId = "210987654321" });
        var options = harness.Options(o =>
        {
            o.AllowedAccountIds.Add("123456789012");
            o.AllowedAccountIds.Add("111122223333");
        });

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(harness.Source, options));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("assumed in AWS account 210987654321, which is not one of the allowed accounts (123456789012, 111122223333)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("add it to GitHubAwsCredentialsOptions.AllowedAccountIds", ex.Message, StringComparison.Ordinal);
        Assert.Equal("AllowedAccountIds", ex.Setting);
    }

    [Fact]
    public async Task A_refresh_checks_the_account_too()
    {
        using var harness = new AwsHarness(new MockAwsStsOptions { AccountId = "210987654321" });
        using var credentials = new GitHubAwsCredentials(harness.Source, harness.Options(o => o.AllowedAccountIds.Add("123456789012")));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(credentials.GetCredentialsAsync);

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
    }

    [Theory]
    [InlineData("12345678901")]
    [InlineData("1234567890123")]
    [InlineData("12345678901a")]
    [InlineData("")]
    public void An_account_id_that_is_not_12_digits_is_an_argument_error(string account)
    {
        var options = new GitHubAwsCredentialsOptions { RoleArn = AwsHarness.RoleArn, Region = "us-east-1" };
        options.AllowedAccountIds.Add(account);

        var ex = Assert.Throws<ArgumentException>(() => new GitHubAwsCredentials((_, _) => ValueTask.FromResult("x"), options));

        Assert.Equal("AllowedAccountIds", ex.ParamName);
        Assert.Contains("12 digits", ex.Message, StringComparison.Ordinal);
    }
}
