using System.Globalization;
using StackExchange.Redis;

namespace OidcToken.Validation.Redis.Tests.Support;

/// <summary>
/// A multiplexer to a <see cref="RedisServer"/> that a test can make slow: on redis-server the server itself stalls
/// (<c>DEBUG SLEEP</c>, sent from another connection: Redis runs one command at a time, so every client waits); on
/// Garnet, which has neither <c>DEBUG SLEEP</c> nor <c>CLIENT PAUSE</c>, the multiplexer goes through a
/// <see cref="DelayingRelay"/> whose answers are held back.
/// </summary>
internal sealed class SlowServer : IAsyncDisposable
{
    private readonly RedisServer _server;
    private readonly DelayingRelay? _relay;

    private SlowServer(RedisServer server, DelayingRelay? relay, ConnectionMultiplexer multiplexer)
    {
        _server = server;
        _relay = relay;
        Multiplexer = multiplexer;
    }

    public ConnectionMultiplexer Multiplexer { get; }

    /// <summary>How the server is made slow, for test output and assertion messages.</summary>
    public string Method => _relay is null
        ? "redis-server stalls on DEBUG SLEEP sent from another connection"
        : "Garnet has neither DEBUG SLEEP nor CLIENT PAUSE: its answers are held back by a loopback relay";

    public static async Task<SlowServer> ConnectAsync(RedisServer server)
    {
        if (server.Backend == RedisBackend.RedisServer)
        {
            return new SlowServer(server, null, await server.ConnectAsync());
        }

        var relay = new DelayingRelay(server.Port);
        var configuration = server.Configuration();
        configuration.EndPoints.Clear();
        configuration.EndPoints.Add(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{relay.Port}"));
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
        Assert.True(multiplexer.IsConnected, "the multiplexer did not connect through the relay to " + server.Description);
        return new SlowServer(server, relay, multiplexer);
    }

    /// <summary>Makes every answer take at least <paramref name="duration"/> from now; the returned task ends when the stall does.</summary>
    public async Task<Task> StallAsync(TimeSpan duration)
    {
        if (_relay is null)
        {
            var sleeping = _server.SendRawAsync("DEBUG", "SLEEP", duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));

            // Return only once the server is asleep, so that the test's command is the one that waits: a PING on another
            // connection then stays unanswered. (A fixed pause lost the race on a loaded machine: the test's command
            // reached the server before DEBUG SLEEP did.)
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (!sleeping.IsCompleted && watch.Elapsed < duration / 2)
            {
                var ping = _server.SendRawAsync("PING");
                if (await Task.WhenAny(ping, Task.Delay(300)) != ping && !sleeping.IsCompleted)
                {
                    return sleeping;
                }
            }

            throw new InvalidOperationException($"redis-server did not start sleeping within {duration.TotalSeconds / 2:0.#} s of DEBUG SLEEP");
        }

        _relay.AnswerDelay = duration;
        return Task.Delay(duration).ContinueWith(_ => _relay.AnswerDelay = TimeSpan.Zero, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await Multiplexer.DisposeAsync();
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }
    }
}
