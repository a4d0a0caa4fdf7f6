using Xunit.Abstractions;
using OidcToken.Testing;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Load;

/// <summary>
/// Issue 6, "Load": 10,000 concurrent <see cref="GitHubOidcClient.GetTokenAsync(string?, CancellationToken)"/> calls
/// over 50 audiences (× <see cref="LoadSettings.Scale"/>) against the mock issuer over loopback HTTP, without and with a
/// 30 % failure rate. Behaviour only: request counts and outcomes, and no deadlock within <see cref="LoadSettings.DeadlockBound"/>.
/// </summary>
public sealed class ConcurrentTokenRequestLoadTests(ITestOutputHelper output) : IDisposable
{
    private const int BaseCallers = 10_000;
    private const int BaseAudiences = 50;

    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task TenThousandConcurrentCallers_OverFiftyAudiences_MakeExactlyOneRequestPerAudience()
    {
        var (callers, audiences) = Size();
        using var client = MockClientFactory.Create(_issuer);

        var outcomes = await RunConcurrentlyAsync(client, callers, audiences, gate: null);

        Assert.Equal(audiences, _issuer.TokenRequestCount);
        Assert.All(outcomes, o => Assert.NotNull(o.Token));
        foreach (var group in outcomes.GroupBy(o => o.Audience))
        {
            // Every caller of an audience shares the one request's token.
            var first = group.First().Token!;
            Assert.All(group, o => Assert.Same(first, o.Token));
            Assert.Equal(group.Key, first.Audience);
        }

        Assert.Equal(audiences, _issuer.TokenRequests.Select(r => r.Audience).Distinct(StringComparer.Ordinal).Count());
        output.WriteLine($"{callers} callers, {audiences} audiences: {_issuer.TokenRequestCount} token requests");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public async Task TenThousandConcurrentCallers_WithThirtyPercentFailures_AtMostAudiencesTimesAttempts_AndEveryCallerGetsATokenOrServiceUnavailable(int maxAttempts)
    {
        var (callers, audiences) = Size();
        _issuer.FailTokenRequestsRandomly(0.3, MockHttpTargetFault.Status(503), seed: 6 + maxAttempts);

        // Failures are never cached, so a caller arriving after an audience's request failed would rightly start a new
        // one. For the bound "audiences × attempts" every caller must have joined before any answer arrives: the first
        // attempts wait at this gate until all callers have called GetTokenAsync.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var http = new HttpClient(new GatedHandler(gate.Task) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } });
        using var client = MockClientFactory.Create(_issuer, o =>
        {
            o.MaxAttempts = maxAttempts;
            o.HttpClient = http;
        });

        var outcomes = await RunConcurrentlyAsync(client, callers, audiences, gate);

        var requests = _issuer.TokenRequests;
        Assert.InRange(requests.Count, audiences, audiences * maxAttempts);
        Assert.Contains(requests, r => r.StatusCode == 503);
        foreach (var group in outcomes.GroupBy(o => o.Audience))
        {
            var forAudience = requests.Where(r => r.Audience == group.Key).ToList();
            Assert.InRange(forAudience.Count, 1, maxAttempts);
            if (group.First().Token is { } token)
            {
                // Succeeded: everyone has the same token, from the audience's last request; every earlier one was a 503.
                Assert.All(group, o => Assert.Same(token, o.Token));
                Assert.Equal(200, forAudience[^1].StatusCode);
                Assert.All(forAudience.Take(forAudience.Count - 1), r => Assert.Equal(503, r.StatusCode));
            }
            else
            {
                // Failed: all attempts were spent on 503s, and every caller got the documented error.
                Assert.Equal(maxAttempts, forAudience.Count);
                Assert.All(forAudience, r => Assert.Equal(503, r.StatusCode));
                Assert.All(group, o =>
                {
                    Assert.Null(o.Token);
                    Assert.Equal(OidcTokenErrorCode.ServiceUnavailable, o.Error!.ErrorCode);
                });
            }
        }

        output.WriteLine(
            $"{callers} callers, {audiences} audiences, MaxAttempts {maxAttempts}: {requests.Count} token requests "
            + $"({requests.Count(r => r.StatusCode == 503)} answered 503), {outcomes.Count(o => o.Token is null)} callers got ServiceUnavailable "
            + $"({outcomes.Where(o => o.Token is null).Select(o => o.Audience).Distinct(StringComparer.Ordinal).Count()} audience(s))");
    }

    private static (int Callers, int Audiences) Size() => (BaseCallers * LoadSettings.Scale, BaseAudiences * LoadSettings.Scale);

    /// <summary>
    /// Starts <paramref name="callers"/> calls from the thread pool at once (released together by one signal), spread
    /// round-robin over <paramref name="audiences"/>; opens <paramref name="gate"/> once every call has been made.
    /// Any exception other than <see cref="OidcTokenException"/> fails the test.
    /// </summary>
    private static async Task<Outcome[]> RunConcurrentlyAsync(GitHubOidcClient client, int callers, int audiences, TaskCompletionSource? gate)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var called = 0;
        var tasks = new Task<Outcome>[callers];
        for (var i = 0; i < callers; i++)
        {
            var audience = "aud-" + (i % audiences).ToString(System.Globalization.CultureInfo.InvariantCulture);
            tasks[i] = Task.Run(async () =>
            {
                await start.Task.ConfigureAwait(false);
                var pending = client.GetTokenAsync(audience);
                if (Interlocked.Increment(ref called) == callers)
                {
                    gate?.TrySetResult();
                }

                try
                {
                    return new Outcome(audience, await pending.ConfigureAwait(false), null);
                }
                catch (OidcTokenException ex)
                {
                    return new Outcome(audience, null, ex);
                }
            });
        }

        start.SetResult();
        var outcomes = await Task.WhenAll(tasks).WaitAsync(LoadSettings.DeadlockBound);
        Assert.Equal(callers, Volatile.Read(ref called));
        return outcomes;
    }

    private sealed record Outcome(string Audience, IdToken? Token, OidcTokenException? Error);

    /// <summary>Holds every request until the gate opens (then lets everything through).</summary>
    private sealed class GatedHandler(Task gate) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
