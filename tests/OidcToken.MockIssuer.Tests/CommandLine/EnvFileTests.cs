namespace OidcToken.MockIssuer.Tests.CommandLine;

/// <summary>
/// <c>--env-file</c>: the file is complete whenever it exists (written under a temporary name, then renamed), and it
/// goes away when the mock stops, unless someone else has since replaced it.
/// </summary>
public sealed class EnvFileTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("oidc-token-mock-env-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Env_file_is_complete_as_soon_as_it_exists_and_is_removed_on_sigterm()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var envFile = Path.Combine(_folder, "oidc.env");
        using var tool = ToolProcess.Start("--env-file", envFile);

        // A reader that waits for the file, as the README does, sees all three lines at its first look.
        Assert.True(await MockClient.PollAsync(() => File.Exists(envFile), StartTimeout), "the env file never appeared: " + (tool.HasExited ? await tool.Stderr : "still running"));
        var firstLook = await File.ReadAllLinesAsync(envFile);
        Assert.Equal(["ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "OIDC_ISSUER"], firstLook.Select(l => l.Split('=', 2)[0]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(envFile));

        // The variables it holds are those printed, and they work.
        var variables = await tool.ReadVariablesAsync(StartTimeout);
        Assert.Equal(variables.Select(v => v.Key + "=" + v.Value), firstLook);
        await MockClient.GetTokenAsync(variables, "demo");

        // No temporary file is left beside it.
        Assert.Equal([envFile], Directory.GetFiles(_folder));

        Assert.True(tool.Terminate());
        Assert.Equal(0, await tool.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(File.Exists(envFile), "the env file of a stopped mock was left behind (its port and request token are dead).");
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task Env_file_taken_over_by_another_mock_is_left_alone_on_stop()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var envFile = Path.Combine(_folder, "oidc.env");
        using var first = ToolProcess.Start("--env-file", envFile);
        await first.ReadVariablesAsync(StartTimeout);

        using var second = ToolProcess.Start("--env-file", envFile);
        var secondVariables = await second.ReadVariablesAsync(StartTimeout);
        var secondContent = await File.ReadAllTextAsync(envFile);

        Assert.True(first.Terminate());
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(File.Exists(envFile), "the first mock removed the file the second one wrote.");
        Assert.Equal(secondContent, await File.ReadAllTextAsync(envFile));
        Assert.Contains(secondVariables["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], secondContent, StringComparison.Ordinal);

        Assert.True(second.Terminate());
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(File.Exists(envFile));
    }

    [Fact]
    public async Task Env_file_of_the_command_form_is_written_before_the_command_starts_and_removed_after_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var envFile = Path.Combine(_folder, "oidc.env");
        using var tool = ToolProcess.Start("--env-file", envFile, "--", "sh", "-c", "cat \"$1\"; test \"$(grep -c = \"$1\")\" = 3", "sh", envFile);

        var output = await tool.ReadStdoutToEndAsync(StartTimeout);
        Assert.Equal(0, await tool.WaitForExitAsync(StartTimeout));
        Assert.StartsWith("ACTIONS_ID_TOKEN_REQUEST_URL=http://127.0.0.1:", output, StringComparison.Ordinal);
        Assert.False(File.Exists(envFile));
    }
}
