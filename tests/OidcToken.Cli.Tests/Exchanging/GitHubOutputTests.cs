using OidcToken.Testing;
using OidcToken.TestSupport;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>--format github-output</c> and the non-secret step outputs every format writes when <c>$GITHUB_OUTPUT</c> is set:
/// the file read back as the runner reads it (<see cref="ExchangeHarness.ParseGitHubEnv"/>: <c>$GITHUB_OUTPUT</c> has the
/// same <c>NAME&lt;&lt;DELIMITER</c> form), values built to inject, the checks before any request, and the order of mask and write.
/// </summary>
public sealed class GitHubOutputTests : IDisposable
{
    private readonly ExchangeHarness _runner = new();
    private readonly MockVault _vault;

    public GitHubOutputTests()
    {
        _vault = MockVault.Start(_runner.Issuer.DefaultAudience, role: "ci");
        OutputFile = Path.Combine(_runner.RunnerTemp, "github-output");
        File.WriteAllText(OutputFile, string.Empty);
    }

    private string OutputFile { get; }

    private string OutputText => File.ReadAllText(OutputFile);

    public void Dispose()
    {
        _vault.Dispose();
        _runner.Dispose();
    }

    private CliContext Context(bool actions = false, string? output = null) =>
        _runner.Context(actions: actions, changes: ("GITHUB_OUTPUT", output ?? OutputFile));

    private string[] Vault(params string[] more) => ["exchange", "vault", "--endpoint", _vault.BaseAddress.AbsoluteUri, "--role", "ci", .. more];

    [Fact]
    public async Task Vault_github_output_writes_the_token_address_policies_and_lease_as_outputs_and_nothing_on_stdout()
    {
        var run = await CliRun.RunAsync(Context(actions: true), Vault("--format", "github-output"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Output);
        var outputs = ExchangeHarness.ParseGitHubEnv(OutputText);
        Assert.Equal(["vault-token", "vault-addr", "vault-policies", "vault-lease-duration", "vault-expiration"], outputs.Select(o => o.Name));
        var token = outputs[0].Value;
        Assert.True(_vault.IsActive(token));
        Assert.Equal(_vault.BaseAddress.AbsoluteUri, outputs[1].Value);
        Assert.Equal("default,ci", outputs[2].Value);
        Assert.Equal("3600", outputs[3].Value);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", outputs[4].Value);
        Assert.Contains(token, ExchangeHarness.MaskedValues(run.Error));
        Assert.Contains("set vault-token, vault-addr, vault-policies, vault-lease-duration, vault-expiration as step outputs ($GITHUB_OUTPUT).", run.Error, StringComparison.Ordinal);
        Assert.Empty(_runner.GitHubEnvText);
        ExchangeHarness.AssertNoSecret(run.Error, token);
    }

    [Theory]
    [InlineData("env")]
    [InlineData("json")]
    [InlineData("github-env")]
    public async Task Every_format_writes_the_non_secret_outputs_and_never_the_token_when_GITHUB_OUTPUT_is_set(string format)
    {
        var run = await CliRun.RunAsync(Context(), Vault("--format", format));

        Assert.Equal(0, run.ExitCode);
        var outputs = ExchangeHarness.ParseGitHubEnv(OutputText);
        Assert.Equal(["vault-policies", "vault-lease-duration", "vault-expiration"], outputs.Select(o => o.Name));
        var token = format switch
        {
            "env" => ExchangeHarness.ParseEnv(run.Output)[0].Value,
            "json" => ExchangeHarness.JsonVariables(run.Output, out _)["VAULT_TOKEN"],
            _ => ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText)[0].Value,
        };
        Assert.True(_vault.IsActive(token));
        ExchangeHarness.AssertNoSecret(OutputText, token);
        LeakGuard.AssertNoLeak(OutputText, "$GITHUB_OUTPUT");
    }

    [Fact]
    public async Task Without_GITHUB_OUTPUT_the_other_formats_write_no_outputs_and_say_nothing()
    {
        var run = await CliRun.RunAsync(_runner.Context(), Vault());

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.Empty(OutputText);
    }

