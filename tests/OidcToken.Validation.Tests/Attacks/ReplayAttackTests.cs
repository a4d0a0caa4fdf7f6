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
}
