using System.Text.RegularExpressions;

namespace OidcToken.MockIssuer.Tests.CommandLine;

/// <summary>
/// <c>oidc-token-mock [options] -- COMMAND [ARGS…]</c>: the command runs with the runner variables, owns stdin, stdout and
/// stderr, and its exit code is the mock's; the mock stops when it exits.
/// </summary>
public sealed partial class CommandFormTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Command_runs_with_the_variables_against_the_live_mock_and_its_exit_code_is_returned()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // The child asks the running mock for its discovery document over a raw socket (bash's /dev/tcp: no curl needed),
        // then exits 7. Its stdout is the tool's whole stdout.
        const string Script = """
            echo "url=$ACTIONS_ID_TOKEN_REQUEST_URL"
            echo "issuer=$OIDC_ISSUER"
            test -n "$ACTIONS_ID_TOKEN_REQUEST_TOKEN" && echo "token=set"
            hostport=${OIDC_ISSUER#http://}
            exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
            printf 'GET /.well-known/openid-configuration HTTP/1.0\r\nHost: %s\r\n\r\n' "$hostport" >&3
            head -n 1 <&3 | tr -d '\r'
            exit 7
            """;
        using var tool = ToolProcess.Start("--", "bash", "-c", Script);

        var stdout = await tool.ReadStdoutToEndAsync(Timeout);
        Assert.Equal(7, await tool.WaitForExitAsync(Timeout));

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^url=http://127\.0\.0\.1:\d+/\d+//idtoken/[0-9a-f-]{36}/[0-9a-f-]{36}\?api-version=2\.0$", lines[0]);
        Assert.Matches(@"^issuer=http://127\.0\.0\.1:\d+$", lines[1]);
        Assert.Equal("token=set", lines[2]);
        Assert.Equal("HTTP/1.0 200 OK", lines[3].Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal));
        Assert.DoesNotContain("oidc-token-mock", await tool.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_reads_the_mock_stdin_and_writes_its_stderr()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var tool = ToolProcess.StartWithInput("hello from stdin\n", "--", "sh", "-c", "cat; echo to-stderr >&2");

        Assert.Equal("hello from stdin\n", await tool.ReadStdoutToEndAsync(Timeout));
        Assert.Equal(0, await tool.WaitForExitAsync(Timeout));
        Assert.Equal("to-stderr\n", await tool.Stderr);
    }

    [Fact]
    public async Task Command_not_found_exits_127_and_not_executable_exits_126_with_a_line_saying_why()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using (var missing = ToolProcess.Start("--", "oidc-token-no-such-command-" + Guid.NewGuid().ToString("N")))
        {
            Assert.Equal(string.Empty, await missing.ReadStdoutToEndAsync(Timeout));
            Assert.Equal(127, await missing.WaitForExitAsync(Timeout));
            Assert.Matches("^oidc-token-mock: command not found: 'oidc-token-no-such-command-[0-9a-f]+'\\. .*PATH", await missing.Stderr);
        }

        var script = Path.Combine(Path.GetTempPath(), $"oidc-token-mock-noexec-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            using var notExecutable = ToolProcess.Start("--", script);
            Assert.Equal(126, await notExecutable.WaitForExitAsync(Timeout));
            Assert.Contains("permission denied", await notExecutable.Stderr, StringComparison.Ordinal);
            Assert.Contains("chmod +x", await notExecutable.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task Command_is_found_on_path_as_a_shell_finds_it_not_in_the_tool_folder()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // The tool's own folder holds an 'oidc-token-mock' apphost; the command of that name on PATH is the one meant.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "oidc-token-mock")));
        var folder = Directory.CreateTempSubdirectory("oidc-token-mock-path-").FullName;
        try
        {
            var script = Path.Combine(folder, "oidc-token-mock");
            await File.WriteAllTextAsync(script, "#!/bin/sh\necho from-path \"$@\"\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var path = new Dictionary<string, string> { ["PATH"] = folder + ":" + Environment.GetEnvironmentVariable("PATH") };

            using var tool = ToolProcess.StartWith(null, path, "--", "oidc-token-mock", "a b");

            Assert.Equal("from-path a b\n", await tool.ReadStdoutToEndAsync(Timeout));
            Assert.Equal(0, await tool.WaitForExitAsync(Timeout));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Command_killed_by_a_signal_gives_128_plus_the_signal()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var tool = ToolProcess.Start("--", "sh", "-c", "kill -9 $$");

        Assert.Equal(128 + 9, await tool.WaitForExitAsync(Timeout));
        Assert.Contains("'sh' exited with 137, the code of a command ended by signal 9 (SIGKILL)", await tool.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_to_the_mock_reaches_the_command_and_the_mock_exits_with_its_code()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var tool = ToolProcess.Start("--", "sh", "-c", "trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 0.1; done");
        Assert.Equal("ready", await tool.ReadLineAsync(Timeout));

        Assert.True(tool.Terminate());

        Assert.Equal(42, await tool.WaitForExitAsync(Timeout));
        Assert.Equal("got-term", await tool.ReadLineAsync(Timeout));
    }

    [Fact]
    public async Task Nothing_after_the_separator_is_a_usage_error()
    {
        using var tool = ToolProcess.Start("--port", "0", "--");

        Assert.Equal(string.Empty, await tool.ReadStdoutToEndAsync(Timeout));
        Assert.Equal(2, await tool.WaitForExitAsync(Timeout));
        Assert.StartsWith("oidc-token-mock: nothing to run after '--'", await tool.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_shows_the_command_form()
    {
        using var tool = ToolProcess.Start("--help");

        var help = await tool.ReadStdoutToEndAsync(Timeout);
        Assert.Equal(0, await tool.WaitForExitAsync(Timeout));
        Assert.Contains("oidc-token-mock [options] -- COMMAND [ARGS...]", help, StringComparison.Ordinal);
        Assert.Matches(Flag(), help);
    }

    [GeneratedRegex(@"--repository-id <ID>\s+Claim repository_id\.")]
    private static partial Regex Flag();
}
