using Polly;
using Polly.Timeout;

namespace OidcToken.Resilience;

/// <summary>How a run of attempts ended: the last finished attempt's outcome, why the run stopped, how many attempts and how long.</summary>
internal sealed class AttemptReport<T>
{
    internal AttemptReport(AttemptStop stop, Outcome<T>? last, int attempts, TimeSpan elapsed, bool deadlineCutAttempt, Exception? deadlineException = null)
    {
        DeadlineException = deadlineException;
        Stop = stop;
        Last = last;
        Attempts = attempts;
        Elapsed = elapsed;
        DeadlineCutAttempt = deadlineCutAttempt;
    }

    /// <summary>Why the run ended.</summary>
    public AttemptStop Stop { get; }

    /// <summary>
    /// The outcome of the last attempt that finished (its result, its exception, or a <see cref="TimeoutRejectedException"/>
    /// when its attempt timeout ran out); <see langword="null"/> when the deadline cut the first attempt.
    /// </summary>
    public Outcome<T>? Last { get; }

    /// <summary>Attempts started (an attempt the deadline cut included).</summary>
    public int Attempts { get; }

    /// <summary>From the first attempt's start to the end of the run, on the policy's clock.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>With <see cref="AttemptStop.DeadlinePassed"/>: the deadline ended an attempt in flight (not a wait between two).</summary>
    public bool DeadlineCutAttempt { get; }

    /// <summary>With <see cref="AttemptStop.DeadlinePassed"/>: what ended the run (normally a <see cref="TimeoutRejectedException"/>).</summary>
    public Exception? DeadlineException { get; }

    /// <summary>The last outcome's result, when there is one.</summary>
    public T? Result => Last is { Exception: null } last ? last.Result : default;

    /// <summary>The last outcome's exception, when there is one.</summary>
    public Exception? Exception => Last?.Exception;

    /// <summary>The last finished attempt ran out of its attempt timeout.</summary>
    public bool LastTimedOut => Last?.Exception is TimeoutRejectedException;
}
