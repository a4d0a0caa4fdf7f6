using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

/// <summary>Usage errors shared by every target: each exits 2 before any token is requested or anything is sent.</summary>
public sealed class ExchangeUsageTests : IDisposable
{
    private readonly ExchangeHarness _runner = new();
    private readonly MockCratesRegistry _registry = MockCratesRegistry.Start();

    public void Dispose()
    {
        _registry.Dispose();
        _runner.Dispose();
    }

    private string[] Crates(params string[] more) => ["exchange", "crates", "--endpoint", _registry.RegistryUrl.AbsoluteUri, .. more];

    private void AssertNothingHappened(CliRun run)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.NotEmpty(run.Error);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
        Assert.Equal(0, _registry.RequestCount);
    }

    [Fact]
    public async Task A_token_on_the_command_line_is_refused()
    {
        var token = _runner.Issuer.IssueToken();

        var run = await _runner.RunAsync(Crates("--token", token));

        AssertNothingHappened(run);
        Assert.Contains("--token accepts only '-'", run.Error, StringComparison.Ordinal);
        ExchangeHarness.AssertNoSecret(run.Error, token);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("not-a-jwt")]
    public async Task Empty_or_malformed_stdin_is_a_usage_error(string stdin)
    {
        var run = await CliRun.RunAsync(_runner.Context(stdin: stdin), Crates("--token", "-"));

        AssertNothingHappened(run);
        Assert.StartsWith("oidc-token: exchange crates: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitHubEnv_without_GITHUB_ENV_is_a_usage_error()
    {
        var run = await CliRun.RunAsync(_runner.Context(changes: ("GITHUB_ENV", null)), Crates("--format", "github-env"));

        AssertNothingHappened(run);
        Assert.Contains("--format github-env needs the GITHUB_ENV variable", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitHubEnv_naming_a_folder_is_a_usage_error_before_anything_is_requested()
    {
        var run = await CliRun.RunAsync(_runner.Context(changes: ("GITHUB_ENV", _runner.RunnerTemp)), Crates("--format", "github-env"));

        AssertNothingHappened(run);
        Assert.Contains("--format github-env cannot append to $GITHUB_ENV", run.Error, StringComparison.Ordinal);
        Assert.Contains("it is a folder", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitHubEnv_in_a_missing_folder_is_a_usage_error_before_anything_is_requested()
    {
        var missing = Path.Combine(_runner.RunnerTemp, "no-such-folder", "github-env");

        var run = await CliRun.RunAsync(_runner.Context(changes: ("GITHUB_ENV", missing)), Crates("--format", "github-env"));

        AssertNothingHappened(run);
        Assert.Contains("--format github-env cannot append to $GITHUB_ENV ('" + missing + "')", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    [Theory]
    [InlineData("--format", "yaml")]
    [InlineData("--audience", " ")]
    [InlineData("--endpoint", "relative/path")]
    public async Task Bad_common_options(string option, string value)
    {
        var run = await _runner.RunAsync(option == "--endpoint" ? ["exchange", "crates", option, value] : Crates(option, value));

        AssertNothingHappened(run);
    }

    [Theory]
    [InlineData("exchange")]
    [InlineData("exchange", "heroku")]
    [InlineData("cleanup", "--now")]
    public async Task Missing_or_unknown_commands(params string[] args)
    {
        var run = await _runner.RunAsync(args);

        AssertNothingHappened(run);
    }

    [Fact]
    public async Task Cleanup_help_says_the_state_file_holds_tokens_and_is_0600()
    {
        var run = await _runner.RunAsync("cleanup", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("oidc-token-state.json", run.Output, StringComparison.Ordinal);
        Assert.Contains("0600", run.Output, StringComparison.Ordinal);
        Assert.Contains("holds those tokens", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws")]
    [InlineData("azure")]
    [InlineData("gcp")]
    [InlineData("vault")]
    [InlineData("nuget")]
    [InlineData("pypi")]
    [InlineData("npm")]
    [InlineData("crates")]
    public async Task Every_target_has_the_common_options_and_names_no_registry_host(string target)
    {
        var run = await _runner.RunAsync("exchange", target, "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--endpoint", "--audience", "--token", "--format" })
        {
            Assert.Contains(option, run.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch("(?i)nuget[.]org|npmjs[.](org|com)|pypi[.](org|io)|pythonhosted[.]org|crates[.]io/|://crates[.]", run.Output);
    }
}
