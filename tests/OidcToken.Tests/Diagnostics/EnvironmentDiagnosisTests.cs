using OidcToken.Tests.Support;

namespace OidcToken.Tests.Diagnostics;

public sealed class EnvironmentDiagnosisTests : IDisposable
{
    private readonly string _tempDir = Directory.CreateTempSubdirectory("oidctoken-diag-").FullName;

    public void Dispose() => Directory.Delete(_tempDir, recursive: true);

    private static OidcEnvironmentReport Diagnose(FakeEnvironment environment, params string[] existingFiles)
    {
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = environment.Reader,
            FileExists = existingFiles.Contains,
            MaskTokens = false,
        });
        return client.Diagnose();
    }

    [Fact]
    public void Diagnose_InActionsWithoutVariables_ReportsPermissionMissingWithYaml()
    {
        var report = Diagnose(FakeEnvironment.InActions());

        Assert.False(report.CanRequestToken);
        Assert.Equal(OidcTokenErrorCode.PermissionMissing, report.ErrorCode);
        Assert.StartsWith("GitHub Actions did not give this job an OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set.", report.Message, StringComparison.Ordinal);
        Assert.Contains("permissions:\n  id-token: write\n  contents: read\n", report.Message, StringComparison.Ordinal);
        Assert.Contains("Declaring any permission sets every permission you do not list to none", report.Message, StringComparison.Ordinal);
        Assert.Contains("it grants no write access to any resource", report.Message, StringComparison.Ordinal);
        Assert.Contains("A caller outside the called workflow's organization or enterprise must set it explicitly at its workflow or calling-job level.", report.Message, StringComparison.Ordinal);
        Assert.Equal(OidcTokenException.TroubleshootingBaseUrl + "#permissionmissing", report.HelpLink);
        Assert.True(report.IsGitHubActions);
        Assert.Equal("https://token.actions.githubusercontent.com", report.ExpectedIssuer);
    }

    [Fact]
    public void Diagnose_NotInActions_PointsToTheMockIssuer()
    {
        var report = Diagnose(new FakeEnvironment());

        Assert.Equal(OidcTokenErrorCode.NotInGitHubActions, report.ErrorCode);
        Assert.StartsWith("Not running in GitHub Actions (GITHUB_ACTIONS is not 'true')", report.Message, StringComparison.Ordinal);
        Assert.Contains("oidc-token-mock", report.Message, StringComparison.Ordinal);
        Assert.False(report.IsGitHubActions);
    }

    [Theory]
    [InlineData("/.dockerenv")]
    [InlineData("/run/.containerenv")]
    public void Diagnose_ContainerInActionsWithoutVariables_PermissionFirst_ThenPassingBothWithDashE(string marker)
    {
        // A job (GITHUB_ACTIONS=true) in a container without the token variables: the job may lack the permission (a job
        // container or runner pod), or a container started by hand did not inherit them. Only here is docker advice given.
        var report = Diagnose(FakeEnvironment.InActions(), marker);

        Assert.Equal(OidcTokenErrorCode.PermissionMissing, report.ErrorCode);
        Assert.StartsWith("GitHub Actions did not give this job an OIDC token", report.Message, StringComparison.Ordinal);
        Assert.Contains("permissions:\n  id-token: write\n", report.Message, StringComparison.Ordinal);
        Assert.Contains($"\nRunning in a container ({marker}): if the job does grant 'id-token: write'", report.Message, StringComparison.Ordinal);
        Assert.Contains("pass both variables into the container: 'docker run -e ACTIONS_ID_TOKEN_REQUEST_URL -e ACTIONS_ID_TOKEN_REQUEST_TOKEN", report.Message, StringComparison.Ordinal);
        Assert.True(
            report.Message.IndexOf("id-token: write\n", StringComparison.Ordinal) < report.Message.IndexOf("docker run", StringComparison.Ordinal),
            "the permission comes before the container advice");
        Assert.Equal(marker, report.ContainerMarker);
        Assert.Equal(OidcTokenException.TroubleshootingBaseUrl + "#permissionmissing", report.HelpLink);
    }

    [Fact]
    public void Diagnose_KubernetesPodInActionsWithoutVariables_AddsTheContainerAdvice()
    {
        var environment = FakeEnvironment.InActions();
        environment["KUBERNETES_SERVICE_HOST"] = "10.0.0.1";

        var report = Diagnose(environment);

        Assert.Equal(OidcTokenErrorCode.PermissionMissing, report.ErrorCode);
        Assert.Contains("Running in a container (KUBERNETES_SERVICE_HOST)", report.Message, StringComparison.Ordinal);
        Assert.Equal("KUBERNETES_SERVICE_HOST", report.ContainerMarker);
    }

    [Fact]
    public void Diagnose_InActionsWithoutContainer_GivesNoContainerAdvice()
    {
        var report = Diagnose(FakeEnvironment.InActions());

        Assert.Equal(OidcTokenErrorCode.PermissionMissing, report.ErrorCode);
        Assert.DoesNotContain("docker run", report.Message, StringComparison.Ordinal);
        Assert.Null(report.ContainerMarker);
    }

    [Theory]
    [InlineData("/.dockerenv", null, null)]
    [InlineData("/run/.containerenv", null, null)]
    [InlineData(null, "container", "podman")]
    [InlineData(null, "KUBERNETES_SERVICE_HOST", "10.0.0.1")]
    [InlineData("/.dockerenv", "CODESPACES", "true")]
    public void Diagnose_DevContainerOutsideActions_LeadsWithNotInGitHubActionsAndTheMock(string? file, string? variable, string? value)
    {
        // A developer's dev container, a Codespace or another CI system: GITHUB_ACTIONS unset. No job, so nothing to pass
        // into the container; the container is at most a neutral note after the story.
        var environment = new FakeEnvironment();
        if (variable is not null)
        {
            environment[variable] = value!;
        }

        var report = file is null ? Diagnose(environment) : Diagnose(environment, file);

        Assert.Equal(OidcTokenErrorCode.NotInGitHubActions, report.ErrorCode);
        Assert.StartsWith("Not running in GitHub Actions (GITHUB_ACTIONS is not 'true')", report.Message, StringComparison.Ordinal);
        Assert.Contains("oidc-token-mock", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("docker run", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("docker run", report.ToString(), StringComparison.Ordinal);
        Assert.NotNull(report.ContainerMarker);
        var note = Assert.Single(report.Notes, n => n.StartsWith("Container marker found (", StringComparison.Ordinal));
        Assert.Contains("mock issuer", note, StringComparison.Ordinal);
        Assert.Equal(OidcTokenException.TroubleshootingBaseUrl + "#notingithubactions", report.HelpLink);
    }

    [Fact]
    public async Task GetTokenAsync_DevContainerOutsideActions_ThrowsNotInGitHubActions()
    {
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = new FakeEnvironment().Reader,
            FileExists = path => path == "/.dockerenv",
            MaskTokens = false,
        });

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.NotInGitHubActions, error.ErrorCode);
        Assert.DoesNotContain("docker run", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_Act_IsRecognisedEvenThoughItSetsGitHubActions()
    {
        var environment = FakeEnvironment.InActions();
        environment["ACT"] = "true";

        var report = Diagnose(environment);

        Assert.Equal(OidcTokenErrorCode.RunningUnderAct, report.ErrorCode);
        Assert.StartsWith("Running under act (ACT is set)", report.Message, StringComparison.Ordinal);
        Assert.True(report.IsAct);
    }

    [Fact]
    public void Diagnose_ForkPullRequest_ReadsTheEventPayload()
    {
        var eventPath = Path.Combine(_tempDir, "event.json");
        File.WriteAllText(eventPath, """
            {"pull_request":{"head":{"repo":{"full_name":"someone/octo-repo","fork":true}},"base":{"repo":{"full_name":"octo-org/octo-repo","fork":false}}}}
            """);
        var environment = FakeEnvironment.InActions();
        environment["GITHUB_EVENT_NAME"] = "pull_request";
        environment["GITHUB_EVENT_PATH"] = eventPath;

        var report = Diagnose(environment);

        Assert.Equal(OidcTokenErrorCode.ForkPullRequest, report.ErrorCode);
        Assert.StartsWith("No OIDC token is available: this run was triggered by a pull request from a fork (someone/octo-repo), and GitHub never issues ID tokens to those runs", report.Message, StringComparison.Ordinal);
        Assert.Contains("Do not switch to pull_request_target", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_PullRequestFromSameRepository_IsAPermissionProblem()
    {
        var eventPath = Path.Combine(_tempDir, "event.json");
        File.WriteAllText(eventPath, """
            {"pull_request":{"head":{"repo":{"full_name":"octo-org/octo-repo","fork":false}},"base":{"repo":{"full_name":"octo-org/octo-repo"}}}}
            """);
        var environment = FakeEnvironment.InActions();
        environment["GITHUB_EVENT_NAME"] = "pull_request";
        environment["GITHUB_EVENT_PATH"] = eventPath;

        Assert.Equal(OidcTokenErrorCode.PermissionMissing, Diagnose(environment).ErrorCode);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"pull_request\": 5}")]
    public void Diagnose_UnreadableOrOddEventFile_FallsBackToPermissionMissing(string content)
    {
        var eventPath = Path.Combine(_tempDir, "event.json");
        File.WriteAllText(eventPath, content);
        var environment = FakeEnvironment.InActions();
        environment["GITHUB_EVENT_NAME"] = "pull_request";
        environment["GITHUB_EVENT_PATH"] = eventPath;

        var report = Diagnose(environment);

        Assert.Equal(OidcTokenErrorCode.PermissionMissing, report.ErrorCode);
    }

    [Fact]
    public void Diagnose_MissingEventFile_IsNoted()
    {
        var environment = FakeEnvironment.InActions();
        environment["GITHUB_EVENT_NAME"] = "pull_request";
        environment["GITHUB_EVENT_PATH"] = Path.Combine(_tempDir, "absent.json");

        var report = Diagnose(environment);

        Assert.Contains(report.Notes, note => note.Contains("does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Diagnose_Dependabot_IsTreatedLikeAFork()
    {
        var environment = FakeEnvironment.InActions();
        environment["GITHUB_ACTOR"] = "dependabot[bot]";

        var report = Diagnose(environment);

        Assert.Equal(OidcTokenErrorCode.DependabotRun, report.ErrorCode);
        Assert.StartsWith("No OIDC token is available: this run was triggered by Dependabot (GITHUB_ACTOR is dependabot[bot])", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_OnlyTokenSet_NamesTheMissingUrl()
    {
        var environment = FakeEnvironment.InActions();
        environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "secret-request-token-value";

        var report = Diagnose(environment);

        Assert.Equal(OidcTokenErrorCode.RequestUrlMissing, report.ErrorCode);
        Assert.StartsWith("ACTIONS_ID_TOKEN_REQUEST_TOKEN is set but ACTIONS_ID_TOKEN_REQUEST_URL is not.", report.Message, StringComparison.Ordinal);
        Assert.True(report.RequestTokenPresent);
        Assert.DoesNotContain("secret-request-token-value", report.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-request-token-value", report.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_OnlyUrlSet_NamesTheMissingToken()
    {
        var environment = FakeEnvironment.InActions();
        environment["ACTIONS_ID_TOKEN_REQUEST_URL"] = "https://run.example.test/1//idtoken/a/b?api-version=2.0";

        var report = Diagnose(environment);

        Assert.Equal(OidcTokenErrorCode.RequestTokenMissing, report.ErrorCode);
        Assert.StartsWith("ACTIONS_ID_TOKEN_REQUEST_URL is set but ACTIONS_ID_TOKEN_REQUEST_TOKEN is not.", report.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url", "it is not an absolute URL")]
    [InlineData("http://token.example.test/idtoken?api-version=2.0", "it uses plain http to a host that is not loopback")]
    [InlineData("http://127.0.0.1.example.test/x", "it uses plain http to a host that is not loopback")]
    [InlineData("ftp://token.example.test/x", "its scheme is 'ftp', not https")]
    public void Diagnose_MalformedUrl_SaysWhatIsWrong(string url, string expectedProblem)
    {
        var environment = FakeEnvironment.InActions();
        environment["ACTIONS_ID_TOKEN_REQUEST_URL"] = url;
        environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "t";

        var report = Diagnose(environment);

        Assert.Equal(OidcTokenErrorCode.RequestUrlInvalid, report.ErrorCode);
        Assert.StartsWith("ACTIONS_ID_TOKEN_REQUEST_URL cannot be used: " + expectedProblem, report.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1234/x?api-version=2.0")]
    [InlineData("http://127.8.9.10/x")]
    [InlineData("http://[::1]:80/x")]
    [InlineData("http://localhost:5000/x")]
    [InlineData("https://pipelines.example.test/x")]
    public void Diagnose_UsableUrl_CanRequest(string url)
    {
        var environment = FakeEnvironment.InActions();
        environment["ACTIONS_ID_TOKEN_REQUEST_URL"] = url;
        environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "t";

        var report = Diagnose(environment);

        Assert.True(report.CanRequestToken, report.Message);
        Assert.Null(report.ErrorCode);
        Assert.Null(report.HelpLink);
    }

    [Theory]
    [InlineData("https://github.com", "https://token.actions.githubusercontent.com")]
    [InlineData("https://octo.ghe.com", "https://token.actions.octo.ghe.com")]
    [InlineData("https://ghes.example.test", "https://ghes.example.test/_services/token")]
    [InlineData("https://ghes.example.test:8443", "https://ghes.example.test:8443/_services/token")]
    public void Diagnose_ServerUrl_GivesTheIssuerToExpect(string serverUrl, string issuer)
    {
        var environment = FakeEnvironment.InActions();
        environment["GITHUB_SERVER_URL"] = serverUrl;

        var report = Diagnose(environment);

        Assert.Equal(issuer, report.ExpectedIssuer);
        if (serverUrl != "https://github.com")
        {
            Assert.Contains(report.Notes, note => note.Contains(issuer, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Report_ThrowIfUnavailable_ThrowsTheSameCodeAndMessage()
    {
        var report = Diagnose(FakeEnvironment.InActions());

        var error = Assert.Throws<OidcTokenException>(report.ThrowIfUnavailable);

        Assert.Equal(OidcTokenErrorCode.PermissionMissing, error.ErrorCode);
        Assert.Equal(report.Message, error.Message);
        Assert.Equal(report.HelpLink, error.HelpLink);
        Assert.Equal(3, error.ExitCode);
    }

    [Fact]
    public void Report_ToJson_IsValidJsonWithStableNames()
    {
        var report = Diagnose(FakeEnvironment.InActions());

        using var json = System.Text.Json.JsonDocument.Parse(report.ToJson());

        Assert.False(json.RootElement.GetProperty("can_request_token").GetBoolean());
        Assert.Equal("PermissionMissing", json.RootElement.GetProperty("error_code").GetString());
        Assert.Equal(10, json.RootElement.GetProperty("error_number").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Equal(report.Message, json.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void GitHubOidc_Diagnose_NeverThrows()
    {
        var report = GitHubOidc.Diagnose();

        Assert.NotNull(report.Message);
        Assert.NotEmpty(report.ToString());
    }
}
