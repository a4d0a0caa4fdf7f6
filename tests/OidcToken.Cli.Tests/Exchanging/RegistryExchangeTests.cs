using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

/// <summary><c>exchange nuget|pypi|npm|crates</c> against the mock registries; every registry URL is a loopback mock.</summary>
public sealed class RegistryExchangeTests : IDisposable
{
    private const string NuGetAudience = "nuget-audience-from-the-docs";

    private readonly ExchangeHarness _runner = new();

    public void Dispose() => _runner.Dispose();

    public static TheoryData<string> Formats() => ["env", "json", "github-env"];

    /// <summary>The variables a run handed over, whatever its format.</summary>
    private IReadOnlyList<(string Name, string Value)> Handed(CliRun run, string format)
    {
        Assert.True(run.ExitCode == 0, run.Error);
        return format switch
        {
            "env" => ExchangeHarness.ParseEnv(run.Output),
            "json" => ExchangeHarness.JsonVariables(run.Output, out _).Select(p => (p.Key, p.Value)).ToArray(),
            _ => AssertEmptyAndRead(run),
        };
    }

    private IReadOnlyList<(string Name, string Value)> AssertEmptyAndRead(CliRun run)
    {
        Assert.Empty(run.Output);
        return ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task NuGet_success(string format)
    {
        using var gallery = MockNuGetTokenService.Start(NuGetAudience, user: "octo-publisher");

        var run = await _runner.RunAsync(
            "exchange", "nuget", "--endpoint", gallery.TokenServiceUrl.AbsoluteUri, "--audience", NuGetAudience, "--user", "octo-publisher", "--format", format);

        var variable = Assert.Single(Handed(run, format));
        Assert.Equal("NUGET_API_KEY", variable.Name);
        Assert.True(gallery.IsValidKey(variable.Value));
        Assert.Equal(NuGetAudience, Assert.Single(_runner.Issuer.TokenRequests).Audience);
        if (format == "json")
        {
            ExchangeHarness.JsonVariables(run.Output, out var root);
            Assert.Equal("NuGet", root.GetProperty("registry").GetString());
            Assert.True(root.TryGetProperty("expires_at", out _));
        }
    }

    [Fact]
    public async Task NuGet_token_from_stdin_is_used_once()
    {
        using var gallery = MockNuGetTokenService.Start(NuGetAudience, user: "octo-publisher");
        var token = _runner.Issuer.IssueToken(NuGetAudience);

        var run = await CliRun.RunAsync(
            _runner.Context(stdin: token),
            "exchange", "nuget", "--endpoint", gallery.TokenServiceUrl.AbsoluteUri, "--audience", NuGetAudience, "--user", "octo-publisher", "--token", "-");

        Assert.Equal(0, run.ExitCode);
        Assert.True(gallery.IsValidKey(Assert.Single(ExchangeHarness.ParseEnv(run.Output)).Value));
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
        Assert.Equal(1, gallery.RequestCount);
    }

    [Fact]
    public async Task NuGet_missing_inputs_exit_2_naming_each_and_the_galleys_docs()
    {
        var run = await _runner.RunAsync("exchange", "nuget");

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("NuGet trusted publishing needs --endpoint (the gallery's token service URL), --audience (the audience the gallery expects), --user (", run.Error, StringComparison.Ordinal);
        Assert.Contains("the NuGet gallery's trusted publishing documentation", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task NuGet_refusal_exits_7_with_the_gallerys_message_and_the_claims()
    {
        using var gallery = MockNuGetTokenService.Start(NuGetAudience, user: "octo-publisher");

        var run = await _runner.RunAsync("exchange", "nuget", "--endpoint", gallery.TokenServiceUrl.AbsoluteUri, "--audience", NuGetAudience, "--user", "someone-else");

        Assert.Equal(7, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("No matching federated credential trust policy owned by user 'someone-else'", run.Error, StringComparison.Ordinal);
        Assert.Contains("repository 'octo-org/octo-repo'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PyPI_success(string format)
    {
        using var index = MockPyPI.Start();

        var run = await _runner.RunAsync("exchange", "pypi", "--endpoint", index.RepositoryUrl.AbsoluteUri, "--format", format);

        var variables = Handed(run, format);
        Assert.Equal(["TWINE_USERNAME", "TWINE_PASSWORD"], variables.Select(v => v.Name));
        Assert.Equal("__token__", variables[0].Value);
        Assert.True(index.IsValidToken(variables[1].Value));
    }

    [Fact]
    public async Task PyPI_masks_only_the_password()
    {
        using var index = MockPyPI.Start();

        var run = await CliRun.RunAsync(_runner.Context(actions: true), "exchange", "pypi", "--endpoint", index.RepositoryUrl.AbsoluteUri);

        var variables = ExchangeHarness.ParseEnv(run.Output);
        var masked = ExchangeHarness.MaskedValues(run.Error);
        Assert.Contains(variables[1].Value, masked);
        Assert.DoesNotContain("__token__", masked);
    }

    [Fact]
    public async Task PyPI_refusal_and_missing_endpoint()
    {
        using var index = MockPyPI.Start();
        index.PublisherRepository = "other-org/other-repo";

        var refused = await _runner.RunAsync("exchange", "pypi", "--endpoint", index.RepositoryUrl.AbsoluteUri);
        var missing = await _runner.RunAsync("exchange", "pypi");

        Assert.Equal(7, refused.ExitCode);
        Assert.Contains("sub 'repo:octo-org/octo-repo:", refused.Error, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("PyPI trusted publishing needs --endpoint (the index's upload URL)", missing.Error, StringComparison.Ordinal);
        Assert.Contains("PyPI's trusted publishing documentation", missing.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Npm_success(string format)
    {
        using var registry = MockNpmRegistry.Start("@octo/pkg");

        var run = await _runner.RunAsync("exchange", "npm", "--endpoint", registry.RegistryUrl.AbsoluteUri, "--package", "@octo/pkg", "--format", format);

        var variable = Assert.Single(Handed(run, format));
        Assert.Equal("NODE_AUTH_TOKEN", variable.Name);
        Assert.Equal("@octo/pkg", registry.PackageOf(variable.Value));
        Assert.Equal(registry.Audience, Assert.Single(_runner.Issuer.TokenRequests).Audience);
    }

    [Fact]
    public async Task Npm_unknown_package_is_refused_and_missing_inputs_are_named()
    {
        using var registry = MockNpmRegistry.Start("@octo/pkg");

        var refused = await _runner.RunAsync("exchange", "npm", "--endpoint", registry.RegistryUrl.AbsoluteUri, "--package", "other");
        var missing = await _runner.RunAsync("exchange", "npm");

        Assert.Equal(7, refused.ExitCode);
        Assert.Contains("package not found", refused.Error, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("npm trusted publishing needs --endpoint (the registry URL), --package (the package name from package.json)", missing.Error, StringComparison.Ordinal);
        Assert.Contains("npm's trusted publishing documentation", missing.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Crates_success_records_the_token_for_cleanup(string format)
    {
        using var registry = MockCratesRegistry.Start();

        var run = await _runner.RunAsync("exchange", "crates", "--endpoint", registry.RegistryUrl.AbsoluteUri, "--format", format);

        var variable = Assert.Single(Handed(run, format));
        Assert.Equal("CARGO_REGISTRY_TOKEN", variable.Name);
        Assert.True(registry.IsActive(variable.Value));
        Assert.True(File.Exists(_runner.StateFile));
        ExchangeHarness.AssertNoSecret(run.Error, variable.Value);
    }

    [Fact]
    public async Task Crates_refusal_and_missing_endpoint()
    {
        using var registry = MockCratesRegistry.Start();
        registry.PublisherRepository = "other-org/other-repo";

        var refused = await _runner.RunAsync("exchange", "crates", "--endpoint", registry.RegistryUrl.AbsoluteUri);
        var missing = await _runner.RunAsync("exchange", "crates");

        Assert.Equal(7, refused.ExitCode);
        Assert.Contains("No matching Trusted Publishing config found", refused.Error, StringComparison.Ordinal);
        Assert.Contains("sub 'repo:octo-org/octo-repo:", refused.Error, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("crates.io trusted publishing needs --endpoint (the registry URL)", missing.Error, StringComparison.Ordinal);
        Assert.Contains("crates.io trusted publishing documentation", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_quotes_and_command_substitution_injects_nothing()
    {
        using var registry = MockCratesRegistry.Start();
        const string Token = "cio'$(id)`id`\"${HOME}'";
        registry.FailNextRequests(3, MockHttpTargetFault.Status(200, "{\"token\":\"cio'$(id)`id`\\\"${HOME}'\"}"));
        var url = registry.RegistryUrl.AbsoluteUri;

        var env = await _runner.RunAsync("exchange", "crates", "--endpoint", url);
        var json = await _runner.RunAsync("exchange", "crates", "--endpoint", url, "--format", "json");
        var githubEnv = await CliRun.RunAsync(_runner.Context(actions: true), "exchange", "crates", "--endpoint", url, "--format", "github-env");

        Assert.Equal("export CARGO_REGISTRY_TOKEN='cio'\\''$(id)`id`\"${HOME}'\\'''\n", env.Output);
        Assert.Equal(Token, ExchangeHarness.JsonVariables(json.Output, out _)["CARGO_REGISTRY_TOKEN"]);
        Assert.Equal([("CARGO_REGISTRY_TOKEN", Token)], ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText));
        Assert.Contains(Token, ExchangeHarness.MaskedValues(githubEnv.Error));
    }

    [Theory]
    [InlineData("nuget", "--user", "octo-publisher", "--audience", "a")]
    [InlineData("pypi")]
    [InlineData("npm", "--package", "p")]
    [InlineData("crates")]
    public async Task Plain_http_to_a_remote_registry_is_refused_before_any_request(string target, params string[] more)
    {
        var run = await _runner.RunAsync(["exchange", target, "--endpoint", "http://registry.example/", .. more]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("loopback", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Npm_several_packages_get_one_exchange_and_one_variable_each(string format)
    {
        using var registry = MockNpmRegistry.Start("@octo/pkg", "left-pad", "@octo/cli");

        var run = await _runner.RunAsync(
            "exchange", "npm", "--endpoint", registry.RegistryUrl.AbsoluteUri, "--package", "@octo/pkg", "--package", "left-pad", "--package", "@octo/cli",
            "--format", format);

        var variables = Handed(run, format);
        Assert.Equal(["NODE_AUTH_TOKEN_OCTO_PKG", "NODE_AUTH_TOKEN_LEFT_PAD", "NODE_AUTH_TOKEN_OCTO_CLI"], variables.Select(v => v.Name));
        Assert.Equal(["@octo/pkg", "left-pad", "@octo/cli"], variables.Select(v => registry.PackageOf(v.Value)));
        Assert.Equal(3, _runner.Issuer.TokenRequestCount); // a fresh GitHub token for each exchange
        Assert.Equal(3, variables.Select(v => v.Value).Distinct().Count());
    }

    [Fact]
    public async Task Npm_the_same_package_twice_is_one_exchange_and_keeps_NODE_AUTH_TOKEN()
    {
        using var registry = MockNpmRegistry.Start("@octo/pkg");

        var run = await _runner.RunAsync("exchange", "npm", "--endpoint", registry.RegistryUrl.AbsoluteUri, "--package", "@octo/pkg", "--package", "@octo/pkg");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("NODE_AUTH_TOKEN", Assert.Single(ExchangeHarness.ParseEnv(run.Output)).Name);
        Assert.Equal(1, registry.IssuedTokenCount);
    }

    [Theory]
    [InlineData("env")]
    [InlineData("github-env")]
    [InlineData("github-output")]
    public async Task Npm_when_one_of_several_fails_nothing_is_handed_on_and_the_exit_code_is_the_failures(string format)
    {
        using var registry = MockNpmRegistry.Start("@octo/pkg", "@octo/cli");
        var outputFile = Path.Combine(_runner.RunnerTemp, "github-output");
        File.WriteAllText(outputFile, string.Empty);
        var context = _runner.Context(actions: true, changes: ("GITHUB_OUTPUT", outputFile));

        var run = await CliRun.RunAsync(
            context,
            "exchange", "npm", "--endpoint", registry.RegistryUrl.AbsoluteUri, "--package", "@octo/pkg", "--package", "@octo/missing", "--package", "@octo/cli",
            "--format", format);

        Assert.Equal(7, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Empty(_runner.GitHubEnvText);
        Assert.Empty(File.ReadAllText(outputFile));
        Assert.StartsWith(
            "oidc-token: ExchangeRefused: npm package '@octo/missing' (2 of 3): ",
            run.Error.Split(Environment.NewLine).First(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal)),
            StringComparison.Ordinal);
        Assert.Contains("package not found", run.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was handed on: no variable, output or file was written for any package. The tokens already issued for '@octo/pkg' were discarded", run.Error, StringComparison.Ordinal);
        Assert.Contains("::error title=oidc-token exchange npm%3A ExchangeRefused (exit 7)::npm package '@octo/missing' (2 of 3): ", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, registry.IssuedTokenCount); // stopped at the failure: @octo/cli was not exchanged
        Assert.All(ExchangeHarness.MaskedValues(run.Error), v => Assert.StartsWith("eyJ", v, StringComparison.Ordinal)); // only the GitHub tokens: no npm token was handed on
    }

    [Fact]
    public async Task Npm_packages_that_would_share_a_variable_are_a_usage_error_before_any_request()
    {
        using var registry = MockNpmRegistry.Start("@a/b-c", "a-b-c");

        var run = await _runner.RunAsync("exchange", "npm", "--endpoint", registry.RegistryUrl.AbsoluteUri, "--package", "@a/b-c", "--package", "a-b-c");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--package '@a/b-c' and --package 'a-b-c' would share the variable NODE_AUTH_TOKEN_A_B_C: exchange them in separate steps.", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Theory]
    [InlineData("@octo/pkg", "NODE_AUTH_TOKEN_OCTO_PKG")]
    [InlineData("left-pad", "NODE_AUTH_TOKEN_LEFT_PAD")]
    [InlineData("@types/node.js", "NODE_AUTH_TOKEN_TYPES_NODE_JS")]
    [InlineData("über", "NODE_AUTH_TOKEN__BER")]
    public void Npm_variable_names(string package, string variable) => Assert.Equal(variable, RegistryTargets.NpmVariable(package));

    [Fact]
    public async Task A_registry_expiry_is_a_step_output()
    {
        using var gallery = MockNuGetTokenService.Start(NuGetAudience, user: "octo-publisher");
        var outputFile = Path.Combine(_runner.RunnerTemp, "github-output");

        var run = await CliRun.RunAsync(
            _runner.Context(changes: ("GITHUB_OUTPUT", outputFile)),
            "exchange", "nuget", "--endpoint", gallery.TokenServiceUrl.AbsoluteUri, "--audience", NuGetAudience, "--user", "octo-publisher");

        Assert.Equal(0, run.ExitCode);
        var output = Assert.Single(ExchangeHarness.ParseGitHubEnv(File.ReadAllText(outputFile)));
        Assert.Equal("nuget-expiration", output.Name);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", output.Value);
    }
}
