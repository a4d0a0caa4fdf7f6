using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OidcToken.MockIssuer.Tests.CommandLine;

/// <summary>Runs the built <c>oidc-token-mock</c> (copied next to this test assembly by the project reference) as a real process.</summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process _process;

    private ToolProcess(Process process)
    {
        _process = process;
        Stderr = process.StandardError.ReadToEndAsync();
    }

    public Task<string> Stderr { get; }

    public StreamReader Stdout => _process.StandardOutput;

    public bool HasExited => _process.HasExited;

    /// <summary>Reads the three variables the tool prints first (URL, request token, issuer).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadVariablesAsync(TimeSpan timeout)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            var pair = (await ReadLineAsync(timeout)).Split('=', 2);
            variables[pair[0]] = pair[1];
        }

        return variables;
    }

    /// <summary>The built tool, next to this test assembly.</summary>
    public static string ToolPath => Path.Combine(AppContext.BaseDirectory, "oidc-token-mock.dll");

    public static ToolProcess Start(params string[] arguments) => StartWith(null, null, arguments);

    /// <summary>Starts the tool with <paramref name="input"/> written to its stdin (then closed; null: closed at once).</summary>
    public static ToolProcess StartWithInput(string? input, params string[] arguments) => StartWith(input, null, arguments);

    /// <summary>Starts the tool with stdin <paramref name="input"/> (null: none) and <paramref name="environment"/> set (null: inherited).</summary>
    public static ToolProcess StartWith(string? input, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var tool = ToolPath;
        Assert.True(File.Exists(tool), $"The tool is expected at {tool}.");
        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(tool);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        return new ToolProcess(process);
    }

    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        return await Stdout.ReadLineAsync(cancellation.Token) ?? throw new EndOfStreamException("oidc-token-mock closed stdout early: " + await Stderr);
    }

    /// <summary>Reads stdout to its end, failing after <paramref name="timeout"/> (a tool that never exits fails, not hangs).</summary>
    public async Task<string> ReadStdoutToEndAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        return await Stdout.ReadToEndAsync(cancellation.Token);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        return _process.ExitCode;
    }

    /// <summary>Asks the tool to stop as a service manager would: SIGTERM on Unix, a hard kill elsewhere.</summary>
    public bool Terminate()
    {
        if (OperatingSystem.IsWindows())
        {
            _process.Kill(entireProcessTree: true);
            return false;
        }

        Assert.Equal(0, SendSignal(_process.Id, 15));
        return true;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    /// <summary>The dotnet host running these tests (or the one on PATH).</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
                ? path
                : "dotnet";

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);
}
