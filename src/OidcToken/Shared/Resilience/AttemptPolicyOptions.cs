namespace OidcToken.Resilience;

/// <summary>How a <c>Retry-After</c> from the server combines with the backoff.</summary>
internal enum RetryAfterRule
{
    /// <summary>The server's wait is used instead of the backoff, shorter or longer.</summary>
    Replaces,

    /// <summary>The server's wait (plus <see cref="AttemptPolicyOptions.RetryAfterMargin"/>) is used when it is longer than the backoff.</summary>
    Floor,
}

/// <summary>
/// What one target's attempts look like, as data for <see cref="AttemptPolicy{T}"/>: how many, how long each and all of
/// them may take, and the waits between them. Every time is measured on <see cref="TimeProvider"/>.
/// </summary>
/// <param name="MaxAttempts">Attempts at most, the first included (one more only for <see cref="AttemptVerdict.RenewOnce"/>).</param>
/// <param name="Deadline">The time allowed for all attempts and the waits between them.</param>
/// <param name="AttemptTimeout">The time allowed for one attempt; <see langword="null"/> when the attempt bounds itself (an SDK's own network timeout).</param>
/// <param name="BaseDelay">The backoff before the second attempt; each later one doubles.</param>
/// <param name="MaxDelay">No backoff is longer than this.</param>
internal sealed record AttemptPolicyOptions(int MaxAttempts, TimeSpan Deadline, TimeSpan? AttemptTimeout, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>The smallest jitter factor applied to the exponential backoff.</summary>
    public double JitterMin { get; init; } = 0.5;

    /// <summary>The largest jitter factor (exclusive) applied to the exponential backoff.</summary>
    public double JitterMax { get; init; } = 1.5;

    /// <summary>How a <c>Retry-After</c> combines with the backoff.</summary>
    public RetryAfterRule RetryAfter { get; init; } = RetryAfterRule.Replaces;

    /// <summary>Added to a <c>Retry-After</c> so the next attempt does not land a few milliseconds early.</summary>
    public TimeSpan RetryAfterMargin { get; init; }

    /// <summary>
    /// When false (the default), attempts stop at once when the next wait would not end before the deadline
    /// (<see cref="AttemptStop.WaitBeyondDeadline"/>). When true, only a <c>Retry-After</c> stops them so: a backoff is
    /// waited, and the deadline ends the run (<see cref="AttemptStop.DeadlinePassed"/>).
    /// </summary>
    public bool BackoffMayRunIntoDeadline { get; init; }

    /// <summary>The clock of every timeout and wait.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The documented policy of the token endpoint and the HTTP exchanges: exponential backoff from
    /// <paramref name="retryDelay"/> with ±50 % jitter, capped at <paramref name="maxRetryDelay"/>, a <c>Retry-After</c> instead.
    /// </summary>
    public static AttemptPolicyOptions Documented(
        int maxAttempts, TimeSpan deadline, TimeSpan attemptTimeout, TimeSpan retryDelay, TimeSpan maxRetryDelay, TimeProvider time) =>
        new(maxAttempts, deadline, attemptTimeout, retryDelay, maxRetryDelay) { TimeProvider = time };

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (1 for the second attempt):
    /// min(<see cref="MaxDelay"/>, <see cref="BaseDelay"/> × 2^(retry − 1) × jitter), or the server's <c>Retry-After</c> by <see cref="RetryAfter"/>.
    /// </summary>
    public TimeSpan NextDelay(int retry, TimeSpan? retryAfter)
    {
        var jitter = JitterMin + (Random.Shared.NextDouble() * (JitterMax - JitterMin));
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(retry - 1, 0, 16)) * jitter;
        var backoff = TimeSpan.FromMilliseconds(Math.Min(exponential, MaxDelay.TotalMilliseconds));
        if (retryAfter is not { } wait)
        {
            return backoff;
        }

        wait += RetryAfterMargin;
        return RetryAfter == RetryAfterRule.Replaces || wait > backoff ? wait : backoff;
    }
}
