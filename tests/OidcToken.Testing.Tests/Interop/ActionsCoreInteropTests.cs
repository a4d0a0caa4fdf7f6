using System.ComponentModel;
using System.Diagnostics;
using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.Interop;

/// <summary>
/// The real peer, <c>@actions/core</c> 3.0.1 on Node (benchmarks/peers, installed by this project's build),
/// must get tokens from the mock exactly as it does from GitHub. Node is required: these tests never skip.
/// </summary>
public sealed class ActionsCoreInteropTests
{
    private const string Azure = "api://AzureADTokenExchange";

    [Fact]
    public async Task Actions_core_gets_a_token_that_verifies_with_its_audience()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        var (exitCode, lines, stderr) = await RunGetIdTokenAsync(issuer, Azure);

        Assert.True(exitCode == 0, $"get-id-token.mjs exited with {exitCode}: {stderr}");
        var token = lines[^1];
        Assert.True(lines.Contains("::add-mask::" + token, StringComparer.Ordinal), "@actions/core did not mask the token with ::add-mask:: on stdout.");
        var result = await client.VerifyAsync(token, Azure);
        Assert.True(result.IsValid, result.Exception?.Message);

        var request = Assert.Single(issuer.TokenRequests);
        Assert.Equal("?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange", request.RawQuery);
        Assert.Equal(Azure, request.Audience);
        Assert.True(request.HadValidBearer);
        Assert.Equal("actions/oidc-client", request.UserAgent);
        Assert.Equal("application/json", request.Accept);
    }

    [Fact]
    public async Task Actions_core_without_audience_gets_the_owner_default()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        var (exitCode, lines, stderr) = await RunGetIdTokenAsync(issuer, audience: null);

        Assert.True(exitCode == 0, $"get-id-token.mjs exited with {exitCode}: {stderr}");
        Assert.True((await client.VerifyAsync(lines[^1], "https://github.com/octo-org")).IsValid);
        Assert.Equal("?api-version=2.0", Assert.Single(issuer.TokenRequests).RawQuery);
    }

    [Fact]
    public async Task Actions_core_reports_githubs_audience_refusal_with_the_raw_body()
    {
        using var issuer = MockGitHubOidcIssuer.Start();

        var (exitCode, _, stderr) = await RunGetIdTokenAsync(issuer, "https://github.com/apps/x");

        Assert.Equal(1, exitCode);
        Assert.Contains("Error Code : 400", stderr, StringComparison.Ordinal);
        Assert.Contains("Can't issue ID_TOKEN for audience 'https://github.com/apps/x'", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string[] Lines, string Stderr)> RunGetIdTokenAsync(MockGitHubOidcIssuer issuer, string? audience)
    {
        var peers = RepoPaths.PeersDirectory;
        Assert.True(
            Directory.Exists(Path.Combine(peers, "node_modules", "@actions", "core")),
            $"@actions/core is not installed in {peers}; building OidcToken.Testing.Tests runs 'npm ci' there.");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = peers,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(peers, "get-id-token.mjs"));
        if (audience is not null)
        {
            start.ArgumentList.Add(audience);
        }

        // Only what a runner step would see for OIDC, plus what finding and running node needs.
        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "SYSTEMROOT" })
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (name, value) in issuer.GetEnvironment())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception exception)
        {
            Assert.Fail($"Node.js is required for the @actions/core interop tests, but 'node' could not be started from PATH ({exception.Message}). Install Node.js 20 or newer.");
            throw;
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("node get-id-token.mjs did not finish within 90 s.");
            }

            var lines = (await stdout).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
            return (process.ExitCode, lines.Length == 0 ? [string.Empty] : lines, await stderr);
        }
    }
}
