using OidcToken.Testing;
using OidcToken.TestSupport;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// What a run inside GitHub Actions tells the workflow besides its result: the <c>::error</c> annotation and step-summary
/// section of a failed <c>exchange</c> (and <c>token</c>), and the <c>::warning</c> annotations before an exchange from a
/// reusable workflow or on <c>pull_request_target</c>. In process, against the mock issuer and <see cref="MockVault"/>.
/// </summary>
public sealed class ActionsAnnotationTests : IDisposable
{
    private readonly ExchangeHarness _runner = new();
    private readonly MockVault _vault;

    public ActionsAnnotationTests()
    {
        _vault = MockVault.Start(_runner.Issuer.DefaultAudience, role: "ci");
        Summary = Path.Combine(_runner.RunnerTemp, "step-summary.md");
        File.WriteAllText(Summary, "earlier step text\n");
    }

    private string Summary { get; }

    public void Dispose()
    {
        _vault.Dispose();
        _runner.Dispose();
    }

    private string[] Vault(params string[] more) => ["exchange", "vault", "--endpoint", _vault.BaseAddress.AbsoluteUri, "--role", "ci", .. more];

    private CliContext InActions(string? stdin = null, string? summary = null) =>
        _runner.Context(actions: true, stdin: stdin, changes: ("GITHUB_STEP_SUMMARY", summary ?? Summary));

    [Fact]
    public async Task A_refused_exchange_writes_an_error_annotation_and_a_summary_with_the_claims_and_never_the_token()
    {
        _vault.BoundSubject = "repo:other-org/other-repo:ref:refs/heads/main";

        var run = await CliRun.RunAsync(InActions(), Vault());

        Assert.Equal(7, run.ExitCode);
        Assert.Empty(run.Output);
        var annotation = Assert.Single(run.Error.Split(Environment.NewLine), l => l.StartsWith("::error ", StringComparison.Ordinal));
        Assert.StartsWith("::error title=oidc-token exchange vault%3A ExchangeRefused (exit 7)::", annotation, StringComparison.Ordinal);
        Assert.DoesNotContain("%0A", annotation, StringComparison.Ordinal); // one line: what happened
        Assert.True(annotation.Length > "::error title=oidc-token exchange vault%3A ExchangeRefused (exit 7)::".Length + 10);

        var summary = File.ReadAllText(Summary);
        Assert.StartsWith("earlier step text\n### oidc-token exchange vault failed: ExchangeRefused (exit 7)\n", summary, StringComparison.Ordinal);
        Assert.Contains("**What happened:** ", summary, StringComparison.Ordinal);
        Assert.Contains("**Fix:** ", summary, StringComparison.Ordinal);
        Assert.Contains("| `sub` | repo:octo-org/octo-repo:ref:refs/heads/main |", summary, StringComparison.Ordinal);
        Assert.Contains("| `aud` | " + _runner.Issuer.DefaultAudience + " |", summary, StringComparison.Ordinal);
        Assert.Contains("| `repository_owner_id` | 123456 |", summary, StringComparison.Ordinal);
        Assert.Contains("| `environment` | *(absent)* |", summary, StringComparison.Ordinal);
        Assert.Contains("| `job_workflow_ref` | octo-org/octo-repo/.github/workflows/ci.yml\\@refs/heads/main |", summary, StringComparison.Ordinal); // '@' escaped: no mention
        Assert.Contains(OidcTokenException.GetHelpLink(OidcTokenErrorCode.ExchangeRefused), summary, StringComparison.Ordinal);
        AssertNoToken(summary, run.Error);
    }

    [Fact]
    public async Task Claim_values_that_try_to_break_the_table_stay_in_their_cells()
    {
        _vault.BoundSubject = "repo:other-org/other-repo:ref:refs/heads/main";
        var token = _runner.Issuer.IssueToken(claimOverrides: new Dictionary<string, string>
        {
            ["environment"] = "prod | injected |\n| `sub` | forged |\n<script>alert(1)</script>",
        });

        var run = await CliRun.RunAsync(InActions(stdin: token), Vault("--token", "-"));

        Assert.Equal(7, run.ExitCode);
        var summary = File.ReadAllText(Summary);
        var rows = summary.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(12, rows.Length);
        Assert.Single(rows, r => r.StartsWith("| `sub` |", StringComparison.Ordinal));
        var environment = Assert.Single(rows, r => r.StartsWith("| `environment` |", StringComparison.Ordinal));
        Assert.Equal("| `environment` | prod \\| injected \\|\\\\u000A\\| \\`sub\\` \\| forged \\|\\\\u000A\\<script\\>alert\\(1\\)\\</script\\> |", environment);
        Assert.DoesNotContain("<script>", summary, StringComparison.Ordinal);
        AssertNoToken(summary, run.Error, token);
    }

