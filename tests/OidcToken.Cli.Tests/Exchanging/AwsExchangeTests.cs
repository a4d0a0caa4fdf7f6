using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

public sealed class AwsExchangeTests : IDisposable
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/github-actions";

    private readonly ExchangeHarness _runner = new();
    private readonly MockAwsSts _sts;

    public AwsExchangeTests() => _sts = MockAwsSts.Start();

    public void Dispose()
    {
        _sts.Dispose();
        _runner.Dispose();
    }

    private string[] Args(params string[] more) =>
        ["exchange", "aws", "--role-arn", RoleArn, "--endpoint", _sts.BaseAddress.AbsoluteUri, .. more];

    [Fact]
    public async Task Env_prints_the_three_credentials_and_the_region_only()
    {
        var run = await _runner.RunAsync(Args("--region", "eu-west-1"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        var variables = ExchangeHarness.ParseEnv(run.Output);
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"], variables.Select(v => v.Name));
        Assert.StartsWith("ASIA", variables[0].Value, StringComparison.Ordinal);
        Assert.Equal(40, variables[1].Value.Length);
        Assert.Equal("eu-west-1", variables[3].Value);
        Assert.Equal("eu-west-1", variables[4].Value);
        var request = Assert.Single(_sts.Requests);
        Assert.Equal(RoleArn, request.RoleArn);
        Assert.Equal("GitHubActions", request.RoleSessionName);
        Assert.Equal("sts.amazonaws.com", Assert.Single(_runner.Issuer.TokenRequests).Audience);
    }

    [Fact]
    public async Task Without_region_no_region_variable_is_printed()
    {
        var run = await _runner.RunAsync(Args());

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"], ExchangeHarness.ParseEnv(run.Output).Select(v => v.Name));
    }

    [Fact]
    public async Task Json_has_the_values_and_non_secret_facts()
    {
        var run = await _runner.RunAsync(Args("--format", "json", "--session-name", "deploy-42", "--duration", "900"));

        Assert.Equal(0, run.ExitCode);
        var variables = ExchangeHarness.JsonVariables(run.Output, out var root);
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"], variables.Keys);
        Assert.Equal("aws", root.GetProperty("target").GetString());
        Assert.EndsWith("/deploy-42", root.GetProperty("assumed_role_arn").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("repo:octo-org/octo-repo:", root.GetProperty("subject_from_web_identity_token").GetString(), StringComparison.Ordinal);
        var expires = DateTimeOffset.Parse(root.GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(13), TimeSpan.FromMinutes(16));
        Assert.Equal(900, Assert.Single(_sts.Requests).DurationSeconds);
    }

    [Fact]
    public async Task GitHubEnv_masks_first_then_appends_heredocs_and_prints_nothing()
    {
        var run = await CliRun.RunAsync(_runner.Context(actions: true), Args("--format", "github-env", "--region", "us-east-2"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Output);
        var variables = ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText);
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"], variables.Select(v => v.Name));
        Assert.Matches("^AWS_ACCESS_KEY_ID<<ghadelimiter_[0-9a-f]{32}\n", _runner.GitHubEnvText);
        var masked = ExchangeHarness.MaskedValues(run.Error);
        foreach (var secret in variables.Take(3))
        {
            Assert.Contains(secret.Value, masked);
        }

        Assert.DoesNotContain("us-east-2", masked);
        ExchangeHarness.AssertNoSecret(run.Error, [.. variables.Take(3).Select(v => v.Value)]);
        Assert.Contains("set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_GitHub_Actions_every_secret_is_masked_on_stderr_before_stdout_is_written()
    {
        var run = await CliRun.RunAsync(_runner.Context(actions: true), Args());

        Assert.Equal(0, run.ExitCode);
        var variables = ExchangeHarness.ParseEnv(run.Output);
        var masked = ExchangeHarness.MaskedValues(run.Error);
        Assert.Equal(4, masked.Count); // the GitHub ID token, then the three credentials
        Assert.Equal(variables.Select(v => v.Value), masked.Skip(1));
        Assert.All(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("::add-mask::", line, StringComparison.Ordinal));
        Assert.DoesNotContain("::", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_from_stdin_is_used_and_the_runner_is_not_asked()
    {
        var token = _runner.Issuer.IssueToken("sts.amazonaws.com");

        var run = await CliRun.RunAsync(_runner.Context(stdin: token + "\n"), Args("--token", "-"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(3, ExchangeHarness.ParseEnv(run.Output).Count);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
        Assert.True(Assert.Single(_sts.Requests).HadWebIdentityToken);
    }

    [Fact]
    public async Task Refusal_exits_7_with_STSs_code_and_the_tokens_claims()
    {
        using var sts = MockAwsSts.Start(new MockAwsStsOptions { SubjectPattern = "repo:other-org/*" });

        var run = await _runner.RunAsync("exchange", "aws", "--role-arn", RoleArn, "--endpoint", sts.BaseAddress.AbsoluteUri);

        Assert.Equal(7, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: ExchangeRefused: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", run.Error, StringComparison.Ordinal);
        Assert.Contains("sub 'repo:octo-org/octo-repo:", run.Error, StringComparison.Ordinal);
        Assert.Contains("aud 'sts.amazonaws.com'", run.Error, StringComparison.Ordinal);
        Assert.Contains("More: " + OidcTokenException.TroubleshootingBaseUrl + "#exchangerefused", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, sts.RequestCount);
        ExchangeHarness.AssertNoSecret(run.Error, _runner.Issuer.RequestToken);
    }

    [Fact]
    public async Task An_unusable_answer_exits_5()
    {
        _sts.FailNextRequests(5, MockHttpTargetFault.Html());

        var run = await _runner.RunAsync(Args());

        Assert.Equal(5, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: ExchangeResponseInvalid: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_GitHub_Actions_without_a_token_exits_3()
    {
        var run = await CliRun.RunAsync(new CliContext(_ => null), Args());

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Equal(0, _sts.RequestCount);
    }

    [Theory]
    [InlineData("--role-arn", "not-an-arn")]
    [InlineData("--duration", "60")]
    [InlineData("--session-name", "a")]
    [InlineData("--endpoint", "http://sts.example.com/")]
    [InlineData("--endpoint", "not a url")]
    public async Task Invalid_options_exit_2_before_anything_is_sent(string option, string value)
    {
        var args = Args().ToList();
        var index = args.IndexOf(option);
        if (index >= 0)
        {
            args[index + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var run = await _runner.RunAsync([.. args]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.NotEmpty(run.Error);
        Assert.Equal(0, _sts.RequestCount);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Missing_role_arn_exits_2_naming_it()
    {
        var run = await _runner.RunAsync("exchange", "aws");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--role-arn is required", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }
}
