using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using OidcToken.Testing;
using OidcToken.Validation.Tests.KeySources;
using Xunit.Abstractions;

namespace OidcToken.Validation.Tests.Load;

/// <summary>
/// Issue 6, "Load": validation on both cores (two threads) against the mock issuer over loopback HTTP, with a key
/// rotation in the middle and a stream of unknown-<c>kid</c> tokens mixed in. Behaviour only:
/// <list type="bullet">
/// <item>every token signed by the new key whose validation starts one <c>RefreshInterval</c> (1 s) or more after the key's
/// publication is accepted (earlier ones may be <see cref="GitHubOidcValidationFailure.KeysUnavailable"/> — the refetch
/// allowance used, keys older than the token: not judged yet — never <see cref="GitHubOidcValidationFailure.UnknownKey"/>,
/// nothing else);</item>
/// <item>tokens of the previous key (still published) are accepted throughout, unknown-<c>kid</c> tokens are
/// <see cref="GitHubOidcValidationFailure.UnknownKey"/>, or <see cref="GitHubOidcValidationFailure.KeysUnavailable"/>
/// while no key set fetched a second or more after they were issued has been seen;</item>
/// <item>JWKS fetches stay at most elapsed / RefreshInterval + 3 (the first fetch, the window in progress, one spare).</item>
/// </list>
/// Run time: about 1 s before the rotation and 2 s after it, × <see cref="LoadSettings.Scale"/>.
/// </summary>
public sealed class RotationUnderLoadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Two_threads_with_a_rotation_and_unknown_kids_accept_the_new_key_within_one_refresh_interval_with_bounded_jwks_fetches()
    {
        var time = TimeProvider.System;
        using var issuer = MockGitHubOidcIssuer.Start();
        var started = time.GetTimestamp();
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer, RefreshInterval));

        var oldKeyTokens = Enumerable.Range(0, 32).Select(_ => issuer.IssueToken(MockIssuerKit.Audience)).ToArray();
        Assert.True((await validator.ValidateAsync(oldKeyTokens[0])).IsValid);

        string? newKeyToken = null;
        long publishedAt = long.MaxValue;
        var stop = new CancellationTokenSource();
        var newKeyResults = new ConcurrentQueue<(long Start, GitHubOidcValidationResult Result)>();
        var unexpected = new ConcurrentQueue<string>();
        var counts = new int[3];
        var badKid = 0;

        async Task WorkAsync(int worker)
        {
            for (var i = worker; !stop.IsCancellationRequested; i++)
            {
                var old = await validator.ValidateAsync(oldKeyTokens[i % oldKeyTokens.Length]);
                Interlocked.Increment(ref counts[0]);
                if (!old.IsValid)
                {
                    unexpected.Enqueue("old key: " + old);
                }

                var kid = "unknown-" + Interlocked.Increment(ref badKid).ToString(CultureInfo.InvariantCulture);
                var bad = await validator.ValidateAsync(WithKid(oldKeyTokens[i % oldKeyTokens.Length], kid));
                Interlocked.Increment(ref counts[1]);
                if (bad.Failure is not (GitHubOidcValidationFailure.UnknownKey or GitHubOidcValidationFailure.KeysUnavailable))
                {
                    unexpected.Enqueue("unknown kid: " + bad);
                }

                if (Volatile.Read(ref newKeyToken) is { } fresh)
                {
                    var start = time.GetTimestamp();
                    newKeyResults.Enqueue((start, await validator.ValidateAsync(fresh)));
                    Interlocked.Increment(ref counts[2]);
                }
            }
        }

        var workers = new[] { Task.Run(() => WorkAsync(0)), Task.Run(() => WorkAsync(1)) };

        // Before the rotation: old-key and unknown-kid tokens only.
        await Task.Delay(TimeSpan.FromSeconds(1 * LoadSettings.Scale));
        issuer.RotateSigningKey(keepPreviousKeyPublished: true);
        publishedAt = time.GetTimestamp();

        // After it: a fresh new-key token every 20 ms, for two refresh intervals (× scale).
        while (time.GetElapsedTime(publishedAt) < 2 * RefreshInterval * LoadSettings.Scale)
        {
            Volatile.Write(ref newKeyToken, issuer.IssueToken(MockIssuerKit.Audience));
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers).WaitAsync(LoadSettings.DeadlockBound);
        var elapsed = time.GetElapsedTime(started);
        stop.Dispose();

        Assert.Empty(unexpected);
        var dueToBeAccepted = newKeyResults.Where(r => time.GetElapsedTime(publishedAt, r.Start) >= RefreshInterval).ToList();
        Assert.NotEmpty(dueToBeAccepted);
        Assert.All(dueToBeAccepted, r => Assert.True(r.Result.IsValid, r.Result.ToString()));
        Assert.All(newKeyResults, r => Assert.True(r.Result.IsValid || r.Result.Failure == GitHubOidcValidationFailure.KeysUnavailable, r.Result.ToString()));

        var maxFetches = (int)(elapsed / RefreshInterval) + 3;
        Assert.InRange(issuer.JwksRequestCount, 2, maxFetches);

        var firstAccepted = newKeyResults.Where(r => r.Result.IsValid).Min(r => r.Start);
        output.WriteLine(
            $"{elapsed.TotalSeconds:F2} s on 2 threads: {counts[0]} old-key, {counts[1]} unknown-kid, {counts[2]} new-key validations "
            + $"({newKeyResults.Count(r => !r.Result.IsValid)} new-key rejected as unknown kid, all before publication + {RefreshInterval.TotalSeconds} s); "
            + $"first new-key acceptance {time.GetElapsedTime(publishedAt, firstAccepted).TotalMilliseconds:F0} ms after publication; "
            + $"JWKS fetches {issuer.JwksRequestCount} (bound {maxFetches}), discovery fetches {issuer.DiscoveryRequestCount}");
    }

    /// <summary>The token with its header replaced by one naming <paramref name="kid"/> (the signature no longer matters: the key lookup fails first).</summary>
    private static string WithKid(string token, string kid)
    {
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}"));
        return header + token[token.IndexOf('.', StringComparison.Ordinal)..];
    }
}
