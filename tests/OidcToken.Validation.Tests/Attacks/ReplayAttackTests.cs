using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Attacks;

/// <summary>The opt-in jti replay guard (in-memory store on the same fake clock as the validator).</summary>
public sealed class ReplayAttackTests
{
    private static GitHubOidcTokenValidator GuardedValidator()
    {
        var clock = Clock();
        return Validator(o =>
        {
            o.TimeProvider = clock;
            o.ReplayStore = new InMemoryJtiReplayStore(clock);
        });
    }

    [Fact]
    public async Task Control_distinct_jtis_are_each_accepted_once()
    {
        using var validator = GuardedValidator();
        AssertAccepted(await validator.ValidateAsync(ValidToken()));
        AssertAccepted(await validator.ValidateAsync(ValidToken()));
    }

    [Fact]
    public async Task Replayed_token_is_refused()
    {
        using var validator = GuardedValidator();
        var token = ValidToken();
        AssertAccepted(await validator.ValidateAsync(token));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Replayed, token);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Replayed, token);
    }

    [Fact]
    public async Task Replayed_jti_in_a_differently_signed_token_is_refused()
    {
        using var validator = GuardedValidator();
        var jti = Guid.NewGuid().ToString("D");
        AssertAccepted(await validator.ValidateAsync(Token(c => c["jti"] = jti)));
        var second = Token(c => { c["jti"] = jti; c["run_attempt"] = "2"; });
        AssertRejected(await validator.ValidateAsync(second), GitHubOidcValidationFailure.Replayed, second);
    }

    [Fact]
    public async Task Token_without_jti_is_refused_when_the_guard_is_on()
    {
        using var validator = GuardedValidator();
        var token = Token(c => c.Remove("jti"));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Replayed, token);
    }

    [Fact]
    public async Task Control_token_without_jti_is_accepted_when_the_guard_is_off()
    {
        using var validator = Validator();
        AssertAccepted(await validator.ValidateAsync(Token(c => c.Remove("jti"))));
    }

    [Fact]
    public async Task Non_canonical_respelling_of_a_used_token_is_refused_before_it_reaches_the_store()
    {
        using var validator = GuardedValidator();
        var token = SignatureAttackTests.CanonicalTokenWithUnusedBits();
        AssertAccepted(await validator.ValidateAsync(token));
        var s = Segments(token);
        s[2] = NonCanonical(s[2]);
        var respelled = string.Join('.', s);
        AssertRejected(await validator.ValidateAsync(respelled), GitHubOidcValidationFailure.NonCanonicalEncoding, respelled);
    }

    [Fact]
    public async Task Rejected_token_does_not_burn_its_jti()
    {
        // The replay check is the last one: a forged or mis-addressed token must not let an attacker
        // pre-register the jti of a genuine token and so deny it service.
        using var validator = GuardedValidator();
        var jti = Guid.NewGuid().ToString("D");
        var forged = Token(c => c["jti"] = jti, key: OtherKey);
        AssertRejected(await validator.ValidateAsync(forged), GitHubOidcValidationFailure.InvalidSignature, forged);
        var wrongAudience = Token(c => { c["jti"] = jti; c["aud"] = "https://other.example"; });
        AssertRejected(await validator.ValidateAsync(wrongAudience), GitHubOidcValidationFailure.InvalidAudience, wrongAudience);
        AssertAccepted(await validator.ValidateAsync(Token(c => c["jti"] = jti)));
    }

    [Fact]
    public async Task Concurrent_replays_of_one_token_are_accepted_exactly_once()
    {
        using var validator = GuardedValidator();
        var token = ValidToken();
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => validator.ValidateAsync(token))));
        Assert.Equal(1, results.Count(r => r.IsValid));
        Assert.All(results.Where(r => !r.IsValid), r => AssertRejected(r, GitHubOidcValidationFailure.Replayed, token));
    }

    [Theory]
    [InlineData("InvalidOperationException", false)]
    [InlineData("TimeoutException", false)]
    [InlineData("InvalidOperationException", true)]
    [InlineData("TimeoutException", true)]
    [InlineData("TaskCanceledException", true)]
    public async Task Replay_store_that_fails_fails_closed_as_ReplayStoreUnavailable(string exception, bool asynchronously)
    {
        var store = new FailingReplayStore(exception, asynchronously);
        using var validator = Validator(o => o.ReplayStore = store);
        var token = ValidToken();

        var result = await validator.ValidateAsync(token);

        AssertRejected(result, GitHubOidcValidationFailure.ReplayStoreUnavailable, token, GitHubOidcFailureKind.ReplayStoreUnavailable);
        Assert.Null(result.Claims);
        Assert.Equal(KeyId, result.KeyId);
        Assert.Contains(exception, result.Message, StringComparison.Ordinal);
        Assert.Contains("retry later", result.Message, StringComparison.Ordinal);
        Assert.Equal(1, store.Calls);

        // Never accepted on a later try either while the store keeps failing.
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.ReplayStoreUnavailable, token, GitHubOidcFailureKind.ReplayStoreUnavailable);
    }

    [Fact]
    public async Task Replay_store_failure_message_is_escaped()
    {
        using var validator = Validator(o => o.ReplayStore = new FailingReplayStore("InvalidOperationException", message: "redis down\r\nFORGED LOG LINE\u202e"));
        var token = ValidToken();

        var result = await validator.ValidateAsync(token);

        AssertRejected(result, GitHubOidcValidationFailure.ReplayStoreUnavailable, token, GitHubOidcFailureKind.ReplayStoreUnavailable);
        Assert.Contains("redis down\\u000d\\u000aFORGED LOG LINE\\u202e", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Replay_store_cancelled_by_the_callers_token_propagates_the_cancellation(bool asynchronously)
    {
        using var cancellation = new CancellationTokenSource();
        var store = new FailingReplayStore("OperationCanceledException", asynchronously, cancelFirst: cancellation);
        using var validator = Validator(o => o.ReplayStore = store);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => validator.ValidateAsync(ValidToken(), cancellation.Token));
        Assert.Equal(1, store.Calls);
    }

    [Fact]
    public async Task Replay_store_waiting_on_the_callers_token_ends_in_cancellation_when_the_caller_cancels()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancellation = new CancellationTokenSource();
        using var validator = Validator(o => o.ReplayStore = new HangingReplayStore(entered));

        var validation = validator.ValidateAsync(ValidToken(), cancellation.Token);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => validation);
    }
}

/// <summary>A replay store that throws: synchronously, or from an awaited task; optionally cancelling the caller's token first.</summary>
internal sealed class FailingReplayStore(string exception, bool asynchronously = false, string message = "the store failed", CancellationTokenSource? cancelFirst = null) : IJtiReplayStore
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<bool> TryAddAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        cancelFirst?.Cancel();
        return asynchronously ? ThrowLaterAsync(cancellationToken) : throw Failure(cancellationToken);
    }

    private async ValueTask<bool> ThrowLaterAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        throw Failure(cancellationToken);
    }

    private Exception Failure(CancellationToken cancellationToken) => exception switch
    {
        "InvalidOperationException" => new InvalidOperationException(message),
        "TimeoutException" => new TimeoutException(message),
        "TaskCanceledException" => new TaskCanceledException(message),
        "OperationCanceledException" => new OperationCanceledException(message, cancellationToken),
        _ => new ArgumentOutOfRangeException(nameof(exception), exception, null),
    };
}

/// <summary>A replay store that never answers until the caller's token is cancelled.</summary>
internal sealed class HangingReplayStore(TaskCompletionSource entered) : IJtiReplayStore
{
    public async ValueTask<bool> TryAddAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        entered.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return true;
    }
}
