using System.Text.Json;
using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

public sealed class GcpExchangeTests : IDisposable
{
    private const string Provider = "projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider";
    private static readonly string[] Names = ["GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", "GOOGLE_GHA_CREDS_PATH"];

    private readonly ExchangeHarness _runner = new();
    private readonly MockGoogleCloud _google = MockGoogleCloud.Start();

    public void Dispose()
    {
        _google.Dispose();
        _runner.Dispose();
    }

    /// <summary><c>exchange gcp</c> against the mock STS and IAM Credentials, with <paramref name="args"/> after the provider.</summary>
    private string[] Gcp(params string[] args) =>
        ["exchange", "gcp", "--workload-identity-provider", Provider, "--endpoint", _google.TokenUrl.AbsoluteUri, "--iam-endpoint", _google.ImpersonationUrlBase.AbsoluteUri, .. args];

    [Fact]
    public async Task Env_writes_a_0600_file_under_RUNNER_TEMP_and_points_the_three_variables_at_it()
    {
        var run = await _runner.RunAsync(Gcp("--service-account", "deployer@my-project.iam.gserviceaccount.com"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        var variables = ExchangeHarness.ParseEnv(run.Output);
        Assert.Equal([.. Names, .. GcpTarget.ProjectVariables], variables.Select(v => v.Name)); // the project comes from the account's email
        Assert.All(variables.Skip(3), v => Assert.Equal("my-project", v.Value));
        var path = variables[0].Value;
        Assert.All(variables.Take(3), v => Assert.Equal(path, v.Value));
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

        // One token was minted to prove the configuration: STS, then the service account's access token.
        Assert.Equal(1, _runner.Issuer.TokenRequestCount);
        Assert.Equal([MockGoogleEndpoint.Sts, MockGoogleEndpoint.GenerateAccessToken], _google.Requests.Select(r => r.Endpoint));
        Assert.All(_google.Requests, r => Assert.Equal(200, r.StatusCode));
    }

    [Fact]
    public async Task Json_names_the_file_and_the_audiences()
    {
        var run = await _runner.RunAsync(Gcp("--format", "json"));

        Assert.Equal(0, run.ExitCode);
        var variables = ExchangeHarness.JsonVariables(run.Output, out var root);
        Assert.Equal(Names, variables.Keys);
        Assert.Equal(variables["GOOGLE_APPLICATION_CREDENTIALS"], root.GetProperty("credential_file").GetString());
        Assert.Equal("//iam.googleapis.com/" + Provider, root.GetProperty("sts_audience").GetString());
        Assert.Equal("https://iam.googleapis.com/" + Provider, root.GetProperty("github_audience").GetString());
        Assert.Equal(_google.TokenUrl.AbsoluteUri, root.GetProperty("token_url").GetString());
        Assert.Equal("url", root.GetProperty("credential_source").GetString());
        Assert.False(root.TryGetProperty("service_account", out _));
    }

    [Fact]
    public async Task GitHubEnv_sets_the_variables_for_later_steps()
    {
        var run = await CliRun.RunAsync(_runner.Context(actions: true), Gcp("--format", "github-env"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Output);
        var variables = ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText);
        Assert.Equal(Names, variables.Select(v => v.Name));
        Assert.True(File.Exists(variables[0].Value));
        Assert.DoesNotContain(variables[0].Value, string.Join('\n', ExchangeHarness.MaskedValues(run.Error)), StringComparison.Ordinal); // a path is not a secret
    }

    [Fact]
    public async Task A_path_with_quotes_command_substitution_and_a_newline_injects_nothing_in_any_format()
    {
        using var runner = new ExchangeHarness("it's $(id) `id`\nEVIL=1 '");

        var env = await runner.RunAsync(Gcp());
        var json = await runner.RunAsync(Gcp("--format", "json"));
        var githubEnv = await runner.RunAsync(Gcp("--format", "github-env"));

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
    public async Task Token_on_stdin_is_the_one_minted_now_and_the_url_file_still_needs_the_runner_variables()
    {
        var withRunner = await CliRun.RunAsync(_runner.Context(stdin: _runner.Issuer.IssueToken(audience: "https://iam.googleapis.com/" + Provider)), Gcp("--token", "-"));
        var withoutRunner = await CliRun.RunAsync(
            _runner.Context(
                stdin: _runner.Issuer.IssueToken(audience: "https://iam.googleapis.com/" + Provider),
                changes: [("ACTIONS_ID_TOKEN_REQUEST_URL", null), ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", null)]),
            Gcp("--token", "-"));

        Assert.Equal(0, withRunner.ExitCode);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount); // the stdin token was exchanged
        Assert.Equal(2, _google.StsRequestCount);
        Assert.Equal(3, withoutRunner.ExitCode);
        Assert.Empty(withoutRunner.Output);
        Assert.Single(Directory.GetFiles(_runner.RunnerTemp, "gha-creds-*")); // the first run's only
    }

    [Theory]
    [InlineData("projects/my-project/locations/global/workloadIdentityPools/p1234/providers/p1234", "project NUMBER")]
    [InlineData("github-provider", "workload identity provider must be")]
    public async Task A_malformed_provider_exits_2(string provider, string expected)
    {
        var run = await _runner.RunAsync("exchange", "gcp", "--workload-identity-provider", provider, "--endpoint", _google.TokenUrl.AbsoluteUri);

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

    [Fact]
    public async Task Executable_source_writes_the_command_and_no_request_token()
    {
        var context = new CliContext(_runner.Context().Environment) { SelfCommand = ["/opt/oidc token/oidc-token"] };

        var run = await CliRun.RunAsync(context, Gcp("--credential-source", "executable", "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        var variables = ExchangeHarness.JsonVariables(run.Output, out var root);
        Assert.Equal("executable", root.GetProperty("credential_source").GetString());
        var text = File.ReadAllText(variables["GOOGLE_APPLICATION_CREDENTIALS"]);
        ExchangeHarness.AssertNoSecret(text, _runner.Issuer.RequestToken);
        Assert.DoesNotContain(_runner.Issuer.RequestUrl.Authority, text, StringComparison.Ordinal);
        using var config = JsonDocument.Parse(text);
        var source = config.RootElement.GetProperty("credential_source");
        Assert.Equal(["executable"], source.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            "\"/opt/oidc token/oidc-token\" token --audience https://iam.googleapis.com/" + Provider + " --format gcp-executable --timeout 25",
            source.GetProperty("executable").GetProperty("command").GetString());
        Assert.Equal(30000, source.GetProperty("executable").GetProperty("timeout_millis").GetInt32());
        Assert.Equal("urn:ietf:params:oauth:token-type:jwt", config.RootElement.GetProperty("subject_token_type").GetString());
    }

    [Fact]
    public async Task A_refused_exchange_exits_7_with_Googles_reason_and_the_claims_and_writes_nothing()
    {
        using var google = MockGoogleCloud.Start(new MockGoogleCloudOptions { AttributeCondition = claims => claims.GetValueOrDefault("repository_owner") == "someone-else" });

        var run = await CliRun.RunAsync(
            _runner.Context(actions: true),
            "exchange", "gcp", "--workload-identity-provider", Provider, "--endpoint", google.TokenUrl.AbsoluteUri, "--format", "github-env");

        Assert.Equal(7, run.ExitCode);
        Assert.Contains("unauthorized_client", run.Error, StringComparison.Ordinal);
        Assert.Contains("attribute condition", run.Error, StringComparison.Ordinal);
        Assert.Contains("repository_owner_id", run.Error, StringComparison.Ordinal); // the claims a condition compares
        Assert.Empty(Directory.GetFiles(_runner.RunnerTemp, "gha-creds-*"));
        Assert.Empty(_runner.GitHubEnvText);
        Assert.Single(google.Requests); // a refusal is not retried
    }

    [Fact]
    public async Task A_missing_impersonation_binding_exits_7_naming_the_role_to_grant()
    {
        using var google = MockGoogleCloud.Start(new MockGoogleCloudOptions { ServiceAccounts = { "other@my-project.iam.gserviceaccount.com" } });

        var run = await _runner.RunAsync(
            "exchange", "gcp", "--workload-identity-provider", Provider, "--endpoint", google.TokenUrl.AbsoluteUri,
            "--iam-endpoint", google.ImpersonationUrlBase.AbsoluteUri, "--service-account", "deployer@my-project.iam.gserviceaccount.com");

        Assert.Equal(7, run.ExitCode);
        Assert.Contains("PERMISSION_DENIED", run.Error, StringComparison.Ordinal);
        Assert.Contains("roles/iam.workloadIdentityUser", run.Error, StringComparison.Ordinal);
        Assert.Contains("deployer@my-project.iam.gserviceaccount.com", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
        Assert.Empty(Directory.GetFiles(_runner.RunnerTemp, "gha-creds-*"));
    }

    [Fact]
    public async Task Access_token_format_exports_the_masked_token_with_lifetime_scopes_and_delegates()
    {
        var output = Path.Combine(_runner.RunnerTemp, "..", "github-output");
        File.WriteAllText(output, string.Empty);
        var context = _runner.Context(actions: true, changes: [("GITHUB_OUTPUT", output)]);

        var run = await CliRun.RunAsync(
            context,
            Gcp("--service-account", "deployer@my-project.iam.gserviceaccount.com", "--token-format", "access_token", "--access-token-lifetime", "600s",
                "--access-token-scopes", "https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/userinfo.email",
                "--delegates", "hop@my-project.iam.gserviceaccount.com", "--project-id", "other-project", "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        var variables = ExchangeHarness.JsonVariables(run.Output, out var root);
        var token = variables["GCP_ACCESS_TOKEN"];
        Assert.StartsWith("ya29.mock-", token, StringComparison.Ordinal);
        Assert.Contains(token, ExchangeHarness.MaskedValues(run.Error));
        Assert.All(GcpTarget.ProjectVariables, v => Assert.Equal("other-project", variables[v]));
        Assert.True(root.TryGetProperty("token_expiration", out _));
        var iam = Assert.Single(_google.Requests, r => r.Endpoint == MockGoogleEndpoint.GenerateAccessToken);
        Assert.Equal("600s", iam.Lifetime);
        Assert.Equal("https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email", iam.Scope);
        Assert.Equal("projects/-/serviceAccounts/hop@my-project.iam.gserviceaccount.com", iam.Delegates);
        Assert.Equal("https://www.googleapis.com/auth/cloud-platform", _google.Requests.Single(r => r.Endpoint == MockGoogleEndpoint.Sts).Scope);

        // The non-secret facts are step outputs whatever the format; the token is not one of them.
        var outputs = ExchangeHarness.ParseGitHubEnv(File.ReadAllText(output)).ToDictionary(o => o.Name, o => o.Value);
        Assert.Equal(variables["GOOGLE_APPLICATION_CREDENTIALS"], outputs["credentials-file-path"]);
        Assert.Equal("other-project", outputs["project-id"]);
        Assert.True(outputs.ContainsKey("access-token-expiration"));
        ExchangeHarness.AssertNoSecret(File.ReadAllText(output), token);
    }

    [Fact]
    public async Task Id_token_format_mints_for_the_audience_with_the_email()
    {
        var run = await _runner.RunAsync(
            Gcp("--service-account", "deployer@my-project.iam.gserviceaccount.com", "--token-format", "id_token", "--id-token-audience", "https://api.example.com",
                "--id-token-include-email"));

        Assert.Equal(0, run.ExitCode);
        var variables = ExchangeHarness.ParseEnv(run.Output).ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal(3, variables["GCP_ID_TOKEN"].Split('.').Length);
        var iam = Assert.Single(_google.Requests, r => r.Endpoint == MockGoogleEndpoint.GenerateIdToken);
        Assert.Equal("https://api.example.com", iam.IdTokenAudience);
        Assert.True(iam.IncludeEmail);
        Assert.True(iam.HadValidBearer);
    }

    [Fact]
    public async Task Direct_federation_exports_the_federated_access_token()
    {
        var run = await _runner.RunAsync(Gcp("--token-format", "access_token", "--access-token-scopes", "https://www.googleapis.com/auth/devstorage.read_only"));

        Assert.Equal(0, run.ExitCode);
        var variables = ExchangeHarness.ParseEnv(run.Output).ToDictionary(v => v.Name, v => v.Value);
        Assert.StartsWith("ya29.mock-", variables["GCP_ACCESS_TOKEN"], StringComparison.Ordinal);
        Assert.False(variables.ContainsKey("GOOGLE_CLOUD_PROJECT")); // no --project-id, no service account to take it from
        var sts = Assert.Single(_google.Requests);
        Assert.Equal("https://www.googleapis.com/auth/devstorage.read_only", sts.Scope);
    }

    [Theory]
    [InlineData("--token-format id_token needs --service-account", "--token-format", "id_token", "--id-token-audience", "x")]
    [InlineData("--token-format id_token needs --id-token-audience", "--token-format", "id_token", "--service-account", "a@my-project.iam.gserviceaccount.com")]
    [InlineData("--access-token-lifetime needs --service-account", "--access-token-lifetime", "600")]
    [InlineData("--delegates needs --service-account", "--delegates", "a@b.iam.gserviceaccount.com")]
    [InlineData("--access-token-lifetime '99999' must be", "--access-token-lifetime", "99999", "--service-account", "a@my-project.iam.gserviceaccount.com")]
    [InlineData("--project-id '123456789012' is not a project id", "--project-id", "123456789012")]
    [InlineData("--id-token-audience is only used with --token-format id_token", "--id-token-audience", "x")]
    [InlineData("--audience 'a b' holds a space", "--credential-source", "executable", "--audience", "a b")]
    public async Task Inconsistent_google_options_exit_2_before_anything_is_requested(string expected, params string[] args)
    {
        var run = await _runner.RunAsync(Gcp(args));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Empty(_google.Requests);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }
}
