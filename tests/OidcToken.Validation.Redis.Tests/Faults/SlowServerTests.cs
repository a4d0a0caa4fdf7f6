using System.Diagnostics;
using OidcToken.Validation.Redis.Tests.Support;
using Xunit.Abstractions;

namespace OidcToken.Validation.Redis.Tests.Faults;

/// <summary>A server slower than the store's bound: the store gives up at the bound and throws, and a caller's cancellation stays a cancellation.</summary>
public sealed class SlowServerTests(RedisServer server, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const string Issuer = "https://token.actions.githubusercontent.com";

    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_server_slower_than_the_bound_makes_the_store_throw_at_the_bound()
    {
        await using var slow = await SlowServer.ConnectAsync(server);
        output.WriteLine($"Redis backend: {server.Description}; slow by: {slow.Method}");
        var store = new RedisJtiReplayStore(slow.Multiplexer, new RedisJtiReplayStoreOptions { Timeout = TimeSpan.FromMilliseconds(50) });
        var jti = Guid.NewGuid().ToString("N");

        // The control goes through a store with a loose bound on the same connection: on a loaded machine one round trip
        // can take longer than 50 ms even when the server is not stalled.
        var control = new RedisJtiReplayStore(slow.Multiplexer, new RedisJtiReplayStoreOptions { Timeout = TimeSpan.FromSeconds(10) });
        Assert.True(await control.TryAddAsync(Issuer, Guid.NewGuid().ToString("N"), Expires(), default), "the store failed before the server was made slow");

        var stalled = await slow.StallAsync(Stall);
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<RedisJtiReplayStoreException>(async () => await store.TryAddAsync(Issuer, jti, Expires(), default));
        var gaveUpAfter = clock.Elapsed;
        output.WriteLine($"gave up after {gaveUpAfter.TotalSeconds:0.000} s: {failure.Message}");
        await stalled;

        Assert.True(gaveUpAfter < Stall - TimeSpan.FromMilliseconds(700), $"the store waited {gaveUpAfter.TotalSeconds:0.00} s, for the stalled server ({slow.Method}), instead of its 0.05 s bound");
        Assert.Equal("Redis did not answer within 0.05 s: check that it is reachable and not overloaded; the token was not accepted.", failure.Message);
        Assert.IsType<TimeoutException>(failure.InnerException);
    }

    [Fact]
    public async Task A_caller_cancellation_while_the_server_is_slow_is_a_cancellation_not_a_store_failure()
    {
        await using var slow = await SlowServer.ConnectAsync(server);
        output.WriteLine($"Redis backend: {server.Description}; slow by: {slow.Method}");
        var store = new RedisJtiReplayStore(slow.Multiplexer, new RedisJtiReplayStoreOptions { Timeout = TimeSpan.FromSeconds(30) });
        Assert.True(await store.TryAddAsync(Issuer, Guid.NewGuid().ToString("N"), Expires(), default));

        var stalled = await slow.StallAsync(Stall);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();
        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.TryAddAsync(Issuer, Guid.NewGuid().ToString("N"), Expires(), cancel.Token));
        var after = clock.Elapsed;
        await stalled;

        Assert.Equal(cancel.Token, cancelled.CancellationToken);
        Assert.True(after < Stall - TimeSpan.FromMilliseconds(700), $"cancellation took {after.TotalSeconds:0.00} s");
    }

    private static DateTimeOffset Expires() => TimeProvider.System.GetUtcNow().AddMinutes(10);
}
