using System.Runtime.InteropServices;

namespace OidcToken.MockIssuer;

/// <summary>The command of <c>oidc-token-mock -- COMMAND [ARGS…]</c>: inherits the mock's stdin, stdout and stderr.</summary>
internal sealed class ChildProcess : IDisposable
{
    /// <summary>Exit code when the command is not found (as in POSIX shells).</summary>
    public const int NotFound = 127;

    /// <summary>Exit code when the command was found but cannot be run (as in POSIX shells).</summary>
    public const int CannotRun = 126;

    private const int Enoent = 2;
    private const int Eacces = 13;

    private readonly System.Diagnostics.Process _process;

    private ChildProcess(System.Diagnostics.Process process) => _process = process;

    public static (ChildProcess? Process, int ExitCode, string? Error) Start(IReadOnlyList<string> command, IEnumerable<KeyValuePair<string, string>> variables)
    {
        var program = command[0];
        if (!OperatingSystem.IsWindows())
        {
            // Found as a shell finds it: .NET would look in this tool's own folder before PATH.
            switch (Resolve(program))
            {
                case (null, _):
                    return (null, NotFound, NotFoundMessage(program));
                case (_, false):
                    return (null, CannotRun, PermissionDeniedMessage(program));
                case ({ } path, true):
                    program = path;
                    break;
            }
        }

        var start = new System.Diagnostics.ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        try
        {
            return (new ChildProcess(System.Diagnostics.Process.Start(start)!), 0, null);
        }
        catch (System.ComponentModel.Win32Exception exception) when (exception.NativeErrorCode == Enoent)
        {
            return (null, NotFound, NotFoundMessage(command[0]));
        }
        catch (System.ComponentModel.Win32Exception exception) when (exception.NativeErrorCode == Eacces)
        {
            return (null, CannotRun, PermissionDeniedMessage(command[0]));
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return (null, CannotRun, $"cannot run '{command[0]}': {exception.Message}.");
        }
    }

    private static string NotFoundMessage(string program) =>
        $"command not found: '{program}'. Check its spelling, that it is installed and on PATH, or give its path.";

    private static string PermissionDeniedMessage(string program) =>
        $"cannot run '{program}': permission denied. Make it executable (chmod +x) or run it through its interpreter, e.g. 'oidc-token-mock -- bash {program}'.";

    /// <summary>
    /// Where a POSIX shell would find <paramref name="program"/>: as given when it has a '/', else the first executable
    /// file of that name in a PATH folder (else the first such file that is not executable). Null path when none exists.
    /// </summary>
    private static (string? Path, bool Executable) Resolve(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) || Directory.Exists(program) ? (program, IsExecutableFile(program)) : (null, false);
        }

        string? found = null;
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'))
        {
            var candidate = Path.Combine(folder.Length == 0 ? "." : folder, program);
            if (!File.Exists(candidate))
            {
                continue;
            }

            if (IsExecutableFile(candidate))
            {
                return (candidate, true);
            }

            found ??= candidate;
        }

        return (found, false);
    }

    private static bool IsExecutableFile(string path) =>
        !OperatingSystem.IsWindows()
        && File.Exists(path)
        && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>
    /// Passes a stop signal on to the command. SIGINT is not passed on when the mock runs in the terminal's foreground
    /// process group: Ctrl+C has already reached the command there, and a second one would interrupt it twice.
    /// </summary>
    public void Forward(PosixSignal signal)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            // No signals to pass on: Ctrl+C reaches the whole console; a stop request ends the command.
            if (signal != PosixSignal.SIGINT)
            {
                _process.Kill(entireProcessTree: true);
            }

            return;
        }

        if (signal == PosixSignal.SIGINT && Native.IsForeground())
        {
            return;
        }

        var number = signal switch
        {
            PosixSignal.SIGHUP => 1,
            PosixSignal.SIGINT => 2,
            _ => 15,
        };
        _ = Native.Kill(_process.Id, number);
    }

    public void Dispose() => _process.Dispose();

    private static class Native
    {
        public static bool IsForeground()
        {
            var foreground = TerminalProcessGroup(0);
            return foreground > 0 && foreground == ProcessGroup();
        }

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);

        [DllImport("libc", EntryPoint = "tcgetpgrp", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int TerminalProcessGroup(int fileDescriptor);

        [DllImport("libc", EntryPoint = "getpgrp")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int ProcessGroup();
    }
}
