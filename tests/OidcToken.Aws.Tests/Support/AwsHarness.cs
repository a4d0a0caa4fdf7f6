using OidcToken.Testing;

namespace OidcToken.Aws.Tests.Support;

/// <summary>A mock GitHub issuer and a mock STS on loopback, and a token source that asks the issuer for a fresh token each call.</summary>
internal sealed class AwsHarness : IDisposable
{
    public const string RoleArn = "arn:aws:iam::123456789012:role/github-actions";

    private readonly GitHubOidcClient _client;

    public AwsHarness(MockAwsStsOptions? stsOptions = null)
    {
        Issuer = MockGitHubOidcIssuer.Start();
        Sts = MockAwsSts.Start(stsOptions);
        var environment = Issuer.GetEnvironment();
        _client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
            MaskTokens = false,
        });
        Source = IdTokenSources.FromClient(_client);
    }

    public MockGitHubOidcIssuer Issuer { get; }

    public MockAwsSts Sts { get; }

    public IdTokenSource Source { get; }

    public GitHubAwsCredentialsOptions Options(Action<GitHubAwsCredentialsOptions>? configure = null)
    {
        var options = new GitHubAwsCredentialsOptions
        {
            RoleArn = RoleArn,
            Region = "us-east-1",
            Endpoint = Sts.BaseAddress,
            Deadline = TimeSpan.FromSeconds(30),
        };
        configure?.Invoke(options);
        return options;
    }

    public void Dispose()
    {
        _client.Dispose();
        Sts.Dispose();
        Issuer.Dispose();
    }
}
