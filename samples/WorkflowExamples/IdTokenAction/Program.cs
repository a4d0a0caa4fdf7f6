// A GitHub Action written in .NET: requests an ID token with OidcToken, masks it (automatically,
// because GITHUB_ACTIONS=true), and publishes only non-secret claims as step outputs.
using System.Globalization;
using OidcToken;

var audience = Environment.GetEnvironmentVariable("INPUT_AUDIENCE");
using var client = new GitHubOidcClient();
var result = await client.TryGetTokenAsync(string.IsNullOrEmpty(audience) ? null : audience);
if (!result.Succeeded)
{
    // Workflow command: shows as an error annotation on the run, with the cause and the fix.
    var text = result.Error.Message.Replace("%", "%25", StringComparison.Ordinal)
        .Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);
    Console.WriteLine($"::error title=No OIDC token ({result.ErrorCode})::{text}");
    return result.Error.ExitCode;
}

var token = result.Token;
Console.WriteLine($"Got an ID token: {token}");

// Use token.Reveal() here to call your relying party; never print it or write it to an output.
if (Environment.GetEnvironmentVariable("GITHUB_OUTPUT") is { Length: > 0 } outputFile)
{
    await File.AppendAllTextAsync(outputFile, string.Create(CultureInfo.InvariantCulture,
        $"subject={token.UnverifiedClaims.Subject}\nexpires-at={token.ExpiresAt:O}\n"));
}

return 0;
