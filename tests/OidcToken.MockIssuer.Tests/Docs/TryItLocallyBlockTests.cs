using System.Diagnostics;
using OidcToken.MockIssuer.Tests.CommandLine;
using OidcToken.TestSupport;

namespace OidcToken.MockIssuer.Tests.Docs;

/// <summary>
/// README.md's "Try it locally with the mock issuer" shell block, run as a bash script exactly as pasted, against the
/// freshly built <c>oidc-token-mock</c> and <c>oidc-token</c> (put on PATH by wrapper scripts). One substitution: the
/// block's <c>/tmp/oidc.env</c> becomes a file in a fresh temporary folder, so runs in parallel do not share it.
/// </summary>
public sealed class TryItLocallyBlockTests : IDisposable
{
    private const string Section = "## Try it locally with the mock issuer";
    private const string ReadmeEnvFile = "/tmp/oidc.env";
    private readonly string _folder = Directory.CreateTempSubdirectory("oidc-token-readme-").FullName;

    public void Dispose()
    {
        StopLeftovers();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Ends what a failing block left running: the processes whose command line names this test's folder.</summary>
    private void StopLeftovers()
    {
        if (!Directory.Exists("/proc"))
        {
            return;
        }

        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(entry, "cmdline")).Contains(_folder, StringComparison.Ordinal))
                {
                    using var leftover = Process.GetProcessById(pid);
                    leftover.Kill();
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already, or not ours to read.
            }
        }
    }

    [Fact]
    public async Task Shell_block_works_when_pasted_and_leaves_no_env_file_behind()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var blocks = MarkdownBlocks.Read(Path.Combine(RepositoryRoot(), "README.md"))
            .Where(b => b.Heading == Section && b.Language is "shell" or "bash" or "sh")
            .ToArray();
        Assert.NotEmpty(blocks);

        var bin = Directory.CreateDirectory(Path.Combine(_folder, "bin")).FullName;
        var calls = Path.Combine(_folder, "calls.log");
        WriteWrapper(bin, "oidc-token-mock", ToolProcess.ToolPath, calls, exec: true);
        WriteWrapper(bin, "oidc-token", CliPath(), calls, exec: false);
        var envFile = Path.Combine(_folder, "oidc.env");

        foreach (var block in blocks)
        {
            var script = Path.Combine(_folder, "block.sh");
            await File.WriteAllTextAsync(script, block.Text.Replace(ReadmeEnvFile, envFile, StringComparison.Ordinal));
            File.Delete(calls);

            var (exitCode, stdout, stderr) = await RunBashAsync(script, bin);

            var recorded = File.Exists(calls) ? await File.ReadAllLinesAsync(calls) : [];
            var context = $"{block}\nstdout:\n{stdout}\nstderr:\n{stderr}\ncalls:\n{string.Join('\n', recorded)}";
            Assert.True(exitCode == 0, $"exit code {exitCode}: {context}");
            Assert.True(recorded.Any(c => c.StartsWith("oidc-token ", StringComparison.Ordinal)), "the block asked the mock for nothing: " + context);
            Assert.All(
                recorded.Where(c => c.StartsWith("oidc-token ", StringComparison.Ordinal)),
                c => Assert.True(c.EndsWith(" -> 0", StringComparison.Ordinal), "a command failed: " + context));
            Assert.False(File.Exists(envFile), "the env file was left behind: " + context);
        }
    }

    /// <summary>
    /// A script on PATH that runs the built tool and records its name, first argument and exit code. The mock's wrapper
    /// records its start and then becomes the tool (exec), so the block's <c>$!</c> and <c>kill</c> reach the mock itself,
    /// as they do with the installed tool.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void WriteWrapper(string bin, string name, string dll, string calls, bool exec)
    {
        Assert.True(File.Exists(dll), $"{name} is expected at {dll}.");
        var path = Path.Combine(bin, name);
        var run = $"\"{ToolProcess.DotnetHost()}\" \"{dll}\" \"$@\"";
        File.WriteAllText(
            path,
            exec
                ? $"#!/usr/bin/env bash\necho \"{name} $1\" >> \"{calls}\"\nexec {run}\n"
                : $"#!/usr/bin/env bash\n{run}\ncode=$?\necho \"{name} $1 -> $code\" >> \"{calls}\"\nexit $code\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunBashAsync(string script, string bin)
    {
        // -e, -u and pipefail: a step of the block that fails fails the test (pasted, it would leave the reader stuck there).
        var start = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-euo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add(script);
        start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        foreach (var name in new[] { "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "OIDC_ISSUER", "GITHUB_ACTIONS" })
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the README block did not finish in 3 minutes (waiting for a file that never comes?).");
        }

        // A process the block left running (a mock never stopped) would hold the pipes open: read them for a bounded time.
        var drained = Task.WhenAll(stdout, stderr);
        if (await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(30))) != drained)
        {
            return (process.ExitCode, "(still open)", "the block left a process running that holds its output open (a mock that was never stopped?)");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string CliPath()
    {
#if DEBUG
        const string Configuration = "Debug";
#else
        const string Configuration = "Release";
#endif
        return Path.Combine(RepositoryRoot(), "src", "OidcToken.Cli", "bin", Configuration, "net10.0", "oidc-token.dll");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OidcToken.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OidcToken.sln not found above " + AppContext.BaseDirectory);
    }
}
