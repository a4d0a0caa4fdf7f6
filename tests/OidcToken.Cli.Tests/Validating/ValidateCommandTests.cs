using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OidcToken.Cli.Decoding;
using OidcToken.Testing;

namespace OidcToken.Cli.Validating;

public sealed class ValidateCommandTests : IDisposable
{
    private const string Audience = "https://relying-party.example";
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    private string[] Args(params string[] extra) =>
        ["validate", "--issuer", _issuer.Issuer, "--audience", Audience, .. extra];

    [Fact]
    public async Task Validate_MockIssuerOverHttp_Text_PrintsValidAndKeyClaims()
    {
        var token = _issuer.IssueToken(Audience);

        var run = await CliRun.RunWithStdinAsync(token + "\n", Args("--repository-id", "456789"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.StartsWith("valid\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\niss: " + _issuer.Issuer + "\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\nsub: repo:octo-org/octo-repo:ref:refs/heads/main\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\naud: " + Audience + "\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\nrepository_id: 456789\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\nrepository_owner_id: 123456\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\nkid: " + _issuer.CurrentKeyId + "\n", run.Output, StringComparison.Ordinal);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Validate_Json_Valid_CarriesTheVerifiedClaims()
    {
        var token = _issuer.IssueToken(Audience);

        var run = await CliRun.RunWithStdinAsync(token, Args("--owner-id", "123456", "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(["valid", "claims"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
        var claims = json.RootElement.GetProperty("claims");
        Assert.Equal(Audience, claims.GetProperty("aud").GetString());
        Assert.Equal("456789", claims.GetProperty("repository_id").GetString());
        Assert.Equal(JsonValueKind.Number, claims.GetProperty("exp").ValueKind);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Validate_WrongAudience_Text_Exits6WithTheReasonOnStderrOnly()
    {
        var token = _issuer.IssueToken("someone-else");

        var run = await CliRun.RunWithStdinAsync(token, Args("--repository-id", "456789"));

        Assert.Equal(6, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: validate: invalid token: InvalidAudience: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("someone-else", run.Error, StringComparison.Ordinal);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Validate_PolicyViolation_Json_Exits6WithFailureKindAndMessage()
    {
        var token = _issuer.IssueToken(Audience);

        var run = await CliRun.RunWithStdinAsync(token, Args("--repository-id", "1", "--format", "json"));

        Assert.Equal(6, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(["valid", "failure", "kind", "message"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal("PolicyViolation", json.RootElement.GetProperty("failure").GetString());
        Assert.Equal("Invalid", json.RootElement.GetProperty("kind").GetString());
        var message = json.RootElement.GetProperty("message").GetString()!;
        Assert.Contains("repository_id", message, StringComparison.Ordinal);
        Assert.Contains("oidc-token: validate: invalid token: PolicyViolation: ", run.Error, StringComparison.Ordinal);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Validate_TamperedSignature_Exits6AndPrintsNeitherSignature()
    {
        var token = _issuer.IssueToken(Audience);
        var forged = token[..(token.LastIndexOf('.') + 1)] + Flip(token[(token.LastIndexOf('.') + 1)..]);

        var run = await CliRun.RunWithStdinAsync(forged, Args("--repository-id", "456789", "--format", "json"));

        Assert.Equal(6, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("InvalidSignature", json.RootElement.GetProperty("failure").GetString());
        DecodeCommandTests.AssertNoSecret(run, token);
        DecodeCommandTests.AssertNoSecret(run, forged);
    }

    [Fact]
    public async Task Validate_NoIssuerOption_LoopbackOidcIssuer_ValidatesAgainstTheMock()
    {
        // What the mock prints: OIDC_ISSUER=http://127.0.0.1:PORT. Without it as the default, validate expects GitHub's
        // issuer and refuses the mock's token (exit 6, InvalidIssuer).
        var token = _issuer.IssueToken(Audience);
        var context = new CliContext(
            name => name == "OIDC_ISSUER" ? _issuer.Issuer : null, () => new StringReader(token));

        var run = await CliRun.RunAsync(context, "validate", "--audience", Audience, "--repository-id", "456789");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.Contains("\niss: " + _issuer.Issuer + "\n", run.Output, StringComparison.Ordinal);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Theory]
    [InlineData("https://issuer.example")]
    [InlineData("http://192.0.2.1:8080")]
    [InlineData("http://localhost.example")]
    [InlineData("not a url")]
    public async Task Validate_NoIssuerOption_NonLoopbackOidcIssuer_KeepsGitHubsDefault(string value)
    {
        var token = _issuer.IssueToken(Audience);
        var context = new CliContext(name => name == "OIDC_ISSUER" ? value : null, () => new StringReader(token));

        var run = await CliRun.RunAsync(context, "validate", "--audience", Audience, "--allow-any-repository");

        Assert.Equal(6, run.ExitCode);
        Assert.Contains(
            $"issuer was '{_issuer.Issuer}', expected 'https://token.actions.githubusercontent.com'", run.Error, StringComparison.Ordinal);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Validate_IssuerOption_WinsOverOidcIssuer()
    {
        var token = _issuer.IssueToken(Audience);
        var stale = "http://127.0.0.1:" + FreePort();
        var context = new CliContext(name => name == "OIDC_ISSUER" ? stale : null, () => new StringReader(token));

        var run = await CliRun.RunAsync(context, Args("--allow-any-repository"));

        Assert.Equal(0, run.ExitCode);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Validate_Help_NamesTheOidcIssuerDefault()
    {
        var run = await CliRun.RunAsync("validate", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("OIDC_ISSUER when it is a loopback URL", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TokenOfAnotherIssuer_Exits6InvalidIssuer_BeforeAnyKeyIsFetched()
    {
        // The README's mistake: a token from the mock, validated without --issuer (so against GitHub's, unreachable
        // here). The issuer is checked before any key is fetched: "issuer was …, expected …", not "keys unavailable".
        var deadIssuer = "http://127.0.0.1:" + FreePort();
        var token = _issuer.IssueToken(Audience);

        var run = await CliRun.RunWithStdinAsync(token, "validate", "--issuer", deadIssuer, "--audience", Audience, "--allow-any-repository");

        Assert.Equal(6, run.ExitCode);
        Assert.Contains($"issuer was '{_issuer.Issuer}', expected '{deadIssuer}'", run.Error, StringComparison.Ordinal);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task Validate_KeysUnreachable_Exits4WithKindKeysUnavailable(string format)
    {
        var deadIssuer = "http://127.0.0.1:" + FreePort();
        var token = _issuer.IssueToken(Audience, new Dictionary<string, string> { ["iss"] = deadIssuer });

        var run = await CliRun.RunWithStdinAsync(
            token, "validate", "--issuer", deadIssuer, "--audience", Audience, "--allow-any-repository", "--format", format);

        Assert.Equal(4, run.ExitCode);
        Assert.StartsWith("oidc-token: validate: keys unavailable: KeysUnavailable: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("--jwks FILE", run.Error, StringComparison.Ordinal);
        if (format == "json")
        {
            using var json = JsonDocument.Parse(run.Output);
            Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
            Assert.Equal("KeysUnavailable", json.RootElement.GetProperty("failure").GetString());
            Assert.Equal("KeysUnavailable", json.RootElement.GetProperty("kind").GetString());
        }
        else
        {
            Assert.Empty(run.Output);
        }

        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Validate_TokenAsArgument_WarnsAndValidates()
    {
        var token = _issuer.IssueToken(Audience);

        var run = await CliRun.RunWithStdinAsync(string.Empty, [.. Args("--repository-id", "456789"), token]);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("valid\n", run.Output, StringComparison.Ordinal);
        var warning = Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("oidc-token: warning: a token on the command line is visible to other processes", warning, StringComparison.Ordinal);
        Assert.Contains("stdin", warning, StringComparison.Ordinal);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Validate_Dash_ReadsStdinAndTrimsIt()
    {
        var token = _issuer.IssueToken(Audience);

        var run = await CliRun.RunWithStdinAsync("\n  " + token + " \r\n\n", [.. Args("--repository-id", "456789"), "-"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.StartsWith("valid\n", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_EmptyStdin_IsAUsageError()
    {
        var run = await CliRun.RunWithStdinAsync("\n", Args("--repository-id", "456789"));

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("no token on stdin", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_StdinOverTheCap_IsInvalidTooLarge()
    {
        var run = await CliRun.RunWithStdinAsync(new string('a', 70_000), Args("--repository-id", "456789", "--format", "json"));

        Assert.Equal(6, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("TooLarge", json.RootElement.GetProperty("failure").GetString());
        Assert.Equal(0, _issuer.DiscoveryRequestCount);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    public async Task Validate_Garbage_IsInvalidNotAUsageError(string input)
    {
        var run = await CliRun.RunWithStdinAsync(input, Args("--repository-id", "456789"));

        Assert.Equal(6, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: validate: invalid token: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_CancelledWhileReadingStdin_Exits130()
    {
        using var stdin = new BlockingReader();
        using var cancellation = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(_ => null, () => stdin);

        var run = OidcTokenCommand.RunAsync(Args("--repository-id", "456789"), output, error, cancellation.Token, context);
        await stdin.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(130, exitCode);
        Assert.Empty(output.ToString());
    }

    // ---- usage errors (exit 2) ----

    [Theory]
    [InlineData("--issuer", "https://token.actions.githubusercontent.com", "--enterprise", "octo-corp")]
    [InlineData("--issuer", "https://token.actions.githubusercontent.com", "--ghes-host", "github.example.com")]
    [InlineData("--enterprise", "octo-corp", "--ghes-host", "github.example.com")]
    public async Task Validate_IssuerOptionsAreMutuallyExclusive(string first, string firstValue, string second, string secondValue)
    {
        var run = await CliRun.RunWithStdinAsync(
            _issuer.IssueToken(Audience), "validate", "--audience", Audience, "--allow-any-repository", first, firstValue, second, secondValue);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("--issuer, --enterprise and --ghes-host are mutually exclusive", run.Error, StringComparison.Ordinal);
        Assert.Contains(first + " and " + second, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://token.example.com", "loopback")]
    [InlineData("http://10.0.0.1:8080", "loopback")]
    [InlineData("http://localhost.example.com", "loopback")]
    [InlineData("ftp://token.example.com", "absolute https URL")]
    [InlineData("token.actions.githubusercontent.com", "absolute https URL")]
    [InlineData("https://user:pw@token.example.com", "credentials")]
    public async Task Validate_IssuerNotHttpsOrLoopback_IsAUsageErrorWithTheReason(string issuer, string reason)
    {
        var run = await CliRun.RunWithStdinAsync(
            _issuer.IssueToken(Audience), "validate", "--issuer", issuer, "--audience", Audience, "--allow-any-repository");

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("--issuer", run.Error, StringComparison.Ordinal);
        Assert.Contains(reason, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--enterprise", "octo corp")]
    [InlineData("--enterprise", "octo/corp")]
    [InlineData("--ghes-host", "github.example.com/path")]
    [InlineData("--ghes-host", "https://github.example.com")]
    [InlineData("--ghes-host", "")]
    public async Task Validate_BadEnterpriseOrHost_IsAUsageError(string option, string value)
    {
        var run = await CliRun.RunWithStdinAsync(
            _issuer.IssueToken(Audience), "validate", "--audience", Audience, "--allow-any-repository", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains(option, run.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadJwksFiles => new()
    {
        { "missing", "no such file" },
        { "not json {", "not valid JSON" },
        { "[1,2]", "not a JSON Web Key Set" },
        { "{\"keys\":{}}", "not a JSON Web Key Set" },
        { "{\"keys\":[]}", "holds no keys" },
    };

    [Theory]
    [MemberData(nameof(BadJwksFiles))]
    public async Task Validate_JwksFileUnreadableOrInvalid_IsAUsageErrorWithTheReason(string content, string reason)
    {
        var path = Path.Combine(Path.GetTempPath(), "oidc-token-jwks-" + Guid.NewGuid().ToString("N") + ".json");
        if (content != "missing")
        {
            await File.WriteAllTextAsync(path, content);
        }

        try
        {
            var run = await CliRun.RunWithStdinAsync(
                GitHubRealFixtures.Token(GitHubRealFixtures.TokenC), "validate", "--audience", "demo", "--allow-any-repository", "--jwks", path);

            Assert.Equal(2, run.ExitCode);
            Assert.Empty(run.Output);
            Assert.Contains("--jwks '" + path + "'", run.Error, StringComparison.Ordinal);
            Assert.Contains(reason, run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Validate_NoNumericIdConstraint_IsAPolicyBuildError()
    {
        var run = await CliRun.RunWithStdinAsync(_issuer.IssueToken(Audience), Args("--repository", "octo-org/octo-repo"));

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: validate: ", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _issuer.DiscoveryRequestCount);
    }

    [Fact]
    public async Task Validate_BadSubPattern_IsAPolicyBuildErrorNamingThePattern()
    {
        var run = await CliRun.RunWithStdinAsync(_issuer.IssueToken(Audience), Args("--repository-id", "456789", "--sub", "repo:octo*"));

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("repo:octo*", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SeveralProblems_AreAllReportedInOneRun()
    {
        var run = await CliRun.RunWithStdinAsync(
            _issuer.IssueToken(Audience),
            Args("--sub", "repo:octo*", "--at", "yesterday", "--clock-skew", "9999", "--jwks", "/no/such/jwks.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("repo:octo*", run.Error, StringComparison.Ordinal);
        Assert.Contains("--at 'yesterday' is not an ISO-8601 instant", run.Error, StringComparison.Ordinal);
        Assert.Contains("--clock-skew must be from 0 to 300 seconds", run.Error, StringComparison.Ordinal);
        Assert.Contains("--jwks '/no/such/jwks.json': no such file", run.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'oidc-token validate --help'", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-age", "0")]
    [InlineData("--max-age", "-5")]
    [InlineData("--clock-skew", "-1")]
    [InlineData("--clock-skew", "NaN")]
    [InlineData("--clock-skew", "abc")]
    [InlineData("--runner-environment", "cloud")]
    [InlineData("--format", "yaml")]
    [InlineData("--at", "22/04/2026")]
    public async Task Validate_BadOptionValue_IsAUsageError(string option, string value)
    {
        var run = await CliRun.RunWithStdinAsync(_issuer.IssueToken(Audience), Args("--repository-id", "456789", option, value));

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains(option, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WithoutAudience_IsAUsageError()
    {
        var run = await CliRun.RunWithStdinAsync(_issuer.IssueToken(Audience), "validate", "--issuer", _issuer.Issuer, "--allow-any-repository");

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("--audience", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_DefaultShapedAudience_NeedsTheOptIn()
    {
        var token = _issuer.IssueToken(null);
        string[] common = ["validate", "--issuer", _issuer.Issuer, "--audience", _issuer.DefaultAudience, "--repository-id", "456789"];

        var refused = await CliRun.RunWithStdinAsync(token, common);
        var allowed = await CliRun.RunWithStdinAsync(token, [.. common, "--allow-default-audience"]);

        Assert.Equal(2, refused.ExitCode);
        Assert.Empty(refused.Output);
        Assert.Equal(0, allowed.ExitCode);
    }

    [Fact]
    public async Task Validate_SeveralAudiences_AcceptsAnyOfThem()
    {
        var token = _issuer.IssueToken("second");

        var run = await CliRun.RunWithStdinAsync(
            token, "validate", "--issuer", _issuer.Issuer, "--audience", "first", "--audience", "second", "--owner-id", "123456");

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Validate_EveryPolicyOption_IsAppliedAndCanPass()
    {
        var token = _issuer.IssueToken(Audience);

        var run = await CliRun.RunWithStdinAsync(token, Args(
            "--repository", "octo-org/octo-repo", "--repository-id", "456789", "--owner", "octo-org", "--owner-id", "123456",
            "--ref", "refs/heads/main", "--event", "push", "--event", "workflow_dispatch", "--deny-event", "pull_request_target",
            "--runner-environment", "github-hosted", "--sub", "repo:octo-org/*", "--clock-skew", "30", "--max-age", "600"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
    }

    [Theory]
    [InlineData("--event", "workflow_dispatch")]
    [InlineData("--deny-event", "push")]
    [InlineData("--environment", "production")]
    [InlineData("--ref", "refs/heads/release")]
    [InlineData("--runner-environment", "self-hosted")]
    [InlineData("--sub", "repo:other-org/*")]
    [InlineData("--owner", "other-org")]
    [InlineData("--job-workflow-ref", "octo-org/deploy/.github/workflows/deploy.yml@refs/heads/main")]
    public async Task Validate_EachPolicyOption_CanRefuse(string option, string value)
    {
        var run = await CliRun.RunWithStdinAsync(_issuer.IssueToken(Audience), Args("--repository-id", "456789", option, value, "--format", "json"));

        Assert.Equal(6, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("PolicyViolation", json.RootElement.GetProperty("failure").GetString());
    }

    [Fact]
    public async Task Validate_Help_ListsEveryOptionOfTheContract()
    {
        var run = await CliRun.RunAsync("validate", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[]
        {
            "--audience", "--issuer", "--enterprise", "--ghes-host", "--jwks", "--at", "--clock-skew", "--max-age", "--repository",
            "--repository-id", "--owner", "--owner-id", "--allow-any-repository", "--ref", "--ref-protected", "--environment",
            "--event", "--deny-event", "--job-workflow-ref", "--runner-environment", "--sub", "--allow-default-audience", "--format",
        })
        {
            Assert.Contains(option + " ", run.Output, StringComparison.Ordinal);
        }
    }

    // ---- offline, with real GitHub tokens ----

    [Fact]
    public async Task Validate_RealTokenOffline_AtAnInstantInItsWindow_IsValid()
    {
        var token = GitHubRealFixtures.Token(GitHubRealFixtures.TokenC);

        var run = await CliRun.RunWithStdinAsync(token, Offline(GitHubRealFixtures.JwksC, "2026-04-22T07:52:00Z", "--repository-id", "1217768983"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.StartsWith("valid\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\nrepository: marchenko1985/github_oidc_token_demo\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\nexp: 2026-04-22T07:59:53Z\n", run.Output, StringComparison.Ordinal);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Validate_RealTokenOffline_Json_IsValidWithTheSignedClaims()
    {
        var token = GitHubRealFixtures.Token(GitHubRealFixtures.TokenC);

        var run = await CliRun.RunWithStdinAsync(
            token, [.. Offline(GitHubRealFixtures.JwksC, "2026-04-22T09:52:00+02:00", "--owner-id", "88868", "--ref", "refs/heads/main", "--event", "workflow_dispatch"), "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal("1217768983", json.RootElement.GetProperty("claims").GetProperty("repository_id").GetString());
        Assert.Equal(1776844793, json.RootElement.GetProperty("claims").GetProperty("exp").GetInt64());
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Theory]
    [InlineData("2026-04-22T08:30:00Z", "Expired")]
    [InlineData("2026-04-22T07:40:00Z", "NotYetValid")]
    public async Task Validate_RealTokenOffline_OutsideItsWindow_Exits6(string at, string failure)
    {
        var token = GitHubRealFixtures.Token(GitHubRealFixtures.TokenC);

        var run = await CliRun.RunWithStdinAsync(token, [.. Offline(GitHubRealFixtures.JwksC, at, "--repository-id", "1217768983"), "--format", "json"]);

        Assert.Equal(6, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(failure, json.RootElement.GetProperty("failure").GetString());
        Assert.Equal("Invalid", json.RootElement.GetProperty("kind").GetString());
        Assert.StartsWith("oidc-token: validate: invalid token: " + failure + ": ", run.Error, StringComparison.Ordinal);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Validate_RealTokenOffline_JwksWithoutItsKey_Exits6UnknownKey()
    {
        var token = GitHubRealFixtures.Token(GitHubRealFixtures.TokenC);

        var run = await CliRun.RunWithStdinAsync(token, [.. Offline(GitHubRealFixtures.JwksA, "2026-04-22T07:52:00Z", "--repository-id", "1217768983"), "--format", "json"]);

        Assert.Equal(6, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("UnknownKey", json.RootElement.GetProperty("failure").GetString());
    }

    [Fact]
    public async Task Validate_RealSixHourToken_WithMaxAge_IsTooOld()
    {
        var token = GitHubRealFixtures.Token(GitHubRealFixtures.TokenB);
        string[] common =
        [
            "validate", "--audience", "https://example.com", "--allow-any-repository",
            "--jwks", GitHubRealFixtures.PathOf(GitHubRealFixtures.JwksB), "--at", "2025-03-29T16:00:00Z", "--format", "json",
        ];

        var valid = await CliRun.RunWithStdinAsync(token, common);
        var tooOld = await CliRun.RunWithStdinAsync(token, [.. common, "--max-age", "600"]);

        Assert.Equal(0, valid.ExitCode);
        Assert.Equal(6, tooOld.ExitCode);
        using var json = JsonDocument.Parse(tooOld.Output);
        Assert.Equal("TooOld", json.RootElement.GetProperty("failure").GetString());
    }

    [Fact]
    public async Task Validate_RunnerRequestToken_IsNotAnIdToken()
    {
        var token = GitHubRealFixtures.Token(GitHubRealFixtures.RequestTokenD);

        var run = await CliRun.RunWithStdinAsync(token, Offline(GitHubRealFixtures.JwksB, "2025-03-06T18:00:00Z", "--allow-any-repository"));

        Assert.Equal(6, run.ExitCode);
        Assert.Empty(run.Output);
        DecodeCommandTests.AssertNoSecret(run, token);
    }

    [Theory]
    [InlineData("2026-04-22T07:52:00Z")]
    [InlineData("2026-04-22T07:52:00.5Z")]
    [InlineData("2026-04-22T07:52Z")]
    [InlineData("2026-04-22T07:52:00")]
    [InlineData("2026-04-22T09:52:00+02:00")]
    public void TryParseInstant_AcceptsIso8601(string value)
    {
        Assert.True(ValidateOptions.TryParseInstant(value, out var instant));
        Assert.Equal(new DateTimeOffset(2026, 4, 22, 7, 52, 0, TimeSpan.Zero), instant.AddTicks(-(instant.Ticks % TimeSpan.TicksPerSecond)));
    }

    [Fact]
    public void Redact_RemovesTheTokenAndItsSignature()
    {
        const string token = "aGVhZGVy.cGF5bG9hZA.c2lnbmF0dXJlLXNlZ21lbnQ";

        Assert.Equal("x [token redacted] y", ValidateCommand.Redact("x " + token + " y", token));
        Assert.Equal("sig [signature redacted]", ValidateCommand.Redact("sig c2lnbmF0dXJlLXNlZ21lbnQ", token));
    }

    private static string[] Offline(string jwks, string at, params string[] extra) =>
        ["validate", "--audience", "demo", "--jwks", GitHubRealFixtures.PathOf(jwks), "--at", at, .. extra];

    private static string Flip(string segment)
    {
        var chars = segment.ToCharArray();
        chars[10] = chars[10] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A stdin that never delivers anything until cancelled, like a terminal nobody types into.</summary>
    private sealed class BlockingReader : TextReader
    {
        internal TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }
}
