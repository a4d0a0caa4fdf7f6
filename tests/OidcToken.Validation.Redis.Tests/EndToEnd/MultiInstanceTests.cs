using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OidcToken.AspNetCore;
using OidcToken.AspNetCore.Tests.Support;
using OidcToken.Testing;
using OidcToken.Validation.Redis.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace OidcToken.Validation.Redis.Tests.EndToEnd;

/// <summary>
/// Three instances of one service (real Kestrel hosts on loopback, each with its own Redis connection, as separate
/// processes would have) share one Redis server through <see cref="RedisJtiReplayStore"/>.
/// </summary>
public sealed class MultiInstanceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Audience = "https://deploy.example.com";

    private readonly RedisServer _redis = new();
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();
    private readonly List<ServiceHost> _instances = [];
    private readonly List<ConnectionMultiplexer> _connections = [];

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        output.WriteLine("redis: " + _redis.Description);
        for (var i = 0; i < 3; i++)
        {
            var connection = await _redis.ConnectAsync();
            _connections.Add(connection);
            _instances.Add(await ServiceHost.StartAsync(
                builder =>
                {
                    builder.Services.AddAuthentication(GitHubOidcDefaults.AuthenticationScheme).AddGitHubOidc(o =>
                    {
                        o.Issuer = _issuer.Issuer;
                        o.Audiences.Add(Audience);
                        o.Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId("456789").Build();
                        o.ReplayStore = new RedisJtiReplayStore(connection);
                    });
                    builder.Services.AddAuthorization();
                },
                app =>
                {
                    app.UseAuthentication();
                    app.UseAuthorization();
                    app.MapPost("/deploy", () => "deploying").RequireAuthorization();
                }));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        _issuer.Dispose();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Three_thousand_tokens_each_sent_to_three_instances_at_once_are_accepted_exactly_once()
    {
        var tokens = new string[3000];
        Parallel.For(0, tokens.Length, i => tokens[i] = _issuer.IssueToken(Audience));
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var acceptedPerToken = new int[tokens.Length];

        await Parallel.ForEachAsync(Enumerable.Range(0, tokens.Length), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var answers = await Task.WhenAll(_instances.Select(async instance =>
            {
                using var response = await instance.SendAsync(HttpMethod.Post, "/deploy", tokens[i]);
                return response.StatusCode;
            }));
            foreach (var status in answers)
            {
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            }

            acceptedPerToken[i] = answers.Count(s => s == HttpStatusCode.OK);
        });

        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}: {s.Value}")));
        Assert.Equal(3000, statuses.GetValueOrDefault(HttpStatusCode.OK));
        Assert.Equal(6000, statuses.GetValueOrDefault(HttpStatusCode.Unauthorized));
        Assert.Equal(2, statuses.Count);
        Assert.All(acceptedPerToken, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task While_redis_is_down_nothing_is_accepted_and_service_resumes_when_it_returns()
    {
        for (var i = 0; i < 6; i++)
        {
            using var before = await _instances[i % 3].SendAsync(HttpMethod.Post, "/deploy", _issuer.IssueToken(Audience));
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        _redis.Stop();
        var during = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            using var response = await _instances[i % 3].SendAsync(HttpMethod.Post, "/deploy", _issuer.IssueToken(Audience));
            return (response.StatusCode, response.Headers.RetryAfter);
        }));
        Assert.All(during, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
            Assert.NotNull(r.RetryAfter);
        });

        await _redis.RestartAsync();

        // Each instance's connection comes back on its own; until then its answers stay 503, never an unguarded 200.
        var recovery = System.Diagnostics.Stopwatch.StartNew();
        foreach (var instance in _instances)
        {
            HttpStatusCode status;
            do
            {
                using var response = await instance.SendAsync(HttpMethod.Post, "/deploy", _issuer.IssueToken(Audience));
                status = response.StatusCode;
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"unexpected {(int)status} while Redis reconnects");
                if (status != HttpStatusCode.OK)
                {
                    await Task.Delay(100);
                }
            }
            while (status != HttpStatusCode.OK && recovery.Elapsed < TimeSpan.FromSeconds(30));

            Assert.Equal(HttpStatusCode.OK, status);
        }

        output.WriteLine($"all three instances accepted again {recovery.ElapsedMilliseconds} ms after Redis restarted");
        var token = _issuer.IssueToken(Audience);
        var after = await Task.WhenAll(_instances.Select(async instance =>
        {
            using var response = await instance.SendAsync(HttpMethod.Post, "/deploy", token);
            return response.StatusCode;
        }));
        Assert.Equal(1, after.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(2, after.Count(s => s == HttpStatusCode.Unauthorized));
    }
}
