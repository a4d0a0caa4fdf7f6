using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using OidcToken.Cli.Requesting;
using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// The real client: Google's Node library <c>google-auth-library</c> 11.3.4 (benchmarks/peers, installed by this project's
/// build) loads the file a real <c>oidc-token exchange gcp --credential-source executable</c> process wrote and gets an
/// access token from <see cref="MockGoogleCloud"/> twice across an expiry, each time by running <c>oidc-token token</c>
/// for a fresh GitHub token. Node is required: this test never skips.
/// </summary>
public sealed class GcpExecutableInteropTests : IDisposable
{
    private const string Provider = "projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider";

    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();
    private readonly MockGoogleCloud _google = MockGoogleCloud.Start(new MockGoogleCloudOptions
    {
        WorkloadIdentityProvider = Provider,
        FederatedTokenLifetime = TimeSpan.FromSeconds(2),
    });

    private readonly string _runnerTemp = Directory.CreateTempSubdirectory("oidc-token-gcp-interop-").FullName;

    public void Dispose()
    {
        _google.Dispose();
        _issuer.Dispose();
        Directory.Delete(_runnerTemp, recursive: true);
    }

    [Fact]
    public async Task Google_auth_library_runs_oidc_token_for_a_fresh_GitHub_token_on_each_refresh()
    {
        // 1. A real oidc-token process writes the file (and mints one token to check the configuration).
        var exchange = await RunAsync(
            "dotnet",
            [TokenProcessTests.ToolPath, "exchange", "gcp", "--workload-identity-provider", Provider, "--endpoint", _google.TokenUrl.AbsoluteUri,
             "--credential-source", "executable", "--format", "json"],
            new Dictionary<string, string> { ["RUNNER_TEMP"] = _runnerTemp });
        Assert.True(exchange.ExitCode == 0, "exchange gcp exited with " + exchange.ExitCode + ": " + exchange.Stderr);
        using var result = JsonDocument.Parse(exchange.Stdout);
        var file = result.RootElement.GetProperty("credential_file").GetString()!;
        using (var config = JsonDocument.Parse(File.ReadAllText(file)))
        {
            var command = config.RootElement.GetProperty("credential_source").GetProperty("executable").GetProperty("command").GetString()!;
            Assert.StartsWith(Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "/", command, StringComparison.Ordinal);
            Assert.Contains(" " + TokenProcessTests.ToolPath + " token --audience https://iam.googleapis.com/" + Provider + " --format gcp-executable", command, StringComparison.Ordinal);
        }

        Assert.Equal(1, _issuer.TokenRequestCount);

        // 2. google-auth-library, in a step with the runner's variables, refreshes across the 2-second expiry.
        var peers = PeersDirectory;
        Assert.True(
            Directory.Exists(Path.Combine(peers, "node_modules", "google-auth-library")),
            $"google-auth-library is not installed in {peers}; building OidcToken.Cli.Tests runs 'npm ci' there.");
        var node = await RunAsync(
            "node",
            [Path.Combine(peers, "gcp-executable-credential.mjs"), "2500"],
            new Dictionary<string, string>
            {
                ["GOOGLE_APPLICATION_CREDENTIALS"] = file,
                ["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES"] = "1",
                ["GITHUB_ACTIONS"] = "true", // the child's stderr must stay silent even so: the library parses it with stdout
            },
            peers);

        Assert.True(node.ExitCode == 0, "gcp-executable-credential.mjs exited with " + node.ExitCode + ": " + node.Stderr + node.Stdout);
        using var hashes = JsonDocument.Parse(node.Stdout);
        Assert.NotEqual(hashes.RootElement.GetProperty("first").GetString(), hashes.RootElement.GetProperty("second").GetString());

        // Three exchanges at STS (the check, then one per refresh), each with a GitHub token of its own from the runner.
        var sts = _google.Requests.Where(r => r.Endpoint == MockGoogleEndpoint.Sts).ToArray();
        Assert.Equal(3, sts.Length);
        Assert.All(sts, r => Assert.Equal(200, r.StatusCode));
        Assert.All(sts, r => Assert.Equal("https://iam.googleapis.com/" + Provider, r.SubjectTokenAudience));
        Assert.Equal(3, sts.Select(r => r.SubjectTokenId).Distinct().Count());
        Assert.DoesNotContain(null, sts.Select(r => r.SubjectTokenId));
        Assert.Equal(3, _issuer.TokenRequestCount);
        Assert.All(_issuer.TokenRequests, r => Assert.Equal("https://iam.googleapis.com/" + Provider, r.Audience));
        Assert.DoesNotContain(_issuer.RequestToken, File.ReadAllText(file), StringComparison.Ordinal);
    }

    private static string PeersDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OidcToken.sln")))
                {
                    return Path.Combine(dir.FullName, "benchmarks", "peers");
                }
            }

            throw new InvalidOperationException("OidcToken.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Runs a program with only what a runner step would see for OIDC, plus what running dotnet and node needs.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, string[] args, Dictionary<string, string> variables, string? directory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = directory ?? _runnerTemp,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "SYSTEMROOT", "DOTNET_ROOT", "TMPDIR" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (name, value) in _issuer.GetEnvironment())
        {
            start.Environment[name] = value;
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException(program + " did not start.");
        }
        catch (Win32Exception exception)
        {
            Assert.Fail($"'{program}' could not be started from PATH ({exception.Message}); the Google interop test needs Node.js 20 or newer and the .NET SDK.");
            throw;
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail(program + " did not finish within 120 s.");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