    [Fact]
    public async Task An_unwritable_GITHUB_OUTPUT_in_another_format_only_warns_after_the_credentials_are_delivered()
    {
        var run = await CliRun.RunAsync(Context(output: _runner.RunnerTemp), Vault());

        Assert.Equal(0, run.ExitCode);
        Assert.True(_vault.IsActive(ExchangeHarness.ParseEnv(run.Output)[0].Value));
        Assert.Contains("warning: the step outputs (vault-policies, vault-lease-duration, vault-expiration) were not written", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("folder")]
    [InlineData("missing-folder/file")]
    public async Task A_missing_or_unwritable_GITHUB_OUTPUT_is_a_usage_error_before_any_request(string? kind)
    {
        var path = kind switch
        {
            null => null,
            "" => "",
            "folder" => _runner.RunnerTemp,
            _ => Path.Combine(_runner.RunnerTemp, "no-such-folder", "output"),
        };

        var run = await CliRun.RunAsync(_runner.Context(changes: ("GITHUB_OUTPUT", path)), Vault("--format", "github-output"));

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains(kind is null or "" ? "--format github-output needs the GITHUB_OUTPUT variable" : "--format github-output cannot append to $GITHUB_OUTPUT", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
        Assert.Equal(0, _vault.IssuedTokenCount);
    }

    [Fact]
    public async Task Values_that_look_like_delimiters_and_commands_come_back_exactly_and_set_nothing_else()
    {
        using var registry = MockCratesRegistry.Start();
        const string Token = "cio ghadelimiter_00000000000000000000000000000000 EVIL<<EOF other=1 %0A::add-mask::x \\u000A";
        registry.FailNextRequests(1, MockHttpTargetFault.Status(200, "{\"token\":\"" + Token.Replace("\\", "\\\\", StringComparison.Ordinal) + "\"}"));

        var run = await CliRun.RunAsync(Context(actions: true), "exchange", "crates", "--endpoint", registry.RegistryUrl.AbsoluteUri, "--format", "github-output");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal([("cargo-registry-token", Token)], ExchangeHarness.ParseGitHubEnv(OutputText));
        Assert.Contains(Token, ExchangeHarness.MaskedValues(run.Error));
    }

    [Theory]
    [InlineData("line1\nline2")]
    [InlineData("x\nghadelimiter_fixed\nEVIL<<EOF\ninjected\nEOF")]
    [InlineData("\n\nname=value\n")]
    [InlineData("crlf\r\nnext=1\r\n")]
    public void Multi_line_values_come_back_exactly_from_the_output_file(string value)
    {
        var delimiters = new Queue<string>(["ghadelimiter_fixed", "ghadelimiter_other", "ghadelimiter_third"]);

        var text = CredentialOutput.GitHubOutput([new("SECRET_VALUE", value, secret: true)], [new StepOutput("fact", "1")], delimiters.Dequeue);

        Assert.Equal([("secret-value", value), ("fact", "1")], ExchangeHarness.ParseGitHubEnv(text));
    }

    [Fact]
    public async Task The_secret_is_masked_before_the_output_file_is_written()
    {
        var lengthsAtMask = new List<long>();
        using var output = new StringWriter();
        using var error = new ProbeWriter(line =>
        {
            if (line.StartsWith("::add-mask::", StringComparison.Ordinal))
            {
                lengthsAtMask.Add(new FileInfo(OutputFile).Length);
            }
        });
        string[] args = Vault("--format", "github-output");

        var exitCode = await OidcTokenCommand.RunAsync(args, output, error, CancellationToken.None, Context(actions: true));

        LeakGuard.CheckCliRun(args, output.ToString(), error.ToString());
        Assert.Equal(0, exitCode);
        Assert.NotEmpty(lengthsAtMask);
        Assert.All(lengthsAtMask, length => Assert.Equal(0, length));
        Assert.NotEqual(0, new FileInfo(OutputFile).Length);
    }

    [Fact]
    public async Task Outputs_append_to_what_earlier_steps_wrote()
    {
        File.WriteAllText(OutputFile, "earlier=1\n");

        var run = await CliRun.RunAsync(Context(), Vault("--format", "github-output"));

        Assert.Equal(0, run.ExitCode);
        var outputs = ExchangeHarness.ParseGitHubEnv(OutputText);
        Assert.Equal(("earlier", "1"), outputs[0]);
        Assert.Equal(6, outputs.Count);
    }

    [Fact]
    public void A_step_output_named_like_a_variables_output_is_written_once()
    {
        var text = CredentialOutput.GitHubOutput(
            [new("AZURE_ACCESS_TOKEN", "t", secret: true), new("AZURE_CLIENT_ID", "c", secret: false)],
            [new StepOutput("azure-client-id", "c"), new StepOutput("azure-expiration", "2026-01-01T00:00:00Z")]);

        Assert.Equal(
            [("azure-access-token", "t"), ("azure-client-id", "c"), ("azure-expiration", "2026-01-01T00:00:00Z")],
            ExchangeHarness.ParseGitHubEnv(text));
    }

    /// <summary>A stderr that reports each line as it is written (the mask commands are written line by line).</summary>
    private sealed class ProbeWriter(Action<string> onLine) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            onLine(value ?? string.Empty);
            base.WriteLine(value);
        }
    }
}
