using Microsoft.Extensions.Time.Testing;
using OidcToken.Testing;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.KeySources;

/// <summary>
/// The verdict for a kid still unknown once the unknown-kid refetch allowance is used: the token is invalid
/// (<see cref="GitHubOidcValidationFailure.UnknownKey"/>) when the key set held was fetched a second or more after the
/// token's <c>iat</c>, and not judged (<see cref="GitHubOidcValidationFailure.KeysUnavailable"/>) when the key set may
/// predate the token. The issuer mints on the validator's fake clock, so <c>iat</c> and the fetch instants are exact.
/// </summary>
public sealed class UnknownKeyVerdictTests : IDisposable
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds()));
    private readonly MockGitHubOidcIssuer _issuer;
    private readonly GitHubOidcTokenValidator _validator;

    public UnknownKeyVerdictTests()
    {
        _issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { TimeProvider = _clock });
        var options = MockIssuerKit.Options(_issuer, RefreshInterval);
        options.TimeProvider = _clock;
        _validator = new GitHubOidcTokenValidator(options);
    }

    public void Dispose()
    {
        _validator.Dispose();
        _issuer.Dispose();
    }

    private string UnknownKidTokenIssuedNow(string kid) => AttackFreeForgery.WithKeyId(_issuer.IssueToken(MockIssuerKit.Audience), kid);

    private static void AssertUnknownKey(GitHubOidcValidationResult result)
    {
        Assert.Equal(GitHubOidcValidationFailure.UnknownKey, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.Invalid, result.Kind);
        Assert.Contains("after the token was issued", result.Message, StringComparison.Ordinal);
    }

    private static void AssertNotJudged(GitHubOidcValidationResult result, string because)
    {
        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, result.Kind);
        Assert.Contains(because, result.Message, StringComparison.Ordinal);
        Assert.Contains("retry later", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kid_still_unknown_within_the_interval_is_UnknownKey_only_when_the_key_set_was_fetched_a_second_after_iat()
    {
        var t0 = _clock.GetUtcNow();
        var issuedAtT0 = UnknownKidTokenIssuedNow("unknown-a");
        Assert.True((await _validator.ValidateAsync(_issuer.IssueToken(MockIssuerKit.Audience))).IsValid);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var issuedAtT1 = UnknownKidTokenIssuedNow("unknown-b");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var issuedAtT2 = UnknownKidTokenIssuedNow("unknown-c");

        // At t0 + 2 s the first unknown kid uses the refetch allowance: the key set is then fetched at t0 + 2 s.
        var probe = await _validator.ValidateAsync(UnknownKidTokenIssuedNow("unknown-probe"));
        AssertUnknownKey(probe);
        Assert.Equal(2, _issuer.JwksRequestCount);

        _clock.Advance(TimeSpan.FromSeconds(3));
        var issuedAtT5 = UnknownKidTokenIssuedNow("unknown-d");

        // No refetch within the interval; the key set of t0 + 2 s judges what was issued up to t0 + 1 s.
        AssertUnknownKey(await _validator.ValidateAsync(issuedAtT0));
        AssertUnknownKey(await _validator.ValidateAsync(issuedAtT1));
        AssertNotJudged(await _validator.ValidateAsync(issuedAtT2), "before the token was issued at " + Text.Instant(t0.AddSeconds(2)));
        AssertNotJudged(await _validator.ValidateAsync(issuedAtT5), "before the token was issued at " + Text.Instant(t0.AddSeconds(5)));
        Assert.Equal(2, _issuer.JwksRequestCount);

        // Once the interval has passed the next unknown kid refetches, and the newer key set judges both.
        _clock.Advance(RefreshInterval);
        AssertUnknownKey(await _validator.ValidateAsync(issuedAtT5));
        Assert.Equal(3, _issuer.JwksRequestCount);
        AssertUnknownKey(await _validator.ValidateAsync(issuedAtT2));
        Assert.Equal(3, _issuer.JwksRequestCount);
    }

    [Fact]
    public async Task Kid_still_unknown_within_the_interval_without_iat_is_not_judged()
    {
        Assert.True((await _validator.ValidateAsync(_issuer.IssueToken(MockIssuerKit.Audience))).IsValid);
        AssertUnknownKey(await _validator.ValidateAsync(UnknownKidTokenIssuedNow("unknown-probe")));
        _clock.Advance(TimeSpan.FromSeconds(10));

        var noIat = Token(
            c =>
            {
                foreach (var (name, value) in Payload(_clock.GetUtcNow()))
                {
                    c[name] = value?.DeepClone();
                }

                c["iss"] = _issuer.Issuer;
                c["aud"] = MockIssuerKit.Audience;
                c.Remove("iat");
            },
            h => h["kid"] = "unknown-no-iat",
            key: OtherKey);

        AssertNotJudged(await _validator.ValidateAsync(noIat), "the token has no issue time (iat)");
        Assert.Equal(2, _issuer.JwksRequestCount);
    }

    [Fact]
    public async Task Key_rotated_twice_within_the_interval_is_not_judged_until_the_interval_has_passed_then_accepted()
    {
        Assert.True((await _validator.ValidateAsync(_issuer.IssueToken(MockIssuerKit.Audience))).IsValid);
        _clock.Advance(TimeSpan.FromSeconds(5));
        _issuer.RotateSigningKey(keepPreviousKeyPublished: false);
        Assert.True((await _validator.ValidateAsync(_issuer.IssueToken(MockIssuerKit.Audience))).IsValid);

        _clock.Advance(TimeSpan.FromSeconds(5));
        _issuer.RotateSigningKey(keepPreviousKeyPublished: false);
        var second = _issuer.IssueToken(MockIssuerKit.Audience);
        AssertNotJudged(await _validator.ValidateAsync(second), "before the token was issued");

        _clock.Advance(RefreshInterval);
        var result = await _validator.ValidateAsync(second);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(3, _issuer.JwksRequestCount);
    }
}
