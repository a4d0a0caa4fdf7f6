using OidcToken.Resilience;
using Polly.Timeout;

namespace OidcToken.Tests.Resilience;

/// <summary>The shared attempt engine on its own: limits, verdicts, waits, timeouts and cancellation.</summary>
public sealed class AttemptPolicyTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task TemporaryFailures_AreRetried_UpToTheLimit_AndNeverBeyond()
    {
        var policy = Policy(maxAttempts: 3, outcome => AttemptVerdict.Retry());
        var calls = 0;

        var report = await policy.RunAsync((_, _) => ValueTask.FromResult(Interlocked.Increment(ref calls)), 0, CancellationToken.None);

        Assert.Equal((AttemptStop.AttemptsExhausted, 3, 3), (report.Stop, report.Attempts, calls));
        Assert.Equal(3, report.Result);
    }

    [Fact]
    public async Task ASettledOutcome_EndsTheRun_AndAnExceptionIsReported_NotThrown()
    {
        var policy = Policy(maxAttempts: 5, outcome => outcome.Exception is InvalidOperationException ? AttemptVerdict.Settle : AttemptVerdict.Retry());

        var report = await policy.RunAsync<int>((_, _) => throw new InvalidOperationException("refused"), 0, CancellationToken.None);

        Assert.Equal((AttemptStop.Settled, 1), (report.Stop, report.Attempts));
        Assert.IsType<InvalidOperationException>(report.Exception);
    }

    [Fact]
    public async Task RenewOnce_AddsOneImmediateAttempt_PastTheLimit_AndSettlesTheSecondTime()
    {
        var policy = Policy(maxAttempts: 1, outcome => AttemptVerdict.RenewOnce);

        var report = await policy.RunAsync((_, _) => ValueTask.FromResult(0), 0, CancellationToken.None);

        Assert.Equal((AttemptStop.Settled, 2), (report.Stop, report.Attempts));
    }

    [Fact]
    public async Task ARetryAfterBeyondTheDeadline_StopsAtOnce()
    {
        var policy = Policy(maxAttempts: 5, outcome => AttemptVerdict.Retry(TimeSpan.FromMinutes(5)));

        var report = await policy.RunAsync((_, _) => ValueTask.FromResult(0), 0, CancellationToken.None);

        Assert.Equal((AttemptStop.WaitBeyondDeadline, 1), (report.Stop, report.Attempts));
        Assert.True(report.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AnAttemptTimeout_IsTemporary_AndReportedAsTheLastOutcome()
    {
        var policy = new AttemptPolicy<int>(
            new AttemptPolicyOptions(2, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50), Short, Short),
            _ => AttemptVerdict.Settle);

        var report = await policy.RunAsync(
            static async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return 0;
            },
            0,
            CancellationToken.None);

        Assert.Equal((AttemptStop.AttemptsExhausted, 2), (report.Stop, report.Attempts));
        Assert.IsType<TimeoutRejectedException>(report.Exception);
    }

    [Fact]
    public async Task TheDeadline_CutsAnAttemptInFlight()
    {
        var policy = new AttemptPolicy<int>(new AttemptPolicyOptions(3, TimeSpan.FromMilliseconds(100), null, Short, Short), _ => AttemptVerdict.Retry());

        var report = await policy.RunAsync(
            static async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return 0;
            },
            0,
            CancellationToken.None);

        Assert.Equal((AttemptStop.DeadlinePassed, 1, true), (report.Stop, report.Attempts, report.DeadlineCutAttempt));
        Assert.Null(report.Last);
        Assert.IsType<TimeoutRejectedException>(report.DeadlineException);
    }

    [Fact]
    public async Task TheCallersCancellation_PassesThroughUnwrapped()
    {
        var policy = Policy(maxAttempts: 3, _ => AttemptVerdict.Retry());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await policy.RunAsync(
            static async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return 0;
            },
            0,
            cts.Token));

        Assert.IsNotType<TimeoutRejectedException>(ex);
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Theory]
    [InlineData(1, 100, 100)]
    [InlineData(3, 400, 400)]
    [InlineData(10, 1000, 1000)]
    public void TheBackoff_DoublesFromTheBase_AndIsCapped(int retry, int minMs, int maxMs)
    {
        var options = new AttemptPolicyOptions(10, TimeSpan.FromMinutes(1), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)) { JitterMin = 1, JitterMax = 1 };

        Assert.InRange(options.NextDelay(retry, null).TotalMilliseconds, minMs, maxMs);
    }

    [Fact]
    public void ARetryAfter_ReplacesTheBackoff_OrIsItsFloor()
    {
        var replaces = new AttemptPolicyOptions(3, TimeSpan.FromMinutes(1), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        var floor = replaces with { RetryAfter = RetryAfterRule.Floor, RetryAfterMargin = TimeSpan.FromMilliseconds(100), JitterMin = 0.8, JitterMax = 1.2 };

        Assert.Equal(TimeSpan.FromMilliseconds(10), replaces.NextDelay(1, TimeSpan.FromMilliseconds(10)));
        Assert.Equal(TimeSpan.FromMilliseconds(5100), floor.NextDelay(1, TimeSpan.FromSeconds(5)));
        Assert.InRange(floor.NextDelay(1, TimeSpan.FromMilliseconds(10)).TotalMilliseconds, 800, 1200);
    }

    private static AttemptPolicy<int> Policy(int maxAttempts, Func<Polly.Outcome<int>, AttemptVerdict> classify) =>
        new(new AttemptPolicyOptions(maxAttempts, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), Short, Short), classify);
}
