using Microsoft.Extensions.Time.Testing;
using OidcToken.Testing;
using OidcToken.Validation.Tests.KeySources;

namespace OidcToken.Validation.Tests.ReplayGuard;

public sealed class ReplayGuardTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Second_use_of_a_token_is_replayed()
    {
        var time = new FakeTimeProvider(Start);
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { TimeProvider = time });
        var options = MockIssuerKit.Options(issuer);
        options.TimeProvider = time;
        options.ReplayStore = new InMemoryJtiReplayStore(time);
        using var validator = new GitHubOidcTokenValidator(options);
        var token = issuer.IssueToken(MockIssuerKit.Audience);

        Assert.True((await validator.ValidateAsync(token)).IsValid);
        var second = await validator.ValidateAsync(token);

        Assert.Equal(GitHubOidcValidationFailure.Replayed, second.Failure);
        Assert.Equal(GitHubOidcFailureKind.Invalid, second.Kind);
        Assert.StartsWith("the token with jti '", second.Message, StringComparison.Ordinal);
        Assert.True((await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience))).IsValid);
    }

    [Fact]
    public async Task Token_without_jti_is_refused_when_the_guard_is_on()
    {
        var time = new FakeTimeProvider(Start);
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { TimeProvider = time });
        var options = MockIssuerKit.Options(issuer);
        options.TimeProvider = time;
        options.ReplayStore = new InMemoryJtiReplayStore(time);
        using var validator = new GitHubOidcTokenValidator(options);

        var result = await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience, new Dictionary<string, string> { ["jti"] = "" }));

        Assert.Equal(GitHubOidcValidationFailure.Replayed, result.Failure);
        Assert.Equal("the token has no id (jti), so the replay guard cannot accept it once", result.Message);
    }

    [Fact]
    public async Task Policy_failures_do_not_consume_the_jti()
    {
        var time = new FakeTimeProvider(Start);
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { TimeProvider = time });
        var store = new InMemoryJtiReplayStore(time);
        var options = MockIssuerKit.Options(issuer);
        options.TimeProvider = time;
        options.ReplayStore = store;
        options.Audiences = ["https://other.example"];
        using var validator = new GitHubOidcTokenValidator(options);

        Assert.Equal(GitHubOidcValidationFailure.InvalidAudience, (await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience))).Failure);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Expired_entries_are_evicted()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryJtiReplayStore(time);

        Assert.True(await store.TryAddAsync("iss", "a", Start.AddMinutes(5), default));
        Assert.False(await store.TryAddAsync("iss", "a", Start.AddMinutes(5), default));
        Assert.True(await store.TryAddAsync("other-iss", "a", Start.AddMinutes(5), default));
        Assert.Equal(2, store.Count);

        time.Advance(TimeSpan.FromMinutes(6));
        Assert.True(await store.TryAddAsync("iss", "b", Start.AddMinutes(12), default));

        Assert.Equal(1, store.Count);
        Assert.True(await store.TryAddAsync("iss", "a", Start.AddMinutes(12), default));
    }

    [Fact]
    public async Task A_full_store_fails_closed_until_entries_expire()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryJtiReplayStore(time, maxEntries: 2);

        Assert.True(await store.TryAddAsync("iss", "1", Start.AddMinutes(5), default));
        Assert.True(await store.TryAddAsync("iss", "2", Start.AddMinutes(10), default));
        Assert.False(await store.TryAddAsync("iss", "3", Start.AddMinutes(10), default));

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await store.TryAddAsync("iss", "3", Start.AddMinutes(10), default));
        Assert.False(await store.TryAddAsync("iss", "2", Start.AddMinutes(10), default));
    }

    [Fact]
    public async Task Concurrent_uses_of_one_jti_admit_exactly_one()
    {
        var store = new InMemoryJtiReplayStore();
        var expires = TimeProvider.System.GetUtcNow().AddMinutes(5);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => store.TryAddAsync("iss", "same", expires, default).AsTask())));

        Assert.Single(results, r => r);
    }

    [Fact]
    public void Max_entries_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryJtiReplayStore(maxEntries: 0));
}
