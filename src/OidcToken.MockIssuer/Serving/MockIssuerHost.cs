using System.Runtime.InteropServices;
using System.Text;
using OidcToken.Files;
using OidcToken.Testing;

namespace OidcToken.MockIssuer;

/// <summary>What the host does besides serving: the env file, the command to run, the request log.</summary>
/// <param name="EnvFile">Where to write the variables, or null.</param>
/// <param name="Command">The command (program and arguments) to run with the variables set, or null to serve until stopped.</param>
/// <param name="Log">Whether to print one stderr line per request.</param>
internal sealed record HostSettings(FileInfo? EnvFile, IReadOnlyList<string>? Command, bool Log);

/// <summary>
/// Starts the issuer, announces it, and serves until SIGINT (Ctrl+C), SIGTERM or SIGHUP — or, with a command, runs that
/// command with the variables set and stops when it exits.
/// </summary>
internal static class MockIssuerHost
{
    private static readonly string[] AnnouncedVariables = ["ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "OIDC_ISSUER"];

    public static async Task<int> RunAsync(MockGitHubOidcIssuerOptions options, HostSettings settings, TextWriter stdout, TextWriter stderr)
    {
        // The request log writes from the server's threads while this method writes too.
        stderr = TextWriter.Synchronized(stderr);
        if (settings.Log)
        {
            var log = stderr;
            options.RequestObserver = request => log.WriteLine("oidc-token-mock: " + request);
        }

        using var stop = new CancellationTokenSource();

        // With a command, the command decides when the mock stops: a signal is passed on and the mock waits for the
        // command to exit. A signal that arrives before the command's process is known here (it can already be running
        // and writing) is kept and passed on as soon as it is, so it is never lost.
        var signalLock = new Lock();
        ChildProcess? child = null;
        PosixSignal? pendingSignal = null;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            lock (signalLock)
            {
                if (child is { } running)
                {
                    running.Forward(context.Signal);
                }
                else if (settings.Command is not null)
                {
                    pendingSignal = context.Signal;
                }
                else
                {
                    stop.Cancel();
                }
            }
        }

        void CommandStarted(ChildProcess started)
        {
            lock (signalLock)
            {
                child = started;
                if (pendingSignal is { } signal)
                {
                    started.Forward(signal);
                }
            }
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

        MockGitHubOidcIssuer issuer;
        try
        {
            issuer = MockGitHubOidcIssuer.Start(options);
        }
        catch (ArgumentException exception)
        {
            await stderr.WriteLineAsync("oidc-token-mock: " + exception.Message).ConfigureAwait(false);
            return MockIssuerCommand.UsageError;
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or System.Net.Sockets.SocketException or WireMock.Exceptions.WireMockException)
        {
            await stderr.WriteLineAsync($"oidc-token-mock: cannot listen on 127.0.0.1:{options.Port}: {exception.Message}").ConfigureAwait(false);
            return MockIssuerCommand.StartFailed;
        }

        int exitCode;
        EnvFile? envFile = null;
        using (issuer)
        {
            var environment = issuer.GetEnvironment();
            var variables = AnnouncedVariables.Select(name => KeyValuePair.Create(name, environment[name])).ToArray();
            var lines = variables.Select(v => v.Key + "=" + v.Value).ToArray();
            if (settings.EnvFile is not null)
            {
                try
                {
                    envFile = await EnvFile.WriteAsync(settings.EnvFile.FullName, lines).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    await stderr.WriteLineAsync($"oidc-token-mock: cannot write {settings.EnvFile.FullName}: {exception.Message}. Check that its folder exists and is writable, or pass another --env-file.").ConfigureAwait(false);
                    return MockIssuerCommand.StartFailed;
                }
            }

            try
            {
                if (settings.Command is { } command)
                {
                    exitCode = await RunCommandAsync(command, variables, CommandStarted, stderr).ConfigureAwait(false);
                }
                else
                {
                    exitCode = await ServeAsync(options, issuer, lines, settings.EnvFile, stdout, stderr, stop.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                envFile?.RemoveIfUnchanged(stderr);
            }
        }

        if (settings.Command is null)
        {
            await stderr.WriteLineAsync("oidc-token-mock: stopped.").ConfigureAwait(false);
        }

        return exitCode;
    }

    private static async Task<int> ServeAsync(
        MockGitHubOidcIssuerOptions options,
        MockGitHubOidcIssuer issuer,
        string[] lines,
        FileInfo? envFile,
        TextWriter stdout,
        TextWriter stderr,
        CancellationToken stop)
    {
        foreach (var line in lines)
        {
            await stdout.WriteLineAsync(line).ConfigureAwait(false);
        }

        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await stderr.WriteLineAsync(
            $"oidc-token-mock: mock GitHub Actions OIDC provider for {options.Owner}/{options.Repository} at {issuer.BaseAddress} (issuer {issuer.Issuer}). "
            + "Export the variables printed above"
            + (envFile is null ? string.Empty : $" (also in {envFile.FullName}, removed when the mock stops)")
            + " and request tokens as in a workflow, e.g. 'oidc-token token --audience sts.amazonaws.com'; "
            + "or let the mock run your command with them set: 'oidc-token-mock -- COMMAND [ARGS...]'. Press Ctrl+C to stop.")
            .ConfigureAwait(false);
        await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C, SIGTERM or SIGHUP: a normal stop.
        }

        return 0;
    }

    private static async Task<int> RunCommandAsync(
        IReadOnlyList<string> command,
        IReadOnlyList<KeyValuePair<string, string>> variables,
        Action<ChildProcess> started,
        TextWriter stderr)
    {
        var outcome = ChildProcess.Start(command, variables);
        if (outcome.Process is not { } process)
        {
            await stderr.WriteLineAsync("oidc-token-mock: " + outcome.Error).ConfigureAwait(false);
            return outcome.ExitCode;
        }

        using (process)
        {
            started(process);
            var exitCode = await process.WaitForExitAsync().ConfigureAwait(false);
            if (!OperatingSystem.IsWindows() && SignalName(exitCode - 128) is { } signal)
            {
                // .NET reports a command killed by signal N as exit code 128+N, as shells do; a command may also exit
                // with such a code itself, so the line says what the code means rather than what happened.
                await stderr.WriteLineAsync(
                    $"oidc-token-mock: '{command[0]}' exited with {exitCode}, the code of a command ended by signal {exitCode - 128} ({signal}); the mock stopped too.")
                    .ConfigureAwait(false);
            }

            return exitCode;
        }
    }

    /// <summary>The signals that end a command in practice (numbers as on Linux and macOS alike), or null.</summary>
    private static string? SignalName(int number) => number switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        6 => "SIGABRT",
        9 => "SIGKILL",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => null,
    };

    /// <summary>
    /// The env file this process wrote: written whole under a temporary name and renamed over the target (so a reader
    /// sees either no file or all of it), removed on stop only while it still holds what this process wrote.
    /// </summary>
    private sealed class EnvFile
    {
        private readonly string _path;
        private readonly byte[] _content;

        private EnvFile(string path, byte[] content)
        {
            _path = path;
            _content = content;
        }

        /// <summary>Writes <c>NAME=value</c> lines to a file only its owner can read (mode 0600 on Unix), atomically.</summary>
        public static async Task<EnvFile> WriteAsync(string path, IEnumerable<string> lines)
        {
            var content = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(string.Concat(lines.Select(l => l + "\n")));
            await AtomicFile.WriteAsync(path, content, UnixFileMode.UserRead | UnixFileMode.UserWrite, CancellationToken.None).ConfigureAwait(false);
            return new EnvFile(path, content);
        }

        /// <summary>Deletes the file unless another process (a second mock, the user) has replaced or changed it since.</summary>
        public void RemoveIfUnchanged(TextWriter stderr)
        {
            try
            {
                if (File.Exists(_path) && File.ReadAllBytes(_path).AsSpan().SequenceEqual(_content))
                {
                    File.Delete(_path);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"oidc-token-mock: could not remove {_path} ({exception.Message}); delete it before the next run, its port and request token are dead.");
            }
        }
    }
}
