using OidcToken.Exchange;
using OidcToken.Testing;

namespace OidcToken.Google.Tests;

/// <summary>A mock runner (GitHub's token endpoint) and a mock Google Cloud, wired through a credential configuration.</summary>
internal sealed class GoogleFixture : IDisposable
{
    public const string Provider = "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github-provider";
    public const string ServiceAccountEmail = "deployer@my-project.iam.gserviceaccount.com";

    public GoogleFixture(MockGoogleCloudOptions? options = null)
    {
        Issuer = MockGitHubOidcIssuer.Start();
        Google = MockGoogleCloud.Start(options);
        Environment = new Dictionary<string, string>(Issuer.GetEnvironment(), StringComparer.Ordinal);
    }

    public MockGitHubOidcIssuer Issuer { get; }

    public MockGoogleCloud Google { get; }

    public Dictionary<string, string> Environment { get; }

    public GoogleCredentialConfiguration Configuration(string? serviceAccount = null, string? audience = null) =>
        new(Provider)
        {
            ServiceAccount = serviceAccount,
            Audience = audience,
            TokenUrl = Google.TokenUrl,
            ImpersonationUrlBase = Google.ImpersonationUrlBase,
            EnvironmentVariables = name => Environment.TryGetValue(name, out var value) ? value : null,
        };

    public void Dispose()
    {
        Google.Dispose();
        Issuer.Dispose();
    }
}
