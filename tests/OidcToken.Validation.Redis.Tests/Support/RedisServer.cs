using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Garnet;
using StackExchange.Redis;

namespace OidcToken.Validation.Redis.Tests.Support;

/// <summary>Which server a <see cref="RedisServer"/> runs.</summary>
public enum RedisBackend
{
    /// <summary>A <c>redis-server</c> child process (the Debian package <c>redis-server</c>).</summary>
    RedisServer,

    /// <summary>An in-process Garnet server (NuGet <c>Microsoft.Garnet</c>), speaking the same protocol.</summary>
    Garnet,
}

/// <summary>
/// A real Redis-protocol server on a free loopback port, never a mock: <c>redis-server</c> as a child process when it is
/// on PATH, otherwise an in-process Garnet server. <see cref="Stop"/> and <see cref="Start"/> take it down and bring it
/// back on the same port (an outage).
/// </summary>
/// <remarks>
/// <para>Environment variables:</para>
/// <list type="bullet">
/// <item><c>OIDCTOKEN_REDIS_BACKEND=garnet</c> forces Garnet even when redis-server is installed (to test that path);
/// <c>OIDCTOKEN_REDIS_BACKEND=redis-server</c> forces redis-server.</item>
/// <item><c>OIDCTOKEN_REQUIRE_REDIS_SERVER=1</c> (set by <c>.ci/run</c>) makes the fixture fail instead of falling back to
/// Garnet when redis-server is not on PATH, so CI runs against the real thing (and refuses
/// <c>OIDCTOKEN_REDIS_BACKEND=garnet</c> beside it).</item>
/// </list>
/// <para>redis-server runs with no persistence (<c>--save "" --appendonly no</c>) in a temporary directory, bound to
/// 127.0.0.1; a stop kills it (a crash, as far as clients can tell).</para>
/// </remarks>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("oidctoken-redis-").FullName;
    private string? _redisServerPath;
    private Process? _process;
    private GarnetServer? _garnet;

    /// <summary>The server in use.</summary>
    public RedisBackend Backend { get; private set; }

    /// <summary>What the server is, for test output: the backend, its version and the port.</summary>
    public string Description { get; private set; } = "not started";

    /// <summary>The port on 127.0.0.1, the same after a restart.</summary>
    public int Port { get; private set; }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string EndPoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>True while the server is running (between <see cref="Start"/> and <see cref="Stop"/>).</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _process is not null || _garnet is not null;
            }
        }
    }

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        (Backend, _redisServerPath) = ChooseBackend();
        Port = FreePort();
        Start();
        await WaitUntilReadyAsync().ConfigureAwait(false);
        var version = Backend == RedisBackend.RedisServer ? await ServerVersionAsync().ConfigureAwait(false) : null;
        Description = Backend == RedisBackend.RedisServer
            ? string.Create(CultureInfo.InvariantCulture, $"redis-server ({_redisServerPath}, {version}) on {EndPoint}")
            : string.Create(CultureInfo.InvariantCulture, $"Garnet {typeof(GarnetServer).Assembly.GetName().Version} in process on {EndPoint} (redis-server is not used: {GarnetReason()})");
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying server: the temporary directory is left behind.
        }

        return Task.CompletedTask;
    }

    /// <summary>A multiplexer configuration for this server that keeps reconnecting after an outage.</summary>
    public ConfigurationOptions Configuration() => new()
    {
        EndPoints = { EndPoint },
        AbortOnConnectFail = false,
        ConnectTimeout = 5000,
        SyncTimeout = 10_000,
        AsyncTimeout = 10_000,
        ReconnectRetryPolicy = new LinearRetry(250),
        ClientName = "oidctoken-tests",
    };

    /// <summary>Connects a new multiplexer to this server.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(Configuration()).ConfigureAwait(false);
        var deadline = Stopwatch.StartNew();
        while (!multiplexer.IsConnected && deadline.Elapsed < ReadyWithin)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        Assert.True(multiplexer.IsConnected, "the multiplexer did not connect to " + Description);
        return multiplexer;
    }

    /// <summary>Takes the server down: kills redis-server, or disposes the Garnet server. Clients see their connections drop.</summary>
    public void Stop()
    {
        Process? process;
        GarnetServer? garnet;
        lock (_lock)
        {
            (process, _process) = (_process, null);
            (garnet, _garnet) = (_garnet, null);
        }

        if (process is not null)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It had exited already.
            }

            process.WaitForExit(10_000);
            process.Dispose();
        }

        garnet?.Dispose();
    }

    /// <summary>Starts the server on <see cref="Port"/> (again, after <see cref="Stop"/>); returns once it accepts commands.</summary>
    public async Task RestartAsync()
    {
        Start();
        await WaitUntilReadyAsync().ConfigureAwait(false);
    }

    /// <summary>Starts the server on <see cref="Port"/>; <see cref="RestartAsync"/> also waits until it answers.</summary>
    public void Start()
    {
        lock (_lock)
        {
            Assert.True(_process is null && _garnet is null, "the server is already running");
            if (Backend == RedisBackend.RedisServer)
            {
                _process = StartRedisServer();
            }
            else
            {
                _garnet = new GarnetServer(
                    [
                        "--bind", "127.0.0.1",
                        "--port", Port.ToString(CultureInfo.InvariantCulture),
                        "--index", "1m",
                        "--memory", "64m",
                        "--page", "1m",
                        "-q", // quiet: no banner in the test output
                    ],
                    loggerFactory: null,
                    // Never true: it deletes the log directory, which defaults to the working directory (the test output).
                    cleanupDir: false);
                _garnet.Start();
            }
        }
    }

    /// <summary>Sends one command on a fresh connection of its own (not through a multiplexer) and returns the reply's first line.</summary>
    public async Task<string> SendRawAsync(params string[] command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
        var stream = client.GetStream();
        var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{command.Length}\r\n");
        foreach (var part in command)
        {
            request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString())).ConfigureAwait(false);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
        var reply = Encoding.UTF8.GetString(buffer, 0, read);
        var end = reply.IndexOf("\r\n", StringComparison.Ordinal);
        return end < 0 ? reply : reply[..end];
    }

    /// <inheritdoc/>
    public override string ToString() => Description;

    private static (RedisBackend Backend, string? RedisServerPath) ChooseBackend()
    {
        var forced = Environment.GetEnvironmentVariable("OIDCTOKEN_REDIS_BACKEND");
        var required = Environment.GetEnvironmentVariable("OIDCTOKEN_REQUIRE_REDIS_SERVER") == "1";
        var path = FindOnPath("redis-server");
        if (string.Equals(forced, "garnet", StringComparison.OrdinalIgnoreCase))
        {
            return required
                ? throw new InvalidOperationException("OIDCTOKEN_REDIS_BACKEND=garnet and OIDCTOKEN_REQUIRE_REDIS_SERVER=1 contradict each other: unset one of them.")
                : (RedisBackend.Garnet, null);
        }

        if (path is not null)
        {
            return (RedisBackend.RedisServer, path);
        }

        if (required || string.Equals(forced, "redis-server", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                "redis-server is not on PATH, and " + (required ? "OIDCTOKEN_REQUIRE_REDIS_SERVER=1" : "OIDCTOKEN_REDIS_BACKEND=redis-server")
                + " asks for it: install the Debian package redis-server (apt-get install -y redis-server), or unset the variable to run these tests on an in-process Garnet server.");
        }

        return (RedisBackend.Garnet, null);
    }

    private static string GarnetReason() =>
        string.Equals(Environment.GetEnvironmentVariable("OIDCTOKEN_REDIS_BACKEND"), "garnet", StringComparison.OrdinalIgnoreCase)
            ? "OIDCTOKEN_REDIS_BACKEND=garnet"
            : "not on PATH";

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private Process StartRedisServer()
    {
        var start = new ProcessStartInfo(_redisServerPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var argument in (string[])[
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", _directory,
            "--logfile", Path.Combine(_directory, "redis.log"),
        ])
        {
            start.ArgumentList.Add(argument);
        }

        if (RedisMajorVersion() >= 7)
        {
            // DEBUG is off by default since Redis 7; the slow-server test sends DEBUG SLEEP from loopback.
            start.ArgumentList.Add("--enable-debug-command");
            start.ArgumentList.Add("local");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private int RedisMajorVersion()
    {
        var start = new ProcessStartInfo(_redisServerPath!, "--version") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit(10_000);
        var at = text.IndexOf("v=", StringComparison.Ordinal);
        if (at < 0)
        {
            return 0;
        }

        var digits = new string(text[(at + 2)..].TakeWhile(char.IsAsciiDigit).ToArray());
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : 0;
    }

    private async Task<string> ServerVersionAsync()
    {
        var info = await SendInfoAsync().ConfigureAwait(false);
        var line = info.Split('\n').FirstOrDefault(l => l.StartsWith("redis_version:", StringComparison.Ordinal));
        return line is null ? "version unknown" : "Redis " + line["redis_version:".Length..].Trim();
    }

    private async Task<string> SendInfoAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
        var stream = client.GetStream();
        await stream.WriteAsync("*2\r\n$4\r\nINFO\r\n$6\r\nSERVER\r\n"u8.ToArray()).ConfigureAwait(false);
        var buffer = new byte[16384];
        var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < ReadyWithin)
        {
            lock (_lock)
            {
                if (_process is { HasExited: true } exited)
                {
                    throw new InvalidOperationException(
                        string.Create(CultureInfo.InvariantCulture, $"redis-server exited with {exited.ExitCode} on port {Port}: {LogTail()}"));
                }
            }

            try
            {
                if (await SendRawAsync("PING").ConfigureAwait(false) == "+PONG")
                {
                    return;
                }
            }
            catch (SocketException ex)
            {
                last = ex;
            }
            catch (IOException ex)
            {
                last = ex;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new TimeoutException(
            string.Create(CultureInfo.InvariantCulture, $"the {Backend} server on port {Port} did not answer PING within {ReadyWithin.TotalSeconds} s ({last?.Message}): {LogTail()}"));
    }

    private string LogTail()
    {
        var log = Path.Combine(_directory, "redis.log");
        return File.Exists(log) ? string.Join(" | ", File.ReadLines(log).TakeLast(5)) : "(no log)";
    }
}
