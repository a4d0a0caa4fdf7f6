using OidcToken.Aws.Tests.Support;

namespace OidcToken.Aws.Tests.Exchange;

public sealed class SecretTests
{
    [Fact]
    public async Task The_result_reveals_secrets_only_through_Reveal_methods()
    {
        using var harness = new AwsHarness();

        var result = await GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None);
        var text = result.ToString();

        Assert.DoesNotContain(result.RevealSecretAccessKey(), text, StringComparison.Ordinal);
        Assert.DoesNotContain(result.RevealSessionToken(), text, StringComparison.Ordinal);
        Assert.DoesNotContain(result.AccessKeyId, text, StringComparison.Ordinal);
        Assert.Contains("[redacted]", text, StringComparison.Ordinal);
        Assert.Contains("assumed-role/github-actions/GitHubActions", text, StringComparison.Ordinal);
        Assert.DoesNotContain(
            typeof(AwsSessionCredentials).GetProperties(),
            p => p.Name.Contains("Secret", StringComparison.Ordinal) || p.Name.Contains("SessionToken", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("AccessDenied", 403)]
    [InlineData("IDPCommunicationError", 400)]
    [InlineData("InternalFailure", 500)]
    public async Task The_GitHub_token_never_appears_in_messages_even_when_STS_echoes_it(string code, int status)
    {
        using var harness = new AwsHarness();
        var token = harness.Issuer.IssueToken("sts.amazonaws.com");
        harness.Sts.FailNextRequests(5, Testing.MockAwsSts.Error(code, status, "Token " + token + " rejected; tail " + token[^40..]));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() =>
            GitHubAwsCredentials.AssumeRoleAsync(IdTokenSources.FromToken(token), harness.Options(), CancellationToken.None));

        Assert.True(ex.ErrorCode is OidcTokenErrorCode.ExchangeRefused or OidcTokenErrorCode.ExchangeFailed);
        foreach (var text in new[] { ex.Message, ex.ToString() })
        {
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(token[^40..], text, StringComparison.Ordinal);
            Assert.DoesNotContain("eyJ", text, StringComparison.Ordinal);
        }

        Assert.Contains("[redacted]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sub 'repo:octo-org/octo-repo:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_mock_request_log_holds_no_token()
    {
        using var harness = new AwsHarness();
        var token = harness.Issuer.IssueToken("sts.amazonaws.com");

        await GitHubAwsCredentials.AssumeRoleAsync(IdTokenSources.FromToken(token), harness.Options(), CancellationToken.None);

        var request = Assert.Single(harness.Sts.Requests);
        foreach (var property in typeof(OidcToken.Testing.MockStsRequest).GetProperties())
        {
            Assert.NotEqual(token, property.GetValue(request) as string);
        }
    }
}
