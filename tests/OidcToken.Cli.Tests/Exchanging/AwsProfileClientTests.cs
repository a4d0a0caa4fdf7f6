using System.Diagnostics;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using OidcToken.Cli.Requesting;
using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// The AWS SDK for .NET runs a profile's <c>credential_process</c> as a child of its own process, so the child inherits
/// this test process's environment: the runner's variables must be set in it. The tests that need that run in a
/// collection xunit runs alone, after the parallel ones, and put every variable back, so no other test sees them.
/// </summary>
[CollectionDefinition(nameof(AwsProcessEnvironment), DisableParallelization = true)]
public sealed class AwsProcessEnvironment;

/// <summary>
/// A profile written by a real <c>oidc-token</c> process (<c>dotnet oidc-token.dll exchange aws --format aws-profile</c>),
/// read by real AWS clients: the AWS SDK for .NET's profile loader, refreshing across expiries, and the AWS CLI.
/// </summary>
[Collection(nameof(AwsProcessEnvironment))]
public sealed class AwsProfileClientTests : IDisposable
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/github-actions";
    private const string Region = "eu-west-1";

    /// <summary>How long the mock's credentials live.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(65);

    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();
    private readonly MockAwsSts _sts;
    private readonly string _root = Directory.CreateTempSubdirectory("oidc-token-aws-profile-").FullName;

    public AwsProfileClientTests()
    {
        // Credentials that the SDK takes for expired 5 seconds after they are issued (it counts them expired a minute before
        // their Expiration), so it must run the process again within the test, while STS still accepts the old ones.
        _sts = MockAwsSts.Start(new MockAwsStsOptions { CredentialLifetime = Lifetime });
    }

    /// <summary>The config file, named <c>config</c> beside <see cref="CredentialsFile"/>, where the SDK's profile store looks for it.</summary>
    private string ConfigFile => Path.Combine(_root, "config");

    /// <summary>The shared credentials file (empty): this test's profile store is opened on it.</summary>
    private string CredentialsFile => Path.Combine(_root, "credentials");

    public void Dispose()
    {
        _sts.Dispose();
        _issuer.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>The environment of a workflow step: the runner's variables, GITHUB_ACTIONS, and the AWS files in this test's folder.</summary>
    private Dictionary<string, string?> StepEnvironment()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_ENV"] = null,
            ["GITHUB_OUTPUT"] = null,
            ["RUNNER_TEMP"] = _root,
            ["AWS_CONFIG_FILE"] = ConfigFile,
            ["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsFile,
            ["AWS_PROFILE"] = null,
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_REGION"] = null,
            ["AWS_DEFAULT_REGION"] = null,
            ["AWS_ENDPOINT_URL"] = null,
            ["AWS_ENDPOINT_URL_STS"] = null,
        };
        foreach (var (name, value) in _issuer.GetEnvironment())
        {
            variables[name] = value;
        }

        return variables;
    }

    /// <summary>Runs <c>dotnet oidc-token.dll</c> with <paramref name="args"/> in the step's environment.</summary>
    private async Task<(int ExitCode, string Output, string Error)> RunToolAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(TokenProcessTests.ToolPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in StepEnvironment())
        {
            start.Environment[name] = value;
        }

        return await RunAsync(start);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private async Task WriteProfileAsync(string profile)
    {
        var (exitCode, output, error) = await RunToolAsync(
            "exchange", "aws", "--role-arn", RoleArn, "--region", Region, "--endpoint", _sts.BaseAddress.AbsoluteUri, "--session-name", "sdk-refresh",
            "--format", "aws-profile", "--profile", profile);
        Assert.True(exitCode == 0, "oidc-token exited " + exitCode + ": " + error);
        Assert.Equal("export AWS_PROFILE='" + profile + "'\nexport AWS_CONFIG_FILE='" + ConfigFile + "'\n", output);

        // The command names the tool as it was run: the dotnet host, then the dll.
        var command = File.ReadAllLines(ConfigFile).Single(l => l.StartsWith("credential_process = ", StringComparison.Ordinal));
        Assert.Matches(@"^credential_process = /\S*/dotnet ", command);
        Assert.Contains(TokenProcessTests.ToolPath + " exchange aws --role-arn " + RoleArn + " --region " + Region, command, StringComparison.Ordinal);
        Assert.EndsWith(" --format credential-process", command, StringComparison.Ordinal);
        Assert.DoesNotContain(_issuer.RequestToken, File.ReadAllText(ConfigFile), StringComparison.Ordinal);
        _sts.ResetRequestLog();
        _issuer.ResetRequestLog();
    }

    [Fact]
    public async Task The_AWS_SDK_for_NET_loads_the_profile_and_refreshes_across_two_expiries_with_a_fresh_GitHub_token_each_time()
    {
        const string Profile = "sdk-refresh";
        await WriteProfileAsync(Profile);

        // The SDK reads AWS_CONFIG_FILE once per process, in a static constructor that another test may have run already;
        // so this process leaves it unset, and the store opened on the credentials file reads the config file beside it.
        File.WriteAllText(CredentialsFile, string.Empty);
        using var environment = new ProcessEnvironment(StepEnvironment().Where(v => !v.Key.StartsWith("AWS_", StringComparison.Ordinal))
            .Append(new("AWS_CONFIG_FILE", null)).Append(new("AWS_SHARED_CREDENTIALS_FILE", null)).ToDictionary());
        var chain = new CredentialProfileStoreChain(CredentialsFile);
        Assert.True(chain.TryGetAWSCredentials(Profile, out var credentials), "the SDK did not find the profile " + Profile + " in " + ConfigFile);
        var process = Assert.IsType<ProcessAWSCredentials>(credentials);
        Assert.True(chain.TryGetProfile(Profile, out var profile));
        Assert.Equal(Region, profile.Region.SystemName);
        using var client = new AmazonSecurityTokenServiceClient(
            credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = _sts.BaseAddress.AbsoluteUri, AuthenticationRegion = Region });

        // The SDK refreshes process credentials in the background whenever they expire within PreemptExpiryTime (15 minutes
        // by default), which for credentials as short-lived as these would be on every use. With no window it runs the
        // process exactly when it takes them for expired, so each generation below is one run, after the previous one expired.
        process.PreemptExpiryTime = TimeSpan.Zero;
        var keys = new List<string>();
        for (var generation = 1; generation <= 3; generation++)
        {
            var identity = await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());

            Assert.Equal("arn:aws:sts::123456789012:assumed-role/github-actions/sdk-refresh", identity.Arn);
            Assert.Equal(generation, _sts.Requests.Count(r => r.Action == "AssumeRoleWithWebIdentity"));
            Assert.Equal(generation, _issuer.TokenRequestCount);
            keys.Add((await process.GetCredentialsAsync()).AccessKey);

            // Let these credentials expire: the mock refuses them from now on (ExpiredToken), so the next call succeeds
            // only if the SDK ran credential_process again.
            var expiration = process.Expiration ?? throw new InvalidOperationException("the SDK reports no expiration for process credentials");
            var wait = expiration - TimeProvider.System.GetUtcNow().UtcDateTime + TimeSpan.FromMilliseconds(200);
            Assert.InRange(wait, TimeSpan.Zero, Lifetime + TimeSpan.FromSeconds(1));
            await Task.Delay(wait);
        }

        Assert.Equal(3, keys.Distinct().Count());
        Assert.All(_issuer.TokenRequests, r => Assert.Equal("sts.amazonaws.com", r.Audience));
        Assert.All(_sts.Requests.Where(r => r.Action == "GetCallerIdentity"), r => Assert.Equal(200, r.StatusCode));
    }

    [Fact]
    public async Task The_AWS_CLI_runs_the_profile_and_gets_fresh_credentials_on_every_run()
    {
        var aws = FindAwsCli();
        if (aws is null)
        {
            Assert.False(
                Environment.GetEnvironmentVariable("OIDCTOKEN_REQUIRE_AWSCLI") == "1",
                "OIDCTOKEN_REQUIRE_AWSCLI=1 but the AWS CLI ('aws') is not on PATH: install the Debian package awscli (.ci/run's awscli step does).");
            return;
        }

        // Credentials of the requested hour: botocore refreshes at once any that expire within 15 minutes, which would run
        // the process twice per command. Each command is a new process, so each run asks for credentials anew.
        _sts.CredentialLifetime = null;
        const string Profile = "cli";
        await WriteProfileAsync(Profile);

        for (var run = 1; run <= 2; run++)
        {
            var start = new ProcessStartInfo(aws) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in (string[])["sts", "get-caller-identity", "--endpoint-url", _sts.BaseAddress.AbsoluteUri, "--profile", Profile, "--output", "json"])
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var (name, value) in StepEnvironment())
            {
                start.Environment[name] = value;
            }

            var (exitCode, output, error) = await RunAsync(start);

            Assert.True(exitCode == 0, "aws exited " + exitCode + ": " + error);
            using var identity = System.Text.Json.JsonDocument.Parse(output);
            Assert.Equal("arn:aws:sts::123456789012:assumed-role/github-actions/sdk-refresh", identity.RootElement.GetProperty("Arn").GetString());
            Assert.Equal("123456789012", identity.RootElement.GetProperty("Account").GetString());
            Assert.Equal(run, _issuer.TokenRequestCount);
            Assert.Equal(run, _sts.Requests.Count(r => r.Action == "AssumeRoleWithWebIdentity"));
            Assert.Equal(200, _sts.Requests.Last(r => r.Action == "GetCallerIdentity").StatusCode);
        }
    }

    /// <summary>The <c>aws</c> executable on PATH, or null.</summary>
    private static string? FindAwsCli() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "aws"))
            .FirstOrDefault(File.Exists);

    /// <summary>Sets process environment variables (null removes one) and puts the previous values back when disposed.</summary>
    private sealed class ProcessEnvironment : IDisposable
    {
        private readonly Dictionary<string, string?> _previous = new(StringComparer.Ordinal);

        public ProcessEnvironment(IReadOnlyDictionary<string, string?> variables)
        {
            foreach (var (name, value) in variables)
            {
                _previous[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in _previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
