using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace OidcToken.Resilience;

/// <summary>
/// The one attempt engine of every part that calls out (the token endpoint, the HTTP exchanges, AWS STS, Entra, Google),
/// on Polly.Core: an overall deadline around retries around a per-attempt timeout, all on the options' clock. What differs
/// per target is data: the <see cref="AttemptPolicyOptions"/> and a classifier that says which outcomes are temporary.
/// Attempts never exceed <see cref="AttemptPolicyOptions.MaxAttempts"/> (one more after <see cref="AttemptVerdict.RenewOnce"/>);
/// an attempt timeout is always temporary; the caller's cancellation always wins and passes through unwrapped.
/// Thread-safe: build one per client (or per operation) and run it as often as needed.
/// </summary>
/// <typeparam name="T">What one attempt returns.</typeparam>
internal sealed class AttemptPolicy<T>
{
    private static readonly ResiliencePropertyKey<RunState> StateKey = new("OidcToken.AttemptRun");

    private readonly AttemptPolicyOptions _options;
    private readonly Func<Outcome<T>, AttemptVerdict> _classify;
    private readonly Action<int, Outcome<T>, TimeSpan>? _onRetry;
    private readonly ResiliencePipeline _pipeline;

    /// <param name="options">The attempts, timeouts and waits.</param>
    /// <param name="classify">
    /// Called for every finished attempt (a result, or an exception other than cancellation and the attempt timeout).
    /// </param>
    /// <param name="onRetry">Called before each wait with the attempt number, its outcome and the wait (for logging).</param>
    public AttemptPolicy(AttemptPolicyOptions options, Func<Outcome<T>, AttemptVerdict> classify, Action<int, Outcome<T>, TimeSpan>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(classify);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        _options = options;
        _classify = classify;
        _onRetry = onRetry;
        _pipeline = Build();
    }

    /// <summary>The options this policy runs with.</summary>
    public AttemptPolicyOptions Options => _options;

