using System.Globalization;
using System.Text.Json;
using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>exchange aws</c>'s own formats (<c>credential-process</c>, <c>aws-profile</c>), its policy and account options and its
/// step outputs, run in process against <see cref="MockAwsSts"/>. The real AWS SDK and CLI reading the profile are in
/// <see cref="AwsProfileClientTests"/>.
/// </summary>
public sealed class AwsFormatTests : IDisposable
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/github-actions";

    /// <summary>What the profile's command starts with in these in-process runs: a path with a space and a quote.</summary>
    private static readonly string[] Self = ["/opt/o'dc tools/oidc-token"];

    private readonly ExchangeHarness _runner = new();
    private readonly MockAwsSts _sts = MockAwsSts.Start();
    private readonly string _home;
    private readonly string _githubOutput;

    public AwsFormatTests()
    {
        _home = Path.Combine(_runner.RunnerTemp, "..", "home");
        Directory.CreateDirectory(_home);
        _githubOutput = Path.Combine(_runner.RunnerTemp, "..", "github-output");
        File.WriteAllText(_githubOutput, string.Empty);
    }

    private string ConfigFile => Path.GetFullPath(Path.Combine(_home, ".aws", "config"));

    public void Dispose()
    {
        _sts.Dispose();
        _runner.Dispose();
    }

    private string[] Args(params string[] more) =>
        ["exchange", "aws", "--role-arn", RoleArn, "--endpoint", _sts.BaseAddress.AbsoluteUri, .. more];

    private CliContext Context(bool actions = false, bool githubEnv = true, string? stdin = null, params (string Name, string? Value)[] changes)
    {
        var inner = _runner.Context(actions, stdin, null, [("HOME", _home), ("GITHUB_OUTPUT", _githubOutput), .. githubEnv ? [] : new[] { ("GITHUB_ENV", (string?)null) }, .. changes]);
        return new CliContext(inner.Environment, inner.Input) { SelfCommand = Self };
    }

    private Task<CliRun> RunAsync(CliContext context, params string[] args) => CliRun.RunAsync(context, args);

    [Fact]
    public async Task CredentialProcess_prints_one_json_object_and_nothing_else_even_in_GitHub_Actions()
    {
        var run = await RunAsync(Context(actions: true), Args("--format", "credential-process", "--duration", "900"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.EndsWith("}\n", run.Output, StringComparison.Ordinal);
        Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.Equal(["Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("Version").GetInt32());
        Assert.StartsWith("ASIA", root.GetProperty("AccessKeyId").GetString(), StringComparison.Ordinal);
        Assert.Equal(40, root.GetProperty("SecretAccessKey").GetString()!.Length);
        Assert.False(string.IsNullOrEmpty(root.GetProperty("SessionToken").GetString()));
        var expiration = root.GetProperty("Expiration").GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", expiration);
        var expires = DateTimeOffset.Parse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(expires - TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(13), TimeSpan.FromMinutes(16));

        // Nothing for the workflow: no step outputs, no variables, nothing recorded for cleanup.
        Assert.Empty(File.ReadAllText(_githubOutput));
        Assert.Empty(_runner.GitHubEnvText);
        Assert.False(File.Exists(_runner.StateFile));
    }

    [Fact]
    public async Task CredentialProcess_with_a_token_from_stdin_masks_nothing_either()
    {
        var token = _runner.Issuer.IssueToken("sts.amazonaws.com");

        var run = await RunAsync(Context(actions: true, stdin: token), Args("--format", "credential-process", "--token", "-"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task CredentialProcess_failure_exits_7_with_the_message_on_stderr_and_nothing_on_stdout()
    {
        _sts.SubjectPattern = "repo:other-org/*";

        var run = await RunAsync(Context(actions: true), Args("--format", "credential-process"));

        Assert.Equal(7, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: ExchangeRefused: ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("::add-mask::", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("credential-process", "vault", "--role", "deploy", "--endpoint", "http://127.0.0.1:9/")]
    [InlineData("aws-profile", "vault", "--role", "deploy", "--endpoint", "http://127.0.0.1:9/")]
    [InlineData("credential-process", "azure", "--tenant-id", "00000000-0000-0000-0000-000000000000", "--client-id", "00000000-0000-0000-0000-000000000000")]
    [InlineData("aws-profile", "npm", "--package", "left-pad", "--endpoint", "http://127.0.0.1:9/")]
    public async Task Other_targets_refuse_the_aws_formats_and_list_what_they_accept(string format, string target, params string[] options)
    {
        var run = await RunAsync(Context(), ["exchange", target, .. options, "--format", format]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains(format, run.Error, StringComparison.Ordinal);
        foreach (var accepted in CredentialOutput.Formats)
        {
            Assert.Contains(accepted, run.Error, StringComparison.Ordinal);
        }

        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Policies_and_allowed_accounts_reach_STS_and_the_facts_become_step_outputs()
    {
        var policyFile = Path.Combine(_runner.RunnerTemp, "policy.json");
        File.WriteAllText(policyFile, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]\n}\n");

        var run = await RunAsync(
            Context(),
            Args("--session-policy", "@" + policyFile, "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess", "--policy-arn", "arn:aws:iam::123456789012:policy/extra",
                "--allowed-account-ids", "111122223333, 123456789012", "--session-name", "deploy-7"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(3, ExchangeHarness.ParseEnv(run.Output).Count);
        var assume = _sts.Requests.Single(r => r.Action == "AssumeRoleWithWebIdentity");
        Assert.Contains("s3:GetObject", assume.Policy, StringComparison.Ordinal);
        Assert.Equal(["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/extra"], assume.PolicyArns);
        var identity = _sts.Requests.Single(r => r.Action == "GetCallerIdentity");
        Assert.Equal(200, identity.StatusCode);
        var outputs = ExchangeHarness.ParseGitHubEnv(File.ReadAllText(_githubOutput)).ToDictionary(o => o.Name, o => o.Value);
        Assert.Equal(["aws-account-id", "authenticated-arn", "aws-expiration"], outputs.Keys);
        Assert.Equal("123456789012", outputs["aws-account-id"]);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/github-actions/deploy-7", outputs["authenticated-arn"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", outputs["aws-expiration"]);
    }

    [Fact]
    public async Task Without_allowed_accounts_the_account_comes_from_the_role_ARN_and_GetCallerIdentity_is_not_called()
    {
        var run = await RunAsync(Context(), Args("--format", "json"));

        Assert.Equal(0, run.ExitCode);
        ExchangeHarness.JsonVariables(run.Output, out var root);
        Assert.Equal("123456789012", root.GetProperty("account_id").GetString());
        Assert.DoesNotContain(_sts.Requests, r => r.Action == "GetCallerIdentity");
        Assert.Contains("aws-account-id<<", File.ReadAllText(_githubOutput), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_outside_the_allowed_list_exits_7_names_both_and_exports_nothing()
    {
        using var sts = MockAwsSts.Start(new MockAwsStsOptions { AccountId = "210987654321" });

        var run = await RunAsync(
            Context(actions: true),
            "exchange", "aws", "--role-arn", RoleArn, "--endpoint", sts.BaseAddress.AbsoluteUri, "--allowed-account-ids", "123456789012,111122223333", "--format", "github-env");

        Assert.Equal(7, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Empty(_runner.GitHubEnvText);
        Assert.Empty(File.ReadAllText(_githubOutput));
        var message = string.Join('\n', run.Error.Split('\n').Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal)));
        Assert.StartsWith("oidc-token: ExchangeRefused: ", message, StringComparison.Ordinal);
        Assert.Contains("AWS account 210987654321, which is not one of the allowed accounts (123456789012, 111122223333)", run.Error, StringComparison.Ordinal);
        Assert.Contains("add it to --allowed-account-ids", run.Error, StringComparison.Ordinal);

        // Only the GitHub token was masked: no credential was handed on, so none is named to the runner.
        Assert.Single(ExchangeHarness.MaskedValues(run.Error));
        Assert.Equal("GetCallerIdentity", sts.Requests[^1].Action);
    }

    [Fact]
    public async Task AwsProfile_writes_only_the_command_and_the_region_and_keeps_every_other_byte()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigFile)!);
        const string Before = "# my settings\n[default]\nregion = us-west-2\noutput = json\n\n[profile other]\n; keep me\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = default\n";
        File.WriteAllText(ConfigFile, Before);

        var run = await RunAsync(Context(actions: true), Args("--format", "aws-profile", "--region", "eu-west-1", "--session-policy", "{\"Version\":\"2012-10-17\",\n \"Statement\":[]}"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Output);
        var text = File.ReadAllText(ConfigFile);
        Assert.StartsWith(Before + "\n[profile oidc-token]\n", text, StringComparison.Ordinal);
        var section = text[(Before.Length + 1)..].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, section.Length);
        Assert.Equal(AwsProfileFile.Marker, section[1]);
        Assert.Equal(
            "credential_process = '/opt/o'\"'\"'dc tools/oidc-token' exchange aws --role-arn " + RoleArn + " --region eu-west-1 --endpoint " + _sts.BaseAddress.AbsoluteUri +
            " --session-policy '{\"Version\":\"2012-10-17\",\"Statement\":[]}' --format credential-process",
            section[2]);
        Assert.Equal("region = eu-west-1", section[3]);

        // No secret: not the request token, not the ID token, not the credentials the check minted.
        Assert.DoesNotContain(_runner.Issuer.RequestToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("ASIA", text, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", text, StringComparison.Ordinal);
        TestSupport.LeakGuard.AssertNoLeak(text, "the AWS config file");

        // The role was assumed once to check it; AWS_PROFILE goes to GITHUB_ENV, the facts to GITHUB_OUTPUT.
        Assert.Equal(1, _sts.RequestCount);
        Assert.Equal([("AWS_PROFILE", "oidc-token")], ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText));
        Assert.Contains("aws-account-id<<", File.ReadAllText(_githubOutput), StringComparison.Ordinal);
        Assert.Contains(
            "oidc-token: exchange aws: wrote the profile 'oidc-token' in " + ConfigFile + " (its credential_process runs oidc-token; no credential is stored); " +
            "set AWS_PROFILE for the following steps ($GITHUB_ENV).",
            run.Error,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsProfile_creates_a_new_config_file_with_mode_0600()
    {
        var run = await RunAsync(Context(), Args("--format", "aws-profile", "--profile", "deploy"));

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("[profile deploy]\n" + AwsProfileFile.Marker + "\ncredential_process = ", File.ReadAllText(ConfigFile), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigFile));
        }
    }

    [Fact]
    public async Task AwsProfile_replaces_its_own_section_in_place_and_keeps_the_file_mode()
    {
        var config = Path.Combine(_runner.RunnerTemp, "aws config");
        const string Before = "[profile a]\nregion = us-east-1\n\n[profile deploy]\ncredential_process = old\nregion = old-region\n\n[profile z]\nregion = us-east-2\n";
        File.WriteAllText(config, Before);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        }

        var run = await RunAsync(Context(changes: ("AWS_CONFIG_FILE", config)), Args("--format", "aws-profile", "--profile", "deploy", "--region", "eu-north-1"));

        Assert.Equal(0, run.ExitCode);
        var text = File.ReadAllText(config);
        Assert.StartsWith("[profile a]\nregion = us-east-1\n\n[profile deploy]\n" + AwsProfileFile.Marker + "\ncredential_process = ", text, StringComparison.Ordinal);
        Assert.EndsWith(" --format credential-process\nregion = eu-north-1\n\n[profile z]\nregion = us-east-2\n", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n'), l => l.StartsWith("[profile deploy]", StringComparison.Ordinal));
        Assert.Contains("replaced the profile 'deploy'", run.Error, StringComparison.Ordinal);
        Assert.Equal([("AWS_PROFILE", "deploy"), ("AWS_CONFIG_FILE", config)], ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(config));
        }
    }

    [Fact]
    public async Task AwsProfile_without_GITHUB_ENV_prints_export_lines()
    {
        var run = await RunAsync(Context(githubEnv: false), Args("--format", "aws-profile", "--profile", "ci.deploy_1"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("export AWS_PROFILE='ci.deploy_1'\n", run.Output);
        Assert.Contains("eval \"$(oidc-token exchange aws … --format aws-profile)\"", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleanup_removes_exactly_the_profile_section()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigFile)!);
        const string Before = "[default]\r\nregion = us-west-2\r\n\r\n[profile keep]\r\nregion = eu-west-1\r\n";
        File.WriteAllText(ConfigFile, Before);

        var exchange = await RunAsync(Context(), Args("--format", "aws-profile", "--profile", "deploy"));
        Assert.Equal(0, exchange.ExitCode);
        Assert.Contains("\r\n\r\n[profile deploy]\r\n", File.ReadAllText(ConfigFile), StringComparison.Ordinal);
        Assert.True(File.Exists(_runner.StateFile));

        var cleanup = await RunAsync(Context(), "cleanup");

        Assert.Equal(0, cleanup.ExitCode);
        Assert.Equal(Before, File.ReadAllText(ConfigFile));
        Assert.Contains("oidc-token: cleanup: removed profile 'deploy' in " + ConfigFile, cleanup.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_runner.StateFile));

        var again = await RunAsync(Context(), "cleanup");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to clean up", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleanup_of_a_section_already_removed_by_hand_says_so()
    {
        var exchange = await RunAsync(Context(), Args("--format", "aws-profile"));
        Assert.Equal(0, exchange.ExitCode);
        File.WriteAllText(ConfigFile, "[default]\n");

        var cleanup = await RunAsync(Context(), "cleanup");

        Assert.Equal(0, cleanup.ExitCode);
        Assert.Contains("already gone: profile 'oidc-token' in " + ConfigFile, cleanup.Error, StringComparison.Ordinal);
        Assert.Equal("[default]\n", File.ReadAllText(ConfigFile));
    }

    [Theory]
    [InlineData("--profile 'has space'", "--profile 'has space' is not a profile name oidc-token writes", "--format", "aws-profile", "--profile", "has space")]
    [InlineData("--profile with ]", "--profile 'a]b' is not a profile name", "--format", "aws-profile", "--profile", "a]b")]
    [InlineData("--profile alone", "--profile is used only with --format aws-profile", "--profile", "deploy")]
    [InlineData("--token - with aws-profile", "--format aws-profile cannot be used with --token -", "--format", "aws-profile", "--token", "-")]
    [InlineData("@file missing", "--session-policy @/nonexistent/policy.json: no such file", "--session-policy", "@/nonexistent/policy.json")]
    [InlineData("policy not JSON", "--session-policy is not valid JSON", "--session-policy", "{not json")]
    [InlineData("policy not an object", "--session-policy must be a JSON object", "--session-policy", "[]")]
    [InlineData("account too short", "--allowed-account-ids: '12345' is not an AWS account id (12 digits)", "--allowed-account-ids", "123456789012,12345")]
    [InlineData("account not digits", "--allowed-account-ids: 'abcdefghijkl' is not an AWS account id", "--allowed-account-ids", "abcdefghijkl")]
    [InlineData("policy ARN", "--policy-arn", "--policy-arn", "arn:aws:iam::123:policy/x")]
    public async Task Usage_errors_exit_2_naming_the_flag_before_anything_is_sent(string because, string expected, params string[] more)
    {
        var run = await RunAsync(Context(stdin: "x"), Args(more));

        Assert.True(run.ExitCode == 2, because + ": exit " + run.ExitCode + "\n" + run.Error);
        Assert.Empty(run.Output);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _sts.RequestCount);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
        Assert.False(File.Exists(ConfigFile));
    }
}