    [Fact]
    public async Task An_unwritable_summary_only_warns_and_the_exit_code_stays_the_failures()
    {
        _vault.BoundSubject = "repo:other-org/other-repo:ref:refs/heads/main";

        var run = await CliRun.RunAsync(InActions(summary: _runner.RunnerTemp), Vault()); // a folder

        Assert.Equal(7, run.ExitCode);
        Assert.Contains("::error title=", run.Error, StringComparison.Ordinal);
        Assert.Contains("oidc-token: exchange vault: warning: the step summary was not written: could not append to $GITHUB_STEP_SUMMARY: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_summary_that_would_pass_1_MiB_is_not_written()
    {
        _vault.BoundSubject = "repo:other-org/other-repo:ref:refs/heads/main";
        File.WriteAllText(Summary, new string('x', (1024 * 1024) - 200));

        var run = await CliRun.RunAsync(InActions(), Vault());

        Assert.Equal(7, run.ExitCode);
        Assert.Equal((1024 * 1024) - 200, new FileInfo(Summary).Length);
        Assert.Contains("warning: the step summary was not written: the step summary would exceed the runner's limit of 1 MiB", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_GitHub_Actions_there_is_no_annotation_and_no_summary()
    {
        _vault.BoundSubject = "repo:other-org/other-repo:ref:refs/heads/main";

        var run = await CliRun.RunAsync(_runner.Context(changes: ("GITHUB_STEP_SUMMARY", Summary)), Vault());

        Assert.Equal(7, run.ExitCode);
        Assert.DoesNotContain("::", run.Error.Replace("://", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("earlier step text\n", File.ReadAllText(Summary));
    }

    [Fact]
    public async Task A_success_writes_no_annotation_and_no_summary()
    {
        var run = await CliRun.RunAsync(InActions(), Vault());

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("::error", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("::warning", run.Error, StringComparison.Ordinal);
        Assert.Equal("earlier step text\n", File.ReadAllText(Summary));
    }

    [Fact]
    public async Task A_token_command_without_the_permission_annotates_and_summarises_without_claims()
    {
        var context = new CliContext(name => name switch
        {
            "GITHUB_ACTIONS" => "true",
            "GITHUB_STEP_SUMMARY" => Summary,
            _ => null,
        });

        var run = await CliRun.RunAsync(context, "token");

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("::error title=oidc-token token%3A PermissionMissing (exit 3)::GitHub Actions did not give this job an OIDC token", run.Error, StringComparison.Ordinal);
        var summary = File.ReadAllText(Summary);
        Assert.Contains("### oidc-token token failed: PermissionMissing (exit 3)", summary, StringComparison.Ordinal);
        Assert.Contains("No GitHub ID token was obtained", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reusable_workflow_is_warned_about_before_the_exchange()
    {
        var token = _runner.Issuer.IssueToken(claimOverrides: new Dictionary<string, string>
        {
            ["job_workflow_ref"] = "octo-org/shared-workflows/.github/workflows/deploy.yml@refs/tags/v1",
        });

        var run = await CliRun.RunAsync(InActions(stdin: token), Vault("--token", "-"));

        Assert.Equal(0, run.ExitCode);
        var lines = run.Error.Split(Environment.NewLine);
        var warning = Array.FindIndex(lines, l => l.StartsWith("::warning title=oidc-token exchange vault%3A reusable workflow::", StringComparison.Ordinal));
        Assert.True(warning >= 0, run.Error);
        Assert.Contains("job_workflow_ref 'octo-org/shared-workflows/.github/workflows/deploy.yml@refs/tags/v1', which names the called workflow", lines[warning], StringComparison.Ordinal);
        Assert.Contains("sub 'repo:octo-org/octo-repo:ref:refs/heads/main', which describes the caller", lines[warning], StringComparison.Ordinal);

        // Before the exchange: the Vault token's mask command (written once Vault has answered) comes after the warning.
        var vaultToken = ExchangeHarness.MaskedValues(run.Error).Single(v => v != token);
        var mask = Array.IndexOf(lines, "::add-mask::" + vaultToken);
        Assert.True(mask > warning, run.Error);
        ExchangeHarness.AssertNoSecret(run.Error, token, vaultToken);
    }

    [Fact]
    public async Task Pull_request_target_is_warned_about_with_the_base_branchs_ref()
    {
        var token = _runner.Issuer.IssueToken(claimOverrides: new Dictionary<string, string> { ["event_name"] = "pull_request_target" });

        var run = await CliRun.RunAsync(InActions(stdin: token), Vault("--token", "-"));

        Assert.Equal(0, run.ExitCode);
        var warning = Assert.Single(run.Error.Split(Environment.NewLine), l => l.StartsWith("::warning ", StringComparison.Ordinal));
        Assert.StartsWith("::warning title=oidc-token exchange vault%3A pull_request_target::", warning, StringComparison.Ordinal);
        Assert.Contains("base repository's context", warning, StringComparison.Ordinal);
        Assert.Contains("ref 'refs/heads/main'", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ordinary_push_job_gets_no_warning()
    {
        var run = await CliRun.RunAsync(InActions(), Vault("--format", "json"));

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("::warning", run.Error, StringComparison.Ordinal);
    }

    private void AssertNoToken(string summary, string error, string? idToken = null)
    {
        LeakGuard.AssertNoLeak(summary, "the step summary");
        ExchangeHarness.AssertNoSecret(summary, _runner.Issuer.RequestToken, idToken);
        ExchangeHarness.AssertNoSecret(error, _runner.Issuer.RequestToken, idToken);
        Assert.DoesNotContain("eyJ", summary, StringComparison.Ordinal);
    }
}