    /// <summary>
    /// Runs <paramref name="attempt"/> until the classifier settles an outcome, the attempts run out, or the deadline passes.
    /// </summary>
    /// <param name="attempt">One attempt; its token ends with the attempt timeout, the deadline or <paramref name="cancellationToken"/>.</param>
    /// <param name="state">Passed to <paramref name="attempt"/>.</param>
    /// <param name="cancellationToken">The caller's cancellation: it wins over every other outcome.</param>
    /// <returns>How the run ended. Never an exception for a failed attempt: the report carries it.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<AttemptReport<T>> RunAsync<TState>(
        Func<TState, CancellationToken, ValueTask<T>> attempt, TState state, CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        var run = new RunState(time.GetTimestamp(), _options.MaxAttempts);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, run);
        Outcome<T> outcome;
        try
        {
            outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (context, args) =>
                {
                    var run = context.Properties.GetValue(StateKey, null!);
                    Interlocked.Increment(ref run.Attempts);

                    // Polly turns what the attempt throws into an outcome; the classifier sees it as one.
                    return Outcome.FromResult(await args.attempt(args.state, context.CancellationToken).ConfigureAwait(false));
                },
                context,
                (attempt, state)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        var elapsed = time.GetElapsedTime(run.Start);
        if (cancellationToken.IsCancellationRequested && (outcome.Exception is not null || run.Stop != AttemptStop.Settled))
        {
            // Cancellation wins over every outcome the classifier did not settle, and passes through as it was thrown.
            if (outcome.Exception is OperationCanceledException)
            {
                outcome.ThrowIfException();
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        if (outcome.Exception is TimeoutRejectedException rejected
            && (run.Stop is null || rejected.Timeout >= _options.Deadline || elapsed >= _options.Deadline - TimeSpan.FromMilliseconds(1)))
        {
            // The deadline, or an attempt timeout that fired at the deadline (a timer may fire a few milliseconds early
            // against the timestamp clock): either way the time is up.
            return new AttemptReport<T>(AttemptStop.DeadlinePassed, run.Last, run.Attempts, elapsed, run.Cut, outcome.Exception);
        }

        if (run.Stop is null && outcome.Exception is OperationCanceledException)
        {
            // Cancelled without a timeout and without the caller asking (the deadline raced the end of an attempt).
            return new AttemptReport<T>(AttemptStop.DeadlinePassed, run.Last, run.Attempts, elapsed, run.Cut, outcome.Exception);
        }

        return new AttemptReport<T>(run.Stop ?? AttemptStop.Settled, run.Last ?? outcome, run.Attempts, elapsed);
    }

    // The untyped pipeline: its strategies carry outcomes as objects, so T needs no trimming annotations.
    private ResiliencePipeline Build()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _options.TimeProvider };
        builder.AddTimeout(Timeout(_options.Deadline));
        builder.AddRetry(new RetryStrategyOptions
        {
            // The limit is enforced by ShouldHandle (RenewOnce may add one attempt); Polly's is only a bound.
            MaxRetryAttempts = _options.MaxAttempts,
            BackoffType = DelayBackoffType.Constant,
            UseJitter = false,
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context, Typed(args.Outcome))),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(StateKey, null!).NextDelay),
            OnRetry = args =>
            {
                var run = args.Context.Properties.GetValue(StateKey, null!);
                _onRetry?.Invoke(run.Attempts, Typed(args.Outcome), run.NextDelay);
                return ValueTask.CompletedTask;
            },
        });
        if (_options.AttemptTimeout is { } attemptTimeout)
        {
            builder.AddTimeout(Timeout(attemptTimeout));
        }

        return builder.Build();
    }

    private bool ShouldRetry(ResilienceContext context, Outcome<T> outcome)
    {
        var run = context.Properties.GetValue(StateKey, null!);
        if (context.CancellationToken.IsCancellationRequested)
        {
            // The deadline or the caller: no further attempt. An attempt that ended with the cancellation was cut.
            run.Cut = outcome.Exception is OperationCanceledException;
            if (!run.Cut)
            {
                run.Last = outcome;
            }

            return false;
        }

        run.Last = outcome;
        var verdict = outcome.Exception is TimeoutRejectedException ? AttemptVerdict.Retry() : _classify(outcome);
        switch (verdict.Kind)
        {
            case AttemptVerdictKind.RenewOnce when !run.Renewed:
                run.Renewed = true;
                run.Limit = Math.Max(run.Limit, run.Attempts + 1);
                run.NextDelay = TimeSpan.Zero;
                return true;
            case AttemptVerdictKind.Retry:
                break;
            default:
                run.Stop = AttemptStop.Settled;
                return false;
        }

        if (run.Attempts >= run.Limit)
        {
            run.Stop = AttemptStop.AttemptsExhausted;
            return false;
        }

        var delay = _options.NextDelay(run.Attempts, verdict.RetryAfter);
        var remaining = _options.Deadline - _options.TimeProvider.GetElapsedTime(run.Start);
        if (delay >= remaining && (verdict.RetryAfter is not null || !_options.BackoffMayRunIntoDeadline))
        {
            run.Stop = AttemptStop.WaitBeyondDeadline;
            return false;
        }

        run.NextDelay = delay;
        return true;
    }

    /// <summary>A timeout through a generator: Polly validates a fixed <see cref="TimeoutStrategyOptions.Timeout"/> to 10 ms or more, the options allow less.</summary>
    private static TimeoutStrategyOptions Timeout(TimeSpan timeout) => new() { TimeoutGenerator = _ => ValueTask.FromResult(timeout) };

    private static Outcome<T> Typed(Outcome<object> outcome) =>
        outcome.Exception is { } exception ? Outcome.FromException<T>(exception) : Outcome.FromResult((T)outcome.Result!);

    /// <summary>One run's progress, carried in the resilience context.</summary>
    private sealed class RunState(long start, int limit)
    {
        public int Attempts;

        public long Start { get; } = start;

        public int Limit { get; set; } = limit;

        public bool Renewed { get; set; }

        public bool Cut { get; set; }

        public TimeSpan NextDelay { get; set; }

        public Outcome<T>? Last { get; set; }

        public AttemptStop? Stop { get; set; }
    }
}
