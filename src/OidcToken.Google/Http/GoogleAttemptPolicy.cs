using OidcToken.Resilience;

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

    /// <summary>
    /// This policy as data for the shared attempt engine: exponential backoff, capped, ±20 % jitter, a longer
    /// <c>Retry-After</c> wins; the attempt timeout is applied per request by <see cref="SafeHttpClientFactory"/>.
    /// Only the temporary failures of <see cref="GoogleErrorTranslator.IsTransient"/> are retried.
    /// </summary>
    public AttemptPolicy<GitHubGoogleCredential.GoogleAttempt> ToAttemptPolicy(TimeProvider time) => new(
        new AttemptPolicyOptions(
            MaxAttempts: MaxAttempts,
            Deadline: Deadline,
            AttemptTimeout: null,
            BaseDelay: Delay,
            MaxDelay: MaxDelay)
        {
            JitterMin = 0.8,
            JitterMax = 1.2,
            RetryAfter = RetryAfterRule.Floor,
            TimeProvider = time,
        },
        static outcome => outcome.Result is { Failure: { } failure } attempt
            ? AttemptVerdict.RetryIf(GoogleErrorTranslator.IsTransient(failure, attempt.LastFailure), attempt.LastFailure?.RetryAfter)
            : AttemptVerdict.Settle);
}
