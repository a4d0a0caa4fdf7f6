// QuickStart: request a GitHub Actions OIDC ID token the way an action or a workflow step would.
//
// Inside GitHub Actions (with `permissions: id-token: write`) this asks the real runner.
// Anywhere else it starts OidcToken's mock GitHub OIDC issuer on loopback and asks that instead,
// so the same code runs on a laptop and in CI. It never prints a token, only its claims.
using OidcToken;
using OidcToken.Testing;

const string Audience = "api://AzureADTokenExchange";

var inActions = string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
MockGitHubOidcIssuer? mock = null;
GitHubOidcClientOptions options;
if (inActions)
{
    Console.WriteLine("Running inside GitHub Actions: asking the real runner.");
    var report = GitHubOidc.Diagnose();
    if (!report.CanRequestToken)
    {
        Console.Error.WriteLine(report);
        return 3;
    }

    options = new GitHubOidcClientOptions();
}
else
{
    mock = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { Environment = "production" });
    var environment = mock.GetEnvironment();
    Console.WriteLine("Not inside GitHub Actions: started the mock GitHub OIDC issuer.");
    Console.WriteLine("A runner with `id-token: write` would set:");
    Console.WriteLine($"  ACTIONS_ID_TOKEN_REQUEST_URL={environment["ACTIONS_ID_TOKEN_REQUEST_URL"]}");
    Console.WriteLine($"  ACTIONS_ID_TOKEN_REQUEST_TOKEN=<{environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"].Length} characters, a secret: never printed>");
    Console.WriteLine($"  issuer of the tokens: {mock.Issuer}");
    Console.WriteLine();
    options = new GitHubOidcClientOptions
    {
        // Tests and samples pass the environment in; a real action just uses new GitHubOidcClient().
        EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
        MaskTokens = false,
    };
}

using (mock)
using (var client = new GitHubOidcClient(options))
{
    // 1. A token for an audience, with its (unverified) claims.
    var token = await client.GetTokenAsync(Audience);
    Console.WriteLine($"1. GetTokenAsync(\"{Audience}\") -> {token}");
    var claims = token.UnverifiedClaims;
    Console.WriteLine($"   iss         {claims.Issuer}");
    Console.WriteLine($"   aud         {claims.Audience}");
    Console.WriteLine($"   sub         {claims.Subject}");
    Console.WriteLine($"   repository  {claims.Repository} (id {claims.RepositoryId}, owner id {claims.RepositoryOwnerId})");
    Console.WriteLine($"   ref         {claims.Ref} (protected: {claims.RefProtected})");
    Console.WriteLine($"   environment {claims.Environment ?? "(none)"}");
    Console.WriteLine($"   workflow    {claims.JobWorkflowRef}");
    Console.WriteLine($"   runner      {claims.RunnerEnvironment}");
    Console.WriteLine($"   lifetime    {(token.ExpiresAt - token.IssuedAt).TotalSeconds:0} s, expires {token.ExpiresAt:u}");
    Console.WriteLine($"   the JWT is {token.Reveal().Length} characters; IdToken.Reveal() returns it, ToString() never does.");
    Console.WriteLine();

    // 2. The cache: concurrent and repeated calls share one request until shortly before expiry.
    var again = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.GetTokenAsync(Audience)));
    Console.WriteLine($"2. 100 more GetTokenAsync calls -> same token: {again.All(t => ReferenceEquals(t, token))}" +
        (mock is null ? string.Empty : $"; HTTP requests so far: {mock.TokenRequestCount}"));
    var fresh = await client.GetTokenAsync(Audience, IdTokenRequestOptions.Fresh);
    Console.WriteLine($"   IdTokenRequestOptions.Fresh -> a new token: {!ReferenceEquals(fresh, token)}");
    Console.WriteLine();

    // 3. The drop-in for core.getIDToken(): a fresh request on every call, the raw JWT out.
    if (mock is not null)
    {
        foreach (var (name, value) in mock.GetEnvironment())
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Environment.SetEnvironmentVariable("GITHUB_ACTIONS", null); // keep the sample's stdout free of ::add-mask:: lines
    }

    var before = mock?.TokenRequestCount;
    var jwt = await GitHubOidc.GetIdTokenAsync(Audience);
    await GitHubOidc.GetIdTokenAsync(Audience);
    Console.WriteLine($"3. GitHubOidc.GetIdTokenAsync twice -> a {jwt.Split('.').Length}-part JWT" +
        (before is null ? "." : $"; requests made: {mock!.TokenRequestCount - before}"));
    Console.WriteLine();
}

// 4. What a job without `permissions: id-token: write` is told.
using var withoutPermission = new GitHubOidcClient(new GitHubOidcClientOptions
{
    EnvironmentVariables = name => name switch
    {
        "GITHUB_ACTIONS" => "true",
        "GITHUB_SERVER_URL" => "https://github.com",
        "GITHUB_REPOSITORY" => "octo-org/octo-repo",
        _ => null,
    },
});
var diagnosis = await withoutPermission.TryGetTokenAsync(Audience);
Console.WriteLine($"4. Without `id-token: write`: {diagnosis.ErrorCode} (exit code {diagnosis.Error!.ExitCode})");
Console.WriteLine("   " + diagnosis.Error.Message.Replace("\n", "\n   ", StringComparison.Ordinal));
Console.WriteLine("   More: " + diagnosis.Error.HelpLink);
return 0;
