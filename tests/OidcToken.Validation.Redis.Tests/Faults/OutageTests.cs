using System.Diagnostics;
using OidcToken.Validation.Redis.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace OidcToken.Validation.Redis.Tests.Faults;

/// <summary>The server goes away and comes back: the store throws while it is gone (never admits an id) and works again after.</summary>
public sealed class OutageTests(RedisServer server, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const string Issuer = "https://token.actions.githubusercontent.com";

    /// <summary>Slack on top of the store's bound for a loaded 2-core machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_stopped_server_fails_closed_and_a_restarted_one_works_again()
    {
        output.WriteLine("Redis backend: " + server.Description);
        await using var multiplexer = await server.ConnectAsync();
        var timeout = TimeSpan.FromSeconds(1);
        var store = new RedisJtiReplayStore(multiplexer, new RedisJtiReplayStoreOptions { Timeout = timeout });
        Assert.True(await store.TryAddAsync(Issuer, NewJti(), Expires(), default));

        server.Stop();
        try
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var clock = Stopwatch.StartNew();
                var failure = await Assert.ThrowsAsync<RedisJtiReplayStoreException>(async () => await store.TryAddAsync(Issuer, NewJti(), Expires(), default));
                output.WriteLine($"attempt {attempt + 1}: {clock.Elapsed.TotalSeconds:0.00} s: {failure.Message} (inner: {failure.InnerException?.GetType().Name})");

                Assert.True(clock.Elapsed < timeout + Slack, $"the store took {clock.Elapsed.TotalSeconds:0.00} s to give up, its bound is {timeout.TotalSeconds} s");
                Assert.EndsWith("the token was not accepted.", failure.Message, StringComparison.Ordinal);
                Assert.NotNull(failure.InnerException);
            }
        }
        finally
        {
            await server.RestartAsync();
        }

        // The multiplexer reconnects by itself (AbortOnConnectFail = false); allow it a bounded while.
        var reconnect = Stopwatch.StartNew();
        var jti = NewJti();
        var admitted = false;
        var failures = 0;
        while (!admitted && reconnect.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                // A fresh id per attempt, as a client retries with a fresh token: an attempt given up at the bound may
                // still land once the connection is back, after which its id is (rightly) already present.
                jti = NewJti();
                admitted = await store.TryAddAsync(Issuer, jti, Expires(), default);
                Assert.True(admitted, "a new id was refused after the restart");
            }
            catch (RedisJtiReplayStoreException)
            {
                failures++;
                await Task.Delay(100);
            }
        }

        output.WriteLine($"admitted again {reconnect.Elapsed.TotalSeconds:0.00} s after the restart ({failures} failures while reconnecting)");
        Assert.True(admitted, "the store did not work again within 30 s of the restart");
        Assert.False(await store.TryAddAsync(Issuer, jti, Expires(), default));
    }

    [Fact]
    public async Task A_server_that_is_down_from_the_start_fails_closed()
    {
        // A multiplexer created while nothing listens (AbortOnConnectFail = false lets it be created).
        var configuration = server.Configuration();
        configuration.EndPoints.Clear();
        configuration.EndPoints.Add("127.0.0.1:" + ClosedPort());
        configuration.ConnectTimeout = 1000;
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
        var store = new RedisJtiReplayStore(multiplexer, new RedisJtiReplayStoreOptions { Timeout = TimeSpan.FromMilliseconds(500) });
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<RedisJtiReplayStoreException>(async () => await store.TryAddAsync(Issuer, NewJti(), Expires(), default));

        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.00} s: {failure.Message}");
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500) + Slack, $"the store took {clock.Elapsed.TotalSeconds:0.00} s to give up");
    }

    [Fact]
    public async Task A_disposed_multiplexer_fails_closed()
    {
        var multiplexer = await server.ConnectAsync();
        var store = new RedisJtiReplayStore(multiplexer);
        await multiplexer.DisposeAsync();

        var failure = await Assert.ThrowsAsync<RedisJtiReplayStoreException>(async () => await store.TryAddAsync(Issuer, NewJti(), Expires(), default));

        output.WriteLine(failure.Message + " (inner: " + failure.InnerException?.GetType().Name + ")");
    }

    private static string NewJti() => Guid.NewGuid().ToString("N");

    private static DateTimeOffset Expires() => TimeProvider.System.GetUtcNow().AddMinutes(10);

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
