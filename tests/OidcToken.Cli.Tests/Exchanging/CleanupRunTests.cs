using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>cleanup</c> acts only on the current run's entries, and outside a runner keeps its state in a per-user folder, never
/// the machine-wide temp folder.
/// </summary>
public sealed class CleanupRunTests : IDisposable
{
    private readonly ExchangeHarness _runner = new();
    private readonly MockGitHubOidcIssuer _otherSession = MockGitHubOidcIssuer.Start();
    private readonly MockCratesRegistry _cratesA = MockCratesRegistry.Start();
    private readonly MockCratesRegistry _cratesB = MockCratesRegistry.Start();
    private readonly string _home = Directory.CreateTempSubdirectory("oidc-token-home-").FullName;

    public void Dispose()
    {
        _cratesA.Dispose();
        _cratesB.Dispose();
        _otherSession.Dispose();
        _runner.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    /// <summary>Run B: another mock session (its own request URL and token) writing to the same state file.</summary>
    private CliContext RunB() => _runner.Context(changes:
    [
        ("ACTIONS_ID_TOKEN_REQUEST_URL", _otherSession.GetEnvironment()["ACTIONS_ID_TOKEN_REQUEST_URL"]),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", _otherSession.RequestToken),
    ]);

    [Fact]
    public async Task Cleanup_of_run_A_leaves_run_Bs_entries_untouched_and_never_contacts_Bs_endpoint()
    {
        var a = await _runner.RunAsync("exchange", "crates", "--endpoint", _cratesA.RegistryUrl.AbsoluteUri);
        var b = await CliRun.RunAsync(RunB(), "exchange", "crates", "--endpoint", _cratesB.RegistryUrl.AbsoluteUri);
        Assert.Equal([0, 0], new[] { a.ExitCode, b.ExitCode });
        var tokenA = ExchangeHarness.ParseEnv(a.Output)[0].Value;
        var tokenB = ExchangeHarness.ParseEnv(b.Output)[0].Value;
        var requestsToB = _cratesB.Requests.Count;

        var cleanupA = await _runner.RunAsync("cleanup");

        Assert.Equal(0, cleanupA.ExitCode);
        Assert.True(_cratesA.IsRevoked(tokenA));
        Assert.True(_cratesB.IsActive(tokenB));
        Assert.Equal(requestsToB, _cratesB.Requests.Count);
        Assert.True(File.Exists(_runner.StateFile));
        Assert.Contains("left alone 1 entry of other runs", cleanupA.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_cratesB.RegistryUrl.AbsoluteUri, cleanupA.Error, StringComparison.Ordinal);
        ExchangeHarness.AssertNoSecret(cleanupA.Error, tokenA, tokenB);

        var cleanupB = await CliRun.RunAsync(RunB(), "cleanup");

        Assert.Equal(0, cleanupB.ExitCode);
        Assert.True(_cratesB.IsRevoked(tokenB));
        Assert.Equal(1, _cratesA.RevokedTokenCount);
        Assert.False(File.Exists(_runner.StateFile));
    }

    [Fact]
    public async Task Recorded_entries_carry_the_run_that_made_them()
    {
        var a = await _runner.RunAsync("exchange", "crates", "--endpoint", _cratesA.RegistryUrl.AbsoluteUri);
        Assert.Equal(0, a.ExitCode);

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(_runner.StateFile));

        Assert.Equal(2, json.RootElement.GetProperty("version").GetInt32());
        var entry = Assert.Single(json.RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal("local:" + _runner.Issuer.GetEnvironment()["ACTIONS_ID_TOKEN_REQUEST_URL"], entry.GetProperty("run").GetString());
    }

    [Fact]
    public async Task Untagged_entries_of_a_version_1_state_file_are_kept_and_reported_never_acted_on()
    {
        // What an earlier oidc-token wrote: no run per entry, so it could be anyone's.
        var legacyFile = Path.Combine(_runner.RunnerTemp, "legacy-credentials.json");
        File.WriteAllText(legacyFile, "{}");
        var content = "{\"version\":1,\"entries\":[{\"kind\":\"crates\",\"location\":\"" + _cratesB.RegistryUrl.AbsoluteUri +
                      "\",\"token\":\"legacy-secret-token\"},{\"kind\":\"file\",\"location\":\"" + legacyFile.Replace("\\", "\\\\", StringComparison.Ordinal) + "\"}]}";
        File.WriteAllText(_runner.StateFile, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_runner.StateFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var run = await _runner.RunAsync("cleanup");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(_cratesB.Requests);
        Assert.True(File.Exists(legacyFile));
        Assert.Contains("left alone 2 entries without a run (written by an earlier oidc-token", run.Error, StringComparison.Ordinal);
        Assert.Contains("nothing of this run to clean up.", run.Error, StringComparison.Ordinal);
        Assert.Contains("legacy-secret-token", File.ReadAllText(_runner.StateFile), StringComparison.Ordinal);
        ExchangeHarness.AssertNoSecret(run.Error, "legacy-secret-token");
    }

    [Fact]
    public async Task A_state_file_of_a_newer_version_is_refused_with_exit_3_and_kept()
    {
        const string Content = "{\"version\":3,\"entries\":[]}";
        File.WriteAllText(_runner.StateFile, Content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_runner.StateFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var run = await _runner.RunAsync("cleanup");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("was written by a newer oidc-token (state file version 3)", run.Error, StringComparison.Ordinal);
        Assert.Equal(Content, File.ReadAllText(_runner.StateFile));
    }

    [Fact]
    public void Run_inside_GitHub_Actions_is_repository_run_attempt_and_job()
    {
        var variables = new Dictionary<string, string?>
        {
            ["ACTIONS_ID_TOKEN_REQUEST_URL"] = "https://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0",
            ["GITHUB_REPOSITORY"] = "octo-org/octo-repo",
            ["GITHUB_RUN_ID"] = "4242",
            ["GITHUB_RUN_ATTEMPT"] = "2",
            ["GITHUB_JOB"] = "deploy",
        };
        string Run(params (string Name, string? Value)[] changes)
        {
            var copy = new Dictionary<string, string?>(variables);
            foreach (var (name, value) in changes)
            {
                copy[name] = value;
            }

            return CleanupState.RunOf(new CliContext(name => copy.TryGetValue(name, out var value) ? value : null));
        }

        Assert.Equal("github:octo-org/octo-repo/4242/2/deploy", Run());
        Assert.NotEqual(Run(), Run(("GITHUB_RUN_ATTEMPT", "3")));
        Assert.NotEqual(Run(), Run(("GITHUB_JOB", "build")));
        Assert.NotEqual(Run(), Run(("GITHUB_RUN_ID", "4243")));
        // A mock sets GITHUB_RUN_ID too (the same every session): a loopback request URL is a local session, told apart by its URL.
        Assert.Equal("local:http://127.0.0.1:5000/x", Run(("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:5000/x")));
        Assert.Equal("local:http://127.0.0.1:5000/x", Run(("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:5000/x"), ("GITHUB_RUN_ID", null)));
    }

    [Fact]
    public void Location_is_RUNNER_TEMP_when_it_exists_else_a_per_user_folder_never_the_temp_folder()
    {
        var xdg = Path.Combine(_home, "xdg-state");
        CleanupState For(params (string Name, string? Value)[] variables)
        {
            var map = variables.ToDictionary(v => v.Name, v => v.Value);
            return CleanupState.For(new CliContext(name => map.TryGetValue(name, out var value) ? value : null));
        }

        Assert.Equal(Path.Combine(_runner.RunnerTemp, CleanupState.FileName), For(("RUNNER_TEMP", _runner.RunnerTemp), ("XDG_STATE_HOME", xdg)).Path);

        var outside = For(("RUNNER_TEMP", Path.Combine(_home, "no-such-folder")), ("XDG_STATE_HOME", xdg), ("HOME", _home), ("LOCALAPPDATA", _home)).Path;
        Assert.False(outside.StartsWith(Path.GetFullPath(Path.GetTempPath()) + CleanupState.FileName, StringComparison.Ordinal));
        if (OperatingSystem.IsWindows())
        {
            Assert.Equal(Path.Combine(_home, "oidc-token", CleanupState.FileName), outside);
        }
        else
        {
            Assert.Equal(Path.Combine(xdg, "oidc-token", CleanupState.FileName), outside);
            Assert.Equal(Path.Combine(_home, ".local", "state", "oidc-token", CleanupState.FileName), For(("HOME", _home)).Path);
            // XDG: a relative XDG_STATE_HOME is invalid and ignored.
            Assert.Equal(Path.Combine(_home, ".local", "state", "oidc-token", CleanupState.FileName), For(("XDG_STATE_HOME", "relative/state"), ("HOME", _home)).Path);
        }
    }

    [Fact]
    public async Task Outside_a_runner_the_state_goes_to_an_owner_only_per_user_folder_and_cleanup_finds_it()
    {
        var stateHome = Path.Combine(_home, "state");
        var context = _runner.Context(changes: [("RUNNER_TEMP", null), ("XDG_STATE_HOME", stateHome), ("HOME", _home), ("LOCALAPPDATA", stateHome)]);

        var exchange = await CliRun.RunAsync(context, "exchange", "crates", "--endpoint", _cratesA.RegistryUrl.AbsoluteUri);

        Assert.Equal(0, exchange.ExitCode);
        Assert.DoesNotContain("warning", exchange.Error, StringComparison.Ordinal);
        var folder = Path.Combine(stateHome, "oidc-token");
        var file = Path.Combine(folder, CleanupState.FileName);
        Assert.True(File.Exists(file));
        Assert.False(File.Exists(_runner.StateFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var cleanup = await CliRun.RunAsync(context, "cleanup");

        Assert.Equal(0, cleanup.ExitCode);
        Assert.Equal(1, _cratesA.RevokedTokenCount);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task A_per_user_folder_other_users_can_enter_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix modes only; Windows' %LOCALAPPDATA% is per-user by its ACL.
        }

        var stateHome = Path.Combine(_home, "state");
        var folder = Path.Combine(stateHome, "oidc-token");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var context = _runner.Context(changes: [("RUNNER_TEMP", null), ("XDG_STATE_HOME", stateHome)]);

        var exchange = await CliRun.RunAsync(context, "exchange", "crates", "--endpoint", _cratesA.RegistryUrl.AbsoluteUri);

        Assert.Equal(0, exchange.ExitCode);
        Assert.Contains("warning: 'oidc-token cleanup' will not know about this token", exchange.Error, StringComparison.Ordinal);
        Assert.Contains("can be read or entered by other users; make it owner-only (chmod 700)", exchange.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }
}
