// NuGetPublish: trade the job's GitHub ID token for a short-lived NuGet API key (trusted publishing), then push with it.
//
// Inside GitHub Actions it asks the real runner and the gallery named by NUGET_TOKEN_SERVICE_URL and NUGET_AUDIENCE
// (take both from the NuGet gallery's trusted publishing documentation) for the policy creator NUGET_USER.
// Anywhere else it starts OidcToken's mock GitHub OIDC issuer and a mock gallery token service on loopback, so the
// same code runs end to end on a laptop. It never prints a token or the key, only facts about them.
using OidcToken;
using OidcToken.Exchange;
using OidcToken.Testing;

var inActions = string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
MockGitHubOidcIssuer? issuer = null;
MockNuGetTokenService? gallery = null;
IdTokenSource source;
NuGetTrustedPublishingOptions options;
GitHubOidcClient? client = null;

if (inActions)
{
    Console.WriteLine("Running inside GitHub Actions: asking the real runner and the gallery.");
    var url = Environment.GetEnvironmentVariable("NUGET_TOKEN_SERVICE_URL");
    var audience = Environment.GetEnvironmentVariable("NUGET_AUDIENCE");
    var user = Environment.GetEnvironmentVariable("NUGET_USER");
    if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(audience) || string.IsNullOrEmpty(user))
    {
        Console.Error.WriteLine("Set NUGET_TOKEN_SERVICE_URL and NUGET_AUDIENCE (from the NuGet gallery's trusted publishing documentation) and NUGET_USER (the policy creator's profile name).");
        return 2;
    }

    source = IdTokenSources.Runner;
    options = new NuGetTrustedPublishingOptions { TokenServiceUrl = new Uri(url), Audience = audience, User = user };
}
else
{
    const string Audience = "sample-gallery-audience";
    issuer = MockGitHubOidcIssuer.Start();
    gallery = MockNuGetTokenService.Start(Audience, user: "octo-publisher");
    var environment = issuer.GetEnvironment();
    Console.WriteLine("Not inside GitHub Actions: started the mock GitHub OIDC issuer and a mock gallery token service.");
    Console.WriteLine($"  token service: {gallery.TokenServiceUrl}");
    Console.WriteLine($"  audience:      {Audience}");
    Console.WriteLine($"  policy owner:  {gallery.User}");
    Console.WriteLine();
    client = new GitHubOidcClient(new GitHubOidcClientOptions
    {
        EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
        MaskTokens = false,
    });
    source = IdTokenSources.FromClient(client);
    options = new NuGetTrustedPublishingOptions { TokenServiceUrl = gallery.TokenServiceUrl, Audience = Audience, User = gallery.User };
}

using (issuer)
using (gallery)
using (client)
{
    try
    {
        // One GitHub token buys one key; the exchange asks the source for a new token on every attempt.
        var key = await NuGetTrustedPublishing.ExchangeAsync(source, options);
        Console.WriteLine($"1. ExchangeAsync -> {key}");
        Console.WriteLine($"   the key is {key.RevealToken().Length} characters; RevealToken() returns it, ToString() never does.");
        Console.WriteLine($"   it expires {key.ExpiresAt:u}: push right away, there is nothing to revoke afterwards.");
        if (gallery is not null)
        {
            Console.WriteLine($"   the mock gallery accepts it: {gallery.IsValidKey(key.RevealToken())}");
        }

        Console.WriteLine();
        Console.WriteLine("2. Push with it (the key is a secret: pass it from a masked variable, never on a logged command line):");
        Console.WriteLine("   dotnet nuget push \"bin/Release/*.nupkg\" --api-key <NUGET_API_KEY> --source <your NuGet feed>/v3/index.json");
        Console.WriteLine();

        // 3. What a refusal looks like: the gallery's own message, the token's claims, and the fix.
        if (gallery is not null)
        {
            options.User = "package-owner";
            try
            {
                await NuGetTrustedPublishing.ExchangeAsync(source, options);
            }
            catch (OidcTokenException ex) when (ex.ErrorCode == OidcTokenErrorCode.ExchangeRefused)
            {
                Console.WriteLine($"3. With the wrong user the gallery refuses ({ex.ErrorCode}, exit code {ex.ExitCode}):");
                Console.WriteLine("   " + ex.Message.Replace("\n", "\n   ", StringComparison.Ordinal));
            }
        }

        return 0;
    }
    catch (OidcTokenException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return ex.ExitCode;
    }
}
