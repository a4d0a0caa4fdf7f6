// Google Cloud from GitHub Actions through workload identity federation, with OidcToken.Google.
// In a workflow (GITHUB_ACTIONS=true) it uses the real runner and Google; elsewhere it starts the mock GitHub
// issuer and the mock Google Cloud and runs the same code end to end. It prints only non-secret facts.
using System.Net.Http.Headers;
using OidcToken;
using OidcToken.Exchange;
using OidcToken.Google;
using OidcToken.Testing;

var inActions = string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
var provider = Environment.GetEnvironmentVariable("GCP_WORKLOAD_IDENTITY_PROVIDER")
    ?? "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github-provider";
var serviceAccount = Environment.GetEnvironmentVariable("GCP_SERVICE_ACCOUNT") ?? "storage-reader@my-project.iam.gserviceaccount.com";

MockGitHubOidcIssuer? issuer = null;
MockGoogleCloud? google = null;
GoogleCredentialConfiguration configuration;
if (inActions)
{
    configuration = new GoogleCredentialConfiguration(provider) { ServiceAccount = serviceAccount };
}
else
{
    Console.WriteLine("Not in GitHub Actions: using the mock GitHub issuer and the mock Google Cloud on 127.0.0.1.");
    issuer = MockGitHubOidcIssuer.Start();
    var options = new MockGoogleCloudOptions
    {
        WorkloadIdentityProvider = provider,
        // The provider's attribute condition, as in the README: this repository (by id) of this owner (by id).
        AttributeCondition = claims =>
            claims.GetValueOrDefault("repository_id") == "456789" && claims.GetValueOrDefault("repository_owner_id") == "123456",
    };
    options.ServiceAccounts.Add(serviceAccount);
    google = MockGoogleCloud.Start(options);
    var environment = issuer.GetEnvironment();
    configuration = new GoogleCredentialConfiguration(provider)
    {
        ServiceAccount = serviceAccount,
        TokenUrl = google.TokenUrl,
        ImpersonationUrlBase = google.ImpersonationUrlBase,
        EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
    };
}

try
{
    Console.WriteLine(configuration);

    // 1. For other tools in the job (gcloud, gsutil, terraform, other SDKs): the credential-configuration file.
    var path = await configuration.WriteFileAsync();
    Console.WriteLine($"Credential configuration written to {path} (mode 0600; it holds the runner's request token). Set GOOGLE_APPLICATION_CREDENTIALS to it.");

    // 2. In this process: a GoogleCredential for any Google Cloud client library (StorageClient.Create(credential), ...).
    var credential = GitHubGoogleCredential.Create(configuration);
    Console.WriteLine($"GoogleCredential ready ({credential.UnderlyingCredential.GetType().Name}); it refreshes itself with fresh GitHub tokens.");

    // 3. One token now, with translated errors (what `oidc-token exchange gcp` does).
    var token = await GitHubGoogleCredential.GetAccessTokenAsync(configuration);
    Console.WriteLine(token); // redacted: expiry, service account, provider
    var header = new AuthenticationHeaderValue("Bearer", token.RevealToken());
    Console.WriteLine($"Authorization header prepared ({header.Scheme} …); the token itself is never printed.");

    File.Delete(path);
    Console.WriteLine("Removed the credential configuration file.");
    if (google is not null && issuer is not null)
    {
        Console.WriteLine($"Mock GitHub token requests: {issuer.TokenRequestCount}; STS exchanges: {google.StsRequestCount}; impersonations: {google.ImpersonationRequestCount}.");
    }

    return 0;
}
catch (OidcTokenException ex)
{
    Console.Error.WriteLine($"{ex.ErrorCode}: {ex.Message}");
    return ex.ExitCode;
}
finally
{
    google?.Dispose();
    issuer?.Dispose();
}
