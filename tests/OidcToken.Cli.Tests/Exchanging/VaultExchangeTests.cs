using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

public sealed class VaultExchangeTests : IDisposable
{
    private readonly ExchangeHarness _runner = new();
    private readonly MockVault _vault;

    public VaultExchangeTests() => _vault = MockVault.Start(_runner.Issuer.DefaultAudience, role: "ci");

    public void Dispose()
    {
        _vault.Dispose();
        _runner.Dispose();
    }

    private string Address => _vault.BaseAddress.AbsoluteUri;

    [Fact]
    public async Task Env_prints_the_token_and_address_and_records_the_token_for_cleanup()
    {
        var run = await _runner.RunAsync("exchange", "vault", "--endpoint", Address, "--role", "ci");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        var variables = ExchangeHarness.ParseEnv(run.Output);
        Assert.Equal([("VAULT_TOKEN", variables[0].Value), ("VAULT_ADDR", Address)], variables);
        Assert.True(_vault.IsActive(variables[0].Value));
        Assert.Equal(_runner.Issuer.DefaultAudience, Assert.Single(_vault.Requests).Audience); // GitHub's default: no audience asked for
        Assert.Null(Assert.Single(_runner.Issuer.TokenRequests).Audience);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_runner.StateFile));
        }
    }

    [Fact]
    public async Task VAULT_ADDR_is_used_when_endpoint_is_absent_and_json_has_the_facts()
    {
        var context = _runner.Context(changes: ("VAULT_ADDR", Address));

        var run = await CliRun.RunAsync(context, "exchange", "vault", "--role", "ci", "--format", "json");

        Assert.Equal(0, run.ExitCode);
        var variables = ExchangeHarness.JsonVariables(run.Output, out var root);
        Assert.True(_vault.IsActive(variables["VAULT_TOKEN"]));
        Assert.Equal(Address, variables["VAULT_ADDR"]);
        Assert.Equal(["default", "ci"], root.GetProperty("policies").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(3600, root.GetProperty("lease_duration_seconds").GetInt64());
        Assert.True(root.GetProperty("renewable").GetBoolean());
        Assert.True(root.TryGetProperty("expires_at", out _));
        Assert.False(root.TryGetProperty("accessor", out _));
    }

    [Fact]
    public async Task Mount_path_namespace_and_github_env()
    {
        using var vault = MockVault.Start(_runner.Issuer.DefaultAudience, role: "ci", mountPath: "github", vaultNamespace: "admin/team");

        var run = await CliRun.RunAsync(
            _runner.Context(actions: true),
            "exchange", "vault", "--endpoint", vault.BaseAddress.AbsoluteUri, "--role", "ci", "--path", "github", "--namespace", "admin/team", "--format", "github-env");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Output);
        var variables = ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText);
        Assert.Equal(["VAULT_TOKEN", "VAULT_ADDR", "VAULT_NAMESPACE"], variables.Select(v => v.Name));
        Assert.True(vault.IsActive(variables[0].Value));
        Assert.Equal("admin/team", variables[2].Value);
        Assert.Contains(variables[0].Value, ExchangeHarness.MaskedValues(run.Error));
        ExchangeHarness.AssertNoSecret(run.Error, variables[0].Value);
    }

    [Fact]
    public async Task Token_from_stdin()
    {
        var token = _runner.Issuer.IssueToken();

        var run = await CliRun.RunAsync(_runner.Context(stdin: token), "exchange", "vault", "--endpoint", Address, "--token", "-");

        Assert.Equal(0, run.ExitCode);
        Assert.True(_vault.IsActive(ExchangeHarness.ParseEnv(run.Output)[0].Value));
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Refusal_exits_7_with_Vaults_error_and_the_tokens_claims()
    {
        _vault.BoundSubject = "repo:octo-org/octo-repo:environment:prod";

        var run = await _runner.RunAsync("exchange", "vault", "--endpoint", Address, "--role", "ci");

        Assert.Equal(7, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: ExchangeRefused: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("claim \"sub\" does not match", run.Error, StringComparison.Ordinal);
        Assert.Contains("sub 'repo:octo-org/octo-repo:ref:refs/heads/main'", run.Error, StringComparison.Ordinal);
        Assert.Contains("job_workflow_ref", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_runner.StateFile));
    }

    [Fact]
    public async Task Unreachable_exits_4()
    {
        var address = Address;
        _vault.Dispose();

        var run = await _runner.RunAsync("exchange", "vault", "--endpoint", address);

        Assert.Equal(4, run.ExitCode);
        Assert.StartsWith("oidc-token: ExchangeFailed: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_address_exits_2_naming_endpoint_and_VAULT_ADDR()
    {
        var run = await _runner.RunAsync("exchange", "vault", "--role", "ci");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--endpoint URL, or VAULT_ADDR", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task A_missing_ca_file_exits_2()
    {
        var run = await _runner.RunAsync("exchange", "vault", "--endpoint", Address, "--ca-file", Path.Combine(_runner.RunnerTemp, "none.pem"));

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Equal(0, _vault.RequestCount);
    }
}
