using Azure.Core.Pipeline;
using OidcToken.Testing;

namespace OidcToken.Azure.Tests.Support;

/// <summary>A mock GitHub issuer, a mock Entra ID and a token source that records every GitHub token it hands out.</summary>
internal sealed class AzureHarness : IDisposable
{
    private readonly GitHubOidcClient _client;
    private readonly HttpClient _entraHttp;
    private readonly List<string> _issued = [];

    public AzureHarness(MockEntraIdOptions? entraOptions = null, MockGitHubOidcIssuerOptions? issuerOptions = null)
    {
        Issuer = MockGitHubOidcIssuer.Start(issuerOptions);
        Entra = new MockEntraId(entraOptions);
        var environment = Issuer.GetEnvironment();
        _client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
            MaskTokens = false,
            MaxAttempts = 1,
        });
        var inner = IdTokenSources.FromClient(_client);
        Source = async (audience, cancellationToken) =>
        {
            var token = await inner(audience, cancellationToken);
            lock (_issued)
            {
                _issued.Add(token);
            }

            return token;
        };
        _entraHttp = Entra.CreateHttpClient();
        Transport = new HttpClientTransport(_entraHttp);
    }

    public MockGitHubOidcIssuer Issuer { get; }

    public MockEntraId Entra { get; }

    public IdTokenSource Source { get; }

    public HttpPipelineTransport Transport { get; }

    /// <summary>Every GitHub token the source returned (to prove none appears in a message).</summary>
    public IReadOnlyList<string> IssuedTokens
    {
        get
        {
            lock (_issued)
            {
                return [.. _issued];
            }
        }
    }

    public GitHubActionsCredentialOptions Options(Action<GitHubActionsCredentialOptions>? configure = null)
    {
        var options = new GitHubActionsCredentialOptions
        {
            TenantId = Entra.TenantId,
            ClientId = Entra.ClientId,
            TokenSource = Source,
            Transport = Transport,
            DisableInstanceDiscovery = true,
            AuthorityHost = Entra.BaseAddress,
        };
        options.Retry.Delay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        configure?.Invoke(options);
        return options;
    }

    public GitHubActionsCredential Credential(Action<GitHubActionsCredentialOptions>? configure = null) => new(Options(configure));

    public void Dispose()
    {
        _entraHttp.Dispose();
        _client.Dispose();
        Issuer.Dispose();
    }
}
