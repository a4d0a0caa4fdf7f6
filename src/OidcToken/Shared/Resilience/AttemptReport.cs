using Polly;
using Polly.Timeout;

namespace OidcToken.Resilience;

/// <summary>How a run of attempts ended: the last finished attempt's outcome, why the run stopped, how many attempts and how long.</summary>
/// <param name="Stop">Why the run ended.</param>
/// <param name="Last">
/// The outcome of the last attempt that finished (its result, its exception, or a <see cref="TimeoutRejectedException"/>
/// when its attempt timeout ran out); <see langword="null"/> when the deadline cut the first attempt.
/// </param>
/// <param name="Attempts">Attempts started (an attempt the deadline cut included).</param>
/// <param name="Elapsed">From the first attempt's start to the end of the run, on the policy's clock.</param>
/// <param name="DeadlineCutAttempt">With <see cref="AttemptStop.DeadlinePassed"/>: the deadline ended an attempt in flight (not a wait between two).</param>
/// <param name="DeadlineException">With <see cref="AttemptStop.DeadlinePassed"/>: what ended the run (normally a <see cref="TimeoutRejectedException"/>).</param>
internal sealed record AttemptReport<T>(
    AttemptStop Stop, Outcome<T>? Last, int Attempts, TimeSpan Elapsed, bool DeadlineCutAttempt = false, Exception? DeadlineException = null)
{
    /// <summary>The last outcome's result, when there is one.</summary>
    public T? Result => Last is { Exception: null } last ? last.Result : default;

    /// <summary>The last outcome's exception, when there is one.</summary>
    public Exception? Exception => Last?.Exception;
}
