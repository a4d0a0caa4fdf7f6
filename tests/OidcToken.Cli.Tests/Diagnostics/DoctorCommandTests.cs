using System.Text.Json;
using OidcToken.Testing;

namespace OidcToken.Cli.Diagnostics;

public sealed class DoctorCommandTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Doctor_Ready_PrintsTheReportAndMakesNoRequest()
    {
        var run = await CliRun.RunAsync(CliRun.Context(_issuer.GetEnvironment()), "doctor");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("OIDC token: available", run.Output, StringComparison.Ordinal);
        Assert.Contains("ACTIONS_ID_TOKEN_REQUEST_TOKEN  set (value hidden)", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, _issuer.TokenRequestCount);
        Assert.DoesNotContain(_issuer.RequestToken, run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_PermissionMissing_PrintsTheYamlAndExits3()
    {
        var run = await CliRun.RunAsync(new CliContext(name => name == "GITHUB_ACTIONS" ? "true" : null), "doctor");

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("OIDC token: NOT available (PermissionMissing)", run.Output, StringComparison.Ordinal);
        Assert.Contains("permissions:\n  id-token: write\n  contents: read\n", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_OutsideActions_LeadsWithNotInGitHubActions_EvenInAContainer()
    {
        // The real machine's container markers (a dev container, a Codespace, a CI container): without GITHUB_ACTIONS
        // they do not change the story, and no docker advice is given.
        var run = await CliRun.RunAsync(new CliContext(_ => null), "doctor");

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("OIDC token: NOT available (NotInGitHubActions)\n\nNot running in GitHub Actions", run.Output, StringComparison.Ordinal);
        Assert.Contains("oidc-token-mock", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("docker run", run.Output, StringComparison.Ordinal);
        if (File.Exists("/.dockerenv") || File.Exists("/run/.containerenv"))
        {
            Assert.Contains("note: Container marker found (", run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Doctor_Json_IsParseable()
    {
        var run = await CliRun.RunAsync(new CliContext(_ => null), "doctor", "--format", "json");

        using var json = JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("can_request_token").GetBoolean());
        Assert.Equal(json.RootElement.GetProperty("exit_code").GetInt32(), run.ExitCode);
    }

    [Fact]
    public async Task Doctor_Probe_RequestsOnceAndNeverPrintsTheToken()
    {
        var run = await CliRun.RunAsync(CliRun.Context(_issuer.GetEnvironment(), ("GITHUB_ACTIONS", null)), "doctor", "--probe", "--format", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(1, _issuer.TokenRequestCount);
        using var json = JsonDocument.Parse(run.Output);
        var probe = json.RootElement.GetProperty("probe");
        Assert.True(probe.GetProperty("succeeded").GetBoolean());
        Assert.Equal(_issuer.DefaultAudience, probe.GetProperty("audience").GetString());
        Assert.DoesNotContain("eyJ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ProbeRefused_ReportsHowTheEndpointAnswered()
    {
        _issuer.FailNextRequests(1, MockGitHubOidcIssuer.JobCompleted());

        var run = await CliRun.RunAsync(CliRun.Context(_issuer.GetEnvironment(), ("GITHUB_ACTIONS", null)), "doctor", "--probe");

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("probe: the endpoint did not issue a token: JobNotRunning", run.Output, StringComparison.Ordinal);
        Assert.Contains("Can't issue ID_TOKEN for job in 'Completed' state.", run.Output, StringComparison.Ordinal);
        Assert.Equal(1, _issuer.TokenRequestCount);
    }
}
