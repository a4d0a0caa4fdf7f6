using System.Diagnostics;

namespace OidcToken.Benchmarks.MockIssuer;

/// <summary>
/// Runs the built <c>oidc-token-mock</c> tool (<c>dotnet oidc-token-mock.dll --port 0</c>) as a separate process, so
/// the server's work is not counted by the benchmark process, and reads the variables it prints first.
/// </summary>
/// <remarks>
/// The tool is found through <c>OIDCTOKEN_MOCK_DLL</c> when set (benchmarks/run sets it), otherwise in
/// <c>src/OidcToken.MockIssuer/bin/Release/net10.0/</c> of the repository that contains this assembly or the
/// current directory (building the benchmarks builds it).
/// </remarks>
public sealed class MockIssuerProcess : IDisposable
{
    private static readonly string[] AnnouncedVariables = ["ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "OIDC_ISSUER"];

    private readonly Process _process;

    private MockIssuerProcess(Process process, IReadOnlyDictionary<string, string> environment)
    {
        _process = process;
        Environment = environment;
    }

    /// <summary>The runner variables the mock printed: request URL, request token and issuer.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Looks a variable up the way a runner's environment would answer (null when absent).</summary>
    /// <param name="name">The variable name.</param>
    /// <returns>The value, or null.</returns>
    public string? GetVariable(string name) => Environment.TryGetValue(name, out var value) ? value : null;

    /// <summary>Starts the mock and waits (at most <paramref name="timeout"/>) for its variables.</summary>
    /// <param name="timeout">How long to wait for the variables.</param>
    /// <returns>The running mock.</returns>
    public static MockIssuerProcess Start(TimeSpan timeout)
    {
        var dll = LocateTool();
        var start = new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        start.Environment.Remove("GITHUB_ACTIONS");

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + dll);
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                if (e.Data is not null && stderr.Length < 4096)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();

        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = Task.Run(() =>
        {
            while (variables.Count < AnnouncedVariables.Length && process.StandardOutput.ReadLine() is { } line)
            {
                var equals = line.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && AnnouncedVariables.Contains(line[..equals]))
                {
                    variables[line[..equals]] = line[(equals + 1)..];
                }
            }
        });

        if (!reader.Wait(timeout) || variables.Count < AnnouncedVariables.Length)
        {
            Stop(process);
            string errors;
            lock (stderr)
            {
                errors = stderr.ToString();
            }

            throw new InvalidOperationException($"oidc-token-mock ({dll}) did not print its variables within {timeout.TotalSeconds:0} s. Its stderr:\n{errors}");
        }

        // Nothing more is expected on stdout; drain it anyway so the mock can never block on a full pipe.
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        return new MockIssuerProcess(process, variables);
    }

    /// <summary>Kills the mock (and waits for it to exit).</summary>
    public void Dispose()
    {
        Stop(_process);
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string LocateTool()
    {
        if (System.Environment.GetEnvironmentVariable("OIDCTOKEN_MOCK_DLL") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException("OIDCTOKEN_MOCK_DLL names no file.", configured);
        }

        foreach (var origin in new[] { AppContext.BaseDirectory, System.Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(origin); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "OidcToken.sln")))
                {
                    foreach (var configuration in new[] { "Release", "Debug" })
                    {
                        var candidate = Path.Combine(directory.FullName, "src", "OidcToken.MockIssuer", "bin", configuration, "net10.0", "oidc-token-mock.dll");
                        if (File.Exists(candidate))
                        {
                            return candidate;
                        }
                    }
                }
            }
        }

        throw new FileNotFoundException(
            "oidc-token-mock.dll not found: build src/OidcToken.MockIssuer (building the benchmarks does) or set OIDCTOKEN_MOCK_DLL.");
    }
}
