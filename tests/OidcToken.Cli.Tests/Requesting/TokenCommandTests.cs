using System.Text.Json;
using OidcToken.Testing;

namespace OidcToken.Cli.Requesting;

public sealed class TokenCommandTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Token_StoppedMock_SaysNothingIsListeningInsteadOfProxyAdvice()
    {
        // The variables of a mock that is no longer running (a stale env file): its port refuses connections.
        var stale = _issuer.GetEnvironment();
        _issuer.Dispose();
        var authority = new Uri(stale["ACTIONS_ID_TOKEN_REQUEST_URL"]).Authority;

        var run = await CliRun.RunAsync(CliRun.Context(stale, ("GITHUB_ACTIONS", null)), "token", "--audience", "aud", "--timeout", "3");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains($"nothing is listening at {authority}. Is the mock issuer (oidc-token-mock", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTPS_PROXY", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(stale["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_Raw_PrintsOnlyTheJwtAndANewline()
    {
        var run = await CliRun.RunAsync(CliRun.Context(_issuer.GetEnvironment(), ("GITHUB_ACTIONS", null)), "token", "--audience", "sts.amazonaws.com");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\n$", run.Output);
        Assert.Empty(run.Error);
        Assert.Equal("sts.amazonaws.com", Assert.Single(_issuer.TokenRequests).Audience);
    }

    [Fact]
    public async Task Token_InGitHubActions_MasksOnStderrBeforePrinting()
    {
        var run = await CliRun.RunAsync(CliRun.Context(_issuer.GetEnvironment()), "token");

        Assert.Equal(0, run.ExitCode);
        var token = run.Output.TrimEnd('\n');
        Assert.Equal("::add-mask::" + token + Environment.NewLine, run.Error);
        Assert.DoesNotContain("::", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_Json_CarriesTheTokenAndItsTimes()
    {
        var run = await CliRun.RunAsync(CliRun.Context(_issuer.GetEnvironment(), ("GITHUB_ACTIONS", null)), "token", "--audience", "aud", "--format", "json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("aud", json.RootElement.GetProperty("audience").GetString());
        Assert.Equal("repo:octo-org/octo-repo:ref:refs/heads/main", json.RootElement.GetProperty("subject").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("token").GetString()!.Split('.').Length);
        var issued = DateTimeOffset.Parse(json.RootElement.GetProperty("issued_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var expires = DateTimeOffset.Parse(json.RootElement.GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(300), expires - issued);
    }

    [Fact]
    public async Task Token_PermissionMissing_ExplainsOnStderrAndExits3()
    {
        var run = await CliRun.RunAsync(new CliContext(name => name == "GITHUB_ACTIONS" ? "true" : null), "token");

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: PermissionMissing: GitHub Actions did not give this job an OIDC token", run.Error, StringComparison.Ordinal);
        Assert.Contains("permissions:\n  id-token: write\n  contents: read\n", run.Error, StringComparison.Ordinal);
        Assert.Contains("More: " + OidcTokenException.TroubleshootingBaseUrl + "#permissionmissing", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("audience", 4)]
    [InlineData("html", 5)]
    [InlineData("unavailable", 4)]
    public async Task Token_EndpointFailure_UsesTheDocumentedExitCode(string fault, int exitCode)
    {
        _issuer.FailNextRequests(10, fault switch
        {
            "audience" => MockGitHubOidcIssuer.AudienceRefused(),
            "html" => MockHttpTargetFault.Html(),
            _ => MockHttpTargetFault.Status(503),
        });

        var run = await CliRun.RunAsync(CliRun.Context(_issuer.GetEnvironment(), ("GITHUB_ACTIONS", null)), "token", "--audience", "aud", "--timeout", "1");

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_issuer.RequestToken, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--timeout", "0")]
    [InlineData("--timeout", "abc")]
    [InlineData("--format", "yaml")]
    [InlineData("--audience", " ")]
    public async Task Token_BadOption_IsAUsageError(string option, string value)
    {
        var run = await CliRun.RunAsync(CliRun.Context(_issuer.GetEnvironment()), "token", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.NotEmpty(run.Error);
        Assert.Equal(0, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task NoCommand_IsAUsageError()
    {
        var run = await CliRun.RunAsync();

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
    }
}
