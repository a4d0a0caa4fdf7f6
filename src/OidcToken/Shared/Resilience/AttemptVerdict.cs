namespace OidcToken.Resilience;

/// <summary>What a target's classifier says about one finished attempt.</summary>
internal enum AttemptVerdictKind
{
    /// <summary>The outcome stands: a success, or a failure another attempt would not change (a refusal).</summary>
    Settle,

    /// <summary>A temporary failure: try again after the backoff (or the server's <c>Retry-After</c>).</summary>
    Retry,

    /// <summary>A failure a fresh credential fixes (an expired token): one immediate extra attempt per run, even past the limit; settles the second time.</summary>
    RenewOnce,
}

/// <summary>A classifier's answer for one attempt.</summary>
internal readonly record struct AttemptVerdict(AttemptVerdictKind Kind, TimeSpan? RetryAfter = null)
{
    /// <summary>The outcome stands.</summary>
    public static AttemptVerdict Settle => new(AttemptVerdictKind.Settle);

    /// <summary>Retry one immediate time with a fresh credential.</summary>
    public static AttemptVerdict RenewOnce => new(AttemptVerdictKind.RenewOnce);

    /// <summary>Retry after the backoff, or after <paramref name="retryAfter"/> when the server asked for it.</summary>
    public static AttemptVerdict Retry(TimeSpan? retryAfter = null) => new(AttemptVerdictKind.Retry, retryAfter);

    /// <summary><see cref="Retry"/> when <paramref name="transient"/>, else <see cref="Settle"/>.</summary>
    public static AttemptVerdict RetryIf(bool transient, TimeSpan? retryAfter = null) => transient ? Retry(retryAfter) : Settle;
}

/// <summary>Why a run of attempts ended.</summary>
internal enum AttemptStop
{
    /// <summary>The classifier settled the last outcome (a success or a final failure).</summary>
    Settled,

    /// <summary>The last attempt failed temporarily and no attempt was left.</summary>
    AttemptsExhausted,

    /// <summary>The last attempt failed temporarily, and the wait before the next would not end before the deadline.</summary>
    WaitBeyondDeadline,

    /// <summary>The deadline ended an attempt (<see cref="AttemptReport{T}.DeadlineCutAttempt"/>) or a wait.</summary>
    DeadlinePassed,
}
