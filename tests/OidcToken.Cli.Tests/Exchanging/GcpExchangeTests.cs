using System.Text.Json;

namespace OidcToken.Cli.Exchanging;

public sealed class GcpExchangeTests : IDisposable
{
    private const string Provider = "projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider";
    private static readonly string[] Names = ["GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", "GOOGLE_GHA_CREDS_PATH"];

    private readonly ExchangeHarness _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task Env_writes_a_0600_file_under_RUNNER_TEMP_and_points_the_three_variables_at_it()
    {
        var run = await _runner.RunAsync("exchange", "gcp", "--workload-identity-provider", Provider, "--service-account", "deployer@my-project.iam.gserviceaccount.com");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        var variables = ExchangeHarness.ParseEnv(run.Output);
        Assert.Equal(Names, variables.Select(v => v.Name));
        var path = variables[0].Value;
        Assert.All(variables, v => Assert.Equal(path, v.Value));
        Assert.Equal(_runner.RunnerTemp, Path.GetDirectoryName(path));
        Assert.Matches("^gha-creds-[0-9a-f]{16}\\.json$", Path.GetFileName(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        using var config = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("external_account", config.RootElement.GetProperty("type").GetString());
        Assert.Equal("//iam.googleapis.com/" + Provider, config.RootElement.GetProperty("audience").GetString());
        Assert.StartsWith(_runner.Issuer.RequestUrl.AbsoluteUri, config.RootElement.GetProperty("credential_source").GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("deployer@my-project.iam.gserviceaccount.com:generateAccessToken", config.RootElement.GetProperty("service_account_impersonation_url").GetString(), StringComparison.Ordinal);

        // The file holds the runner's request token: never printed, and recorded for cleanup.
        ExchangeHarness.AssertNoSecret(run.Output + run.Error, _runner.Issuer.RequestToken);
        Assert.Contains(path.Replace("\\", "\\\\", StringComparison.Ordinal), File.ReadAllText(_runner.StateFile), StringComparison.Ordinal);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Json_names_the_file_and_the_audiences()
    {
        var run = await _runner.RunAsync("exchange", "gcp", "--workload-identity-provider", Provider, "--format", "json", "--endpoint", "http://127.0.0.1:9/v1/token");

        Assert.Equal(0, run.ExitCode);
        var variables = ExchangeHarness.JsonVariables(run.Output, out var root);
        Assert.Equal(Names, variables.Keys);
        Assert.Equal(variables["GOOGLE_APPLICATION_CREDENTIALS"], root.GetProperty("credential_file").GetString());
        Assert.Equal("//iam.googleapis.com/" + Provider, root.GetProperty("sts_audience").GetString());
        Assert.Equal("https://iam.googleapis.com/" + Provider, root.GetProperty("github_audience").GetString());
        Assert.Equal("http://127.0.0.1:9/v1/token", root.GetProperty("token_url").GetString());
        Assert.False(root.TryGetProperty("service_account", out _));
    }

    [Fact]
    public async Task GitHubEnv_sets_the_variables_for_later_steps()
    {
        var run = await CliRun.RunAsync(_runner.Context(actions: true), "exchange", "gcp", "--workload-identity-provider", Provider, "--format", "github-env");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Output);
        var variables = ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText);
        Assert.Equal(Names, variables.Select(v => v.Name));
        Assert.True(File.Exists(variables[0].Value));
        Assert.DoesNotContain("::add-mask::", run.Error, StringComparison.Ordinal); // a path is not a secret
    }

    [Fact]
    public async Task A_path_with_quotes_command_substitution_and_a_newline_injects_nothing_in_any_format()
    {
        using var runner = new ExchangeHarness("it's $(id) `id`\nEVIL=1 '");

        var env = await runner.RunAsync("exchange", "gcp", "--workload-identity-provider", Provider);
        var json = await runner.RunAsync("exchange", "gcp", "--workload-identity-provider", Provider, "--format", "json");
        var githubEnv = await runner.RunAsync("exchange", "gcp", "--workload-identity-provider", Provider, "--format", "github-env");

        Assert.Equal([0, 0, 0], new[] { env.ExitCode, json.ExitCode, githubEnv.ExitCode });
        var envVariables = ExchangeHarness.ParseEnv(env.Output);
        var path = envVariables[0].Value;
        Assert.StartsWith(runner.RunnerTemp, path, StringComparison.Ordinal);
        Assert.Equal(
            string.Concat(Names.Select(n => "export " + n + "='" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'\n")),
            env.Output);
        Assert.True(env.Output.Contains("/it'\\''s $(id) `id`\nEVIL=1 '\\''/gha-creds-", StringComparison.Ordinal), env.Output);
        Assert.Equal(3, envVariables.Count);

        var jsonVariables = ExchangeHarness.JsonVariables(json.Output, out _);
        Assert.StartsWith(runner.RunnerTemp + Path.DirectorySeparatorChar, jsonVariables["GOOGLE_APPLICATION_CREDENTIALS"], StringComparison.Ordinal);

        var set = ExchangeHarness.ParseGitHubEnv(runner.GitHubEnvText);
        Assert.Equal(Names, set.Select(v => v.Name)); // no EVIL
        Assert.All(set, v => Assert.StartsWith(runner.RunnerTemp + Path.DirectorySeparatorChar, v.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_on_stdin_is_not_used_and_the_runner_variables_are_still_needed()
    {
        var withRunner = await CliRun.RunAsync(_runner.Context(stdin: "ignored"), "exchange", "gcp", "--workload-identity-provider", Provider, "--token", "-");
        var withoutRunner = await CliRun.RunAsync(
            _runner.Context(stdin: _runner.Issuer.IssueToken(), changes: [("ACTIONS_ID_TOKEN_REQUEST_URL", null), ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", null)]),
            "exchange", "gcp", "--workload-identity-provider", Provider, "--token", "-");

        Assert.Equal(0, withRunner.ExitCode);
        Assert.Contains("--token - is not used", withRunner.Error, StringComparison.Ordinal);
        Assert.Equal(3, withoutRunner.ExitCode);
        Assert.Empty(withoutRunner.Output);
        Assert.Single(Directory.GetFiles(_runner.RunnerTemp, "gha-creds-*")); // the first run's only
    }

    [Theory]
    [InlineData("projects/my-project/locations/global/workloadIdentityPools/p1234/providers/p1234", "project NUMBER")]
    [InlineData("github-provider", "workload identity provider must be")]
    public async Task A_malformed_provider_exits_2(string provider, string expected)
    {
        var run = await _runner.RunAsync("exchange", "gcp", "--workload-identity-provider", provider);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_runner.RunnerTemp));
    }

    [Fact]
    public async Task Missing_provider_exits_2()
    {
        var run = await _runner.RunAsync("exchange", "gcp");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--workload-identity-provider is required", run.Error, StringComparison.Ordinal);
    }
}
