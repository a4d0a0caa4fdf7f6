using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OidcToken.Validation.Redis.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace OidcToken.Validation.Redis.Tests.Replay;

public sealed class ReplayStoreTests(RedisServer server, ITestOutputHelper output) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Issuer = "https://token.actions.githubusercontent.com";

    private ConnectionMultiplexer _multiplexer = null!;

    public async Task InitializeAsync()
    {
        output.WriteLine("Redis backend: " + server.Description);
        _multiplexer = await server.ConnectAsync();
    }

    public async Task DisposeAsync() => await _multiplexer.DisposeAsync();

    [Fact]
    public async Task A_new_id_is_recorded_once_and_its_replay_refused()
    {
        var store = new RedisJtiReplayStore(_multiplexer);
        var jti = NewJti();
        var expires = TimeProvider.System.GetUtcNow().AddMinutes(10);

        Assert.True(await store.TryAddAsync(Issuer, jti, expires, default));
        Assert.False(await store.TryAddAsync(Issuer, jti, expires, default));
        Assert.False(await new RedisJtiReplayStore(_multiplexer).TryAddAsync(Issuer, jti, expires, default));
    }

    [Fact]
    public async Task Ids_are_namespaced_by_issuer()
    {
        var store = new RedisJtiReplayStore(_multiplexer);
        var jti = NewJti();
        var expires = TimeProvider.System.GetUtcNow().AddMinutes(10);

        Assert.True(await store.TryAddAsync(Issuer, jti, expires, default));
        Assert.True(await store.TryAddAsync(Issuer + "/my-enterprise", jti, expires, default));
        Assert.False(await store.TryAddAsync(Issuer + "/my-enterprise", jti, expires, default));
    }

    [Fact]
    public async Task The_key_is_the_prefix_the_issuer_and_the_jti()
    {
        var prefix = "test:" + NewJti() + ":";
        var store = new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { KeyPrefix = prefix });
        var jti = NewJti();

        Assert.True(await store.TryAddAsync(Issuer, jti, TimeProvider.System.GetUtcNow().AddMinutes(10), default));

        var database = _multiplexer.GetDatabase();
        Assert.Equal("1", (string?)await database.StringGetAsync(prefix + Issuer + "|" + jti));
        Assert.Single(await KeysAsync(prefix + "*"));
    }

    [Fact]
    public async Task Long_issuer_and_jti_are_hashed_into_a_bounded_key()
    {
        var prefix = "test:" + NewJti() + ":";
        var store = new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { KeyPrefix = prefix });
        var issuer = "https://ghes.example/" + new string('i', 300);
        var jti = NewJti() + new string('j', 300);
        var expires = TimeProvider.System.GetUtcNow().AddMinutes(10);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(issuer + "|" + jti)));

        Assert.True(await store.TryAddAsync(issuer, jti, expires, default));
        Assert.False(await store.TryAddAsync(issuer, jti, expires, default));
        Assert.True(await store.TryAddAsync(issuer, jti + "x", expires, default));

        var keys = await KeysAsync(prefix + "*");
        Assert.Equal(2, keys.Count);
        Assert.Contains(prefix + "sha256:" + hash, keys);
        Assert.All(keys, k => Assert.Equal(prefix.Length + "sha256:".Length + 64, k.Length));
    }

    [Theory]
    [InlineData(512, false)]
    [InlineData(513, true)]
    public void Keys_are_hashed_only_past_512_characters(int length, bool hashed)
    {
        var issuer = new string('i', 200);
        var jti = new string('j', length - 200);

        var key = RedisJtiReplayStore.Key("p:", issuer, jti);

        Assert.Equal(hashed, key.StartsWith("p:sha256:", StringComparison.Ordinal));
        Assert.Equal(hashed ? "p:sha256:".Length + 64 : "p:".Length + length + 1, key.Length);
    }

    [Fact]
    public async Task The_key_lives_until_expiresAt()
    {
        var store = new RedisJtiReplayStore(_multiplexer);
        var jti = NewJti();

        Assert.True(await store.TryAddAsync(Issuer, jti, TimeProvider.System.GetUtcNow().AddMinutes(10), default));

        var ttl = await _multiplexer.GetDatabase().KeyTimeToLiveAsync("oidctoken:jti:" + Issuer + "|" + jti);
        Assert.NotNull(ttl);
        output.WriteLine($"TTL {ttl.Value.TotalSeconds:0.000} s for an expiry 600 s ahead");
        Assert.InRange(ttl.Value.TotalSeconds, 590, 600);
    }

    [Fact]
    public async Task The_time_provider_decides_the_time_to_live()
    {
        // The store's clock is a day ahead of the real one: a TTL from the real clock would be about 25 hours.
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow().AddDays(1));
        var store = new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { TimeProvider = clock });
        var jti = NewJti();

        Assert.True(await store.TryAddAsync(Issuer, jti, clock.GetUtcNow().AddHours(1), default));

        var ttl = await _multiplexer.GetDatabase().KeyTimeToLiveAsync("oidctoken:jti:" + Issuer + "|" + jti);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value.TotalSeconds, 3590, 3600);
    }

    [Fact]
    public async Task An_expiry_in_the_past_still_holds_the_id_for_a_second()
    {
        var store = new RedisJtiReplayStore(_multiplexer);
        var jti = NewJti();

        Assert.True(await store.TryAddAsync(Issuer, jti, TimeProvider.System.GetUtcNow().AddMinutes(-5), default));

        var ttl = await _multiplexer.GetDatabase().KeyTimeToLiveAsync("oidctoken:jti:" + Issuer + "|" + jti);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value.TotalMilliseconds, 1, 1000);
    }

    [Fact]
    public async Task After_expiry_the_id_can_be_added_again()
    {
        var store = new RedisJtiReplayStore(_multiplexer);
        var jti = NewJti();
        var added = Stopwatch.StartNew();

        Assert.True(await store.TryAddAsync(Issuer, jti, TimeProvider.System.GetUtcNow().AddSeconds(1.5), default));
        Assert.False(await store.TryAddAsync(Issuer, jti, TimeProvider.System.GetUtcNow().AddSeconds(1.5), default));

        var again = false;
        while (!again && added.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(250);
            again = await store.TryAddAsync(Issuer, jti, TimeProvider.System.GetUtcNow().AddMinutes(10), default);
        }

        output.WriteLine($"added again after {added.Elapsed.TotalSeconds:0.00} s");
        Assert.True(again, "the id was still recorded 15 s after an expiry 1.5 s ahead");
        Assert.True(added.Elapsed >= TimeSpan.FromSeconds(1.2), $"the id was forgotten after {added.Elapsed.TotalSeconds:0.00} s, before its expiry");
        Assert.False(await store.TryAddAsync(Issuer, jti, TimeProvider.System.GetUtcNow().AddMinutes(10), default));
    }

    [Fact]
    public async Task The_database_option_picks_the_database()
    {
        var store = new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { Database = 3 });
        var jti = NewJti();
        var key = "oidctoken:jti:" + Issuer + "|" + jti;

        Assert.True(await store.TryAddAsync(Issuer, jti, TimeProvider.System.GetUtcNow().AddMinutes(10), default));

        Assert.True(await _multiplexer.GetDatabase(3).KeyExistsAsync(key));
        Assert.False(await _multiplexer.GetDatabase(0).KeyExistsAsync(key));
        Assert.True(await new RedisJtiReplayStore(_multiplexer).TryAddAsync(Issuer, jti, TimeProvider.System.GetUtcNow().AddMinutes(10), default));
    }

    [Fact]
    public async Task A_cancelled_token_surfaces_as_cancellation()
    {
        var store = new RedisJtiReplayStore(_multiplexer);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await store.TryAddAsync(Issuer, NewJti(), TimeProvider.System.GetUtcNow().AddMinutes(10), cancelled.Token));
    }

    [Fact]
    public async Task Null_issuer_or_jti_is_refused()
    {
        var store = new RedisJtiReplayStore(_multiplexer);
        var expires = TimeProvider.System.GetUtcNow().AddMinutes(10);

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.TryAddAsync(null!, "a", expires, default));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.TryAddAsync(Issuer, null!, expires, default));
    }

    [Fact]
    public void Invalid_options_are_refused_at_construction()
    {
        Assert.Throws<ArgumentNullException>(() => new RedisJtiReplayStore(null!));
        Assert.Throws<ArgumentNullException>(() => new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { KeyPrefix = null! }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { KeyPrefix = new string('p', 257) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { Timeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { Timeout = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { Timeout = Timeout.InfiniteTimeSpan }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { Timeout = TimeSpan.FromSeconds(30.001) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { Database = -2 }));

        _ = new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { KeyPrefix = "", Timeout = TimeSpan.FromSeconds(30), Database = 0 });
        _ = new RedisJtiReplayStore(_multiplexer, new RedisJtiReplayStoreOptions { KeyPrefix = new string('p', 256), Timeout = TimeSpan.FromMilliseconds(1) });
    }

    [Fact]
    public void Defaults_are_as_documented()
    {
        var options = new RedisJtiReplayStoreOptions();

        Assert.Equal("oidctoken:jti:", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Timeout);
        Assert.Equal(-1, options.Database);
        Assert.Null(options.TimeProvider);
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(-60_000, 1000)]
    [InlineData(999, 1000)]
    [InlineData(1001, 1001)]
    [InlineData(90_000, 90_000)]
    public void The_time_to_live_is_the_time_left_and_at_least_a_second(int leftMilliseconds, int expectedMilliseconds)
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), RedisJtiReplayStore.TimeToLive(now.AddMilliseconds(leftMilliseconds), now));
    }

    [Fact]
    public void The_time_to_live_rounds_up_to_whole_milliseconds()
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromMilliseconds(5001), RedisJtiReplayStore.TimeToLive(now.AddTicks((5000 * TimeSpan.TicksPerMillisecond) + 1), now));
        Assert.True(RedisJtiReplayStore.TimeToLive(DateTimeOffset.MaxValue, now) > TimeSpan.FromDays(365 * 7000));
    }

    private static string NewJti() => Guid.NewGuid().ToString("N");

    private async Task<List<string>> KeysAsync(string pattern)
    {
        var keys = new List<string>();
        await foreach (var key in _multiplexer.GetServer(server.EndPoint).KeysAsync(pattern: pattern))
        {
            keys.Add(key!);
        }

        return keys;
    }
}
