using OidcToken.Validation.Redis.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace OidcToken.Validation.Redis.Tests.Replay;

public sealed class ConcurrencyTests(RedisServer server, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Concurrent_uses_of_one_id_through_two_multiplexers_admit_exactly_one()
    {
        output.WriteLine("Redis backend: " + server.Description);
        await using var first = await server.ConnectAsync();
        await using var second = await server.ConnectAsync();
        var stores = new[] { new RedisJtiReplayStore(first), new RedisJtiReplayStore(second) };
        var expires = TimeProvider.System.GetUtcNow().AddMinutes(10);

        for (var round = 0; round < 5; round++)
        {
            var jti = Guid.NewGuid().ToString("N");
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = Enumerable.Range(0, 200)
                .Select(i => Task.Run(async () =>
                {
                    await go.Task;
                    return await stores[i % 2].TryAddAsync("https://token.actions.githubusercontent.com", jti, expires, default);
                }))
                .ToArray();
            go.SetResult();

            var results = await Task.WhenAll(attempts);

            Assert.Equal(1, results.Count(r => r));
            Assert.Equal(199, results.Count(r => !r));
        }
    }

    [Fact]
    public async Task Each_distinct_id_is_admitted_once_under_load()
    {
        await using var multiplexer = await server.ConnectAsync();
        var store = new RedisJtiReplayStore(multiplexer, new RedisJtiReplayStoreOptions { Timeout = TimeSpan.FromSeconds(10) });
        var expires = TimeProvider.System.GetUtcNow().AddMinutes(10);
        var ids = Enumerable.Range(0, 100).Select(_ => Guid.NewGuid().ToString("N")).ToArray();

        // Each id twice, interleaved: 100 admitted, 100 replays.
        var results = await Task.WhenAll(ids.Concat(ids).Select(id => Task.Run(() => store.TryAddAsync("iss", id, expires, default).AsTask())));

        Assert.Equal(100, results.Count(r => r));
        var database = multiplexer.GetDatabase();
        foreach (var id in ids)
        {
            Assert.True(await database.KeyExistsAsync(new RedisKey("oidctoken:jti:iss|" + id)));
        }
    }
}
