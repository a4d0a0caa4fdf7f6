using OidcToken.Aws.Tests.Support;

namespace OidcToken.Aws.Tests.Exchange;

/// <summary>
/// The SDK reads AWS_ENDPOINT_URL_STS from the process environment, which every test in this process shares. These tests
/// run in a collection that xunit runs alone, after the parallel ones, and restore the variables, so nothing leaks.
/// </summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

[Collection(nameof(ProcessEnvironment))]
public sealed class EnvironmentEndpointTests
{
    [Fact]
    public async Task Without_an_Endpoint_the_SDKs_AWS_ENDPOINT_URL_STS_is_honoured()
    {
        using var harness = new AwsHarness();
        using var variable = new EnvironmentVariable("AWS_ENDPOINT_URL_STS", harness.Sts.BaseAddress.AbsoluteUri);

        var result = await GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(o => o.Endpoint = null), CancellationToken.None);

        Assert.NotNull(result.AccessKeyId);
        Assert.Equal(1, harness.Sts.RequestCount);
    }

    [Fact]
    public void AWS_ENDPOINT_URL_STS_gets_the_loopback_rule_too()
    {
        using var variable = new EnvironmentVariable("AWS_ENDPOINT_URL_STS", "http://sts.example.com/");

        var ex = Assert.Throws<ArgumentException>(() =>
            new GitHubAwsCredentials((_, _) => ValueTask.FromResult("x"), new GitHubAwsCredentialsOptions { RoleArn = AwsHarness.RoleArn, Region = "us-east-1" }));

        Assert.Contains("AWS_ENDPOINT_URL_STS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("loopback", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Endpoint_option_wins_over_AWS_ENDPOINT_URL_STS()
    {
        using var harness = new AwsHarness();
        using var variable = new EnvironmentVariable("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/");

        var result = await GitHubAwsCredentials.AssumeRoleAsync(harness.Source, harness.Options(), CancellationToken.None);

        Assert.NotNull(result.AccessKeyId);
        Assert.Equal(1, harness.Sts.RequestCount);
    }

    private sealed class EnvironmentVariable : IDisposable
    {
        private readonly string _name;
        private readonly string? _previous;

        public EnvironmentVariable(string name, string value)
        {
            _name = name;
            _previous = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
    }
}
