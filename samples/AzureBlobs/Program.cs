// AzureBlobs: get a Microsoft Entra access token for Azure Storage from a GitHub Actions ID token, with
// GitHubActionsCredential (an Azure.Core TokenCredential any Azure SDK client accepts, e.g.
// new BlobServiceClient(new Uri("https://<account>.blob.core.windows.net"), credential)).
//
// Inside GitHub Actions it uses the real runner and the real Entra ID, with AZURE_TENANT_ID and AZURE_CLIENT_ID.
// Anywhere else it starts OidcToken's mock GitHub OIDC issuer and the in-process mock Entra ID (routed through the
// credential's Transport, because Azure.Identity only talks to https authorities), so it runs end to end on a laptop
// and in CI. It prints only non-secret facts, never a token.
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using OidcToken;
using OidcToken.Azure;
using OidcToken.Testing;

const string StorageScope = "https://storage.azure.com/.default";

var inActions = string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
MockGitHubOidcIssuer? issuer = null;
HttpClient? entraHttp = null;
GitHubActionsCredentialOptions options;
if (inActions)
{
    Console.WriteLine("Running inside GitHub Actions: asking the real runner and Microsoft Entra ID.");
    options = new GitHubActionsCredentialOptions
    {
        TenantId = Environment.GetEnvironmentVariable("AZURE_TENANT_ID"),
        ClientId = Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"),
    };
}
else
{
    issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { Owner = "octo-org", Repository = "octo-repo", Environment = "prod" });
    var entra = new MockEntraId(new MockEntraIdOptions
    {
        // The federated identity credential: issuer, subject and audience, as in the README.
        ExpectedIssuer = issuer.Issuer,
        ExpectedSubject = "repo:octo-org/octo-repo:environment:prod",
        ExpectedAudience = GitHubActionsCredentialOptions.DefaultAudience,
        AccessTokenLifetime = TimeSpan.FromSeconds(60),
    });
    entraHttp = entra.CreateHttpClient();
    var environment = issuer.GetEnvironment();
    var client = new GitHubOidcClient(new GitHubOidcClientOptions
    {
        EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
        MaskTokens = false,
    });
    Console.WriteLine("Not inside GitHub Actions: started the mock GitHub OIDC issuer and the in-process mock Entra ID.");
    options = new GitHubActionsCredentialOptions
    {
        TenantId = entra.TenantId,
        ClientId = entra.ClientId,
        TokenSource = IdTokenSources.FromClient(client),
        Transport = new HttpClientTransport(entraHttp),
        DisableInstanceDiscovery = true,
    };
}

using (issuer)
using (entraHttp)
{
    var credential = new GitHubActionsCredential(options);
    Console.WriteLine($"Tenant {credential.TenantId}, client {credential.ClientId}, authority {credential.AuthorityHost}, GitHub token audience {credential.Audience}");

    try
    {
        // 1. As any Azure SDK client would use it.
        var token = await credential.GetTokenAsync(new TokenRequestContext([StorageScope]), CancellationToken.None);
        Console.WriteLine($"1. TokenCredential.GetTokenAsync({StorageScope}) -> a {token.TokenType} token of {token.Token.Length} characters, expires {token.ExpiresOn:u}");

        // 2. Again: the mock issues 60-second tokens, which MSAL treats as expired, so this fetches a fresh GitHub token.
        var again = await credential.GetTokenAsync(new TokenRequestContext([StorageScope]), CancellationToken.None);
        Console.WriteLine($"2. Again -> a different access token: {!string.Equals(token.Token, again.Token, StringComparison.Ordinal)}; GitHub tokens requested so far: {issuer?.TokenRequestCount.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(real runner)"}");

        // 3. The one-shot form the oidc-token CLI uses; ToString() is redacted.
        var once = await GitHubActionsCredential.GetTokenAsync(options.TokenSource, options, [StorageScope]);
        Console.WriteLine($"3. One-shot -> {once}");
        return 0;
    }
    catch (CredentialUnavailableException ex)
    {
        Console.Error.WriteLine("No GitHub token can be requested here: " + ex.Message);
        return 3;
    }
    catch (AuthenticationFailedException ex) when (ex.InnerException is OidcTokenException oidc)
    {
        Console.Error.WriteLine(ex.Message);
        return oidc.ExitCode;
    }
}
