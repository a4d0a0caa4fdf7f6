using System.Runtime.InteropServices;
using System.Text;
using OidcToken.Testing;

namespace OidcToken.MockIssuer;

/// <summary>Starts the issuer, announces it, and serves until SIGINT (Ctrl+C) or SIGTERM.</summary>
internal static class MockIssuerHost
{
    private static readonly string[] AnnouncedVariables = ["ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "OIDC_ISSUER"];

    public static async Task<int> RunAsync(MockGitHubOidcIssuerOptions options, FileInfo? envFile, TextWriter stdout, TextWriter stderr)
    {
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

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

        using (issuer)
        {
            var environment = issuer.GetEnvironment();
            var lines = AnnouncedVariables.Select(name => name + "=" + environment[name]).ToArray();
            if (envFile is not null)
            {
                try
                {
                    WriteSecretFile(envFile.FullName, lines);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    await stderr.WriteLineAsync($"oidc-token-mock: cannot write {envFile.FullName}: {exception.Message}").ConfigureAwait(false);
                    return MockIssuerCommand.StartFailed;
                }
            }

            foreach (var line in lines)
            {
                await stdout.WriteLineAsync(line).ConfigureAwait(false);
            }

            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await stderr.WriteLineAsync(
                $"oidc-token-mock: mock GitHub Actions OIDC provider for {options.Owner}/{options.Repository} at {issuer.BaseAddress} (issuer {issuer.Issuer}). "
                + "Export the variables printed above"
                + (envFile is null ? string.Empty : $" (also in {envFile.FullName})")
                + " and request tokens as in a workflow, e.g. 'oidc-token token --audience sts.amazonaws.com'. Press Ctrl+C to stop.")
                .ConfigureAwait(false);
            await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: a normal stop.
            }
        }

        await stderr.WriteLineAsync("oidc-token-mock: stopped.").ConfigureAwait(false);
        return 0;
    }

    /// <summary>Writes <c>NAME=value</c> lines to a file only its owner can read (mode 0600 on Unix, also when it existed).</summary>
    private static void WriteSecretFile(string path, IEnumerable<string> lines)
    {
        var streamOptions = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, streamOptions);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        foreach (var line in lines)
        {
            writer.WriteLine(line);
        }
    }
}
