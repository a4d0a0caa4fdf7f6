namespace OidcToken.Google;

/// <summary>
/// How <see cref="GitHubGoogleCredential.GetAccessTokenAsync"/> retries: 3 attempts, 10 s per attempt, 60 s overall (the
/// defaults of every exchange), exponential backoff with jitter from 0.8 s up to 10 s, <c>Retry-After</c> honoured. Each
/// attempt builds a new credential, so it fetches a fresh GitHub token; Google.Apis.Auth's own retries are turned off for
/// these calls, so an attempt is one request to each endpoint. Internal: tests use small values.
/// </summary>
internal sealed record GoogleAttemptPolicy
{
    public static readonly GoogleAttemptPolicy Default = new();

    public int MaxAttempts { get; init; } = 3;

    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(0.8);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1: exponential, capped, ±20 % jitter; a longer <c>Retry-After</c> wins.</summary>
    public TimeSpan NextDelay(int attempt, TimeSpan? retryAfter)
    {
        var exponential = Delay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        var jittered = TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
        return retryAfter is { } wait && wait > jittered ? wait : jittered;
    }
}
