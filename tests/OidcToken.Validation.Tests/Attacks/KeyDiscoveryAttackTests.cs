using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OidcToken.Testing;
using Xunit.Abstractions;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Attacks;

/// <summary>
/// Attacks on key discovery, against <see cref="MockGitHubOidcIssuer"/> (discovery + JWKS over loopback HTTP) with a
/// 1 s refresh interval and real time. Bounds are loose on purpose (shared CI machines); nothing sleeps for long.
/// </summary>
internal static class OnlineKit
{
    /// <summary>
    /// A token from <paramref name="issuer"/> with an unknown <c>kid</c>, valid now on the real clock (issued 5 s ago):
    /// issuer, audience and lifetime are checked before any key is looked up, so it reaches the key lookup.
    /// </summary>
    internal static string BadKidToken(MockGitHubOidcIssuer issuer, string? kid = null) =>
        Token(
            c =>
            {
                foreach (var (name, value) in Payload(TimeProvider.System.GetUtcNow()))
                {
                    c[name] = value?.DeepClone();
                }

                c["iss"] = issuer.Issuer;
            },
            h => h["kid"] = kid ?? "bogus-" + Guid.NewGuid().ToString("N"),
            key: OtherKey);
}

/// <summary>An unknown-kid flood cannot turn the validator into a JWKS fetch amplifier. (Mock issuer over loopback, 1 s refresh interval, real time, loose bounds.)</summary>
public sealed class KeyRefetchFloodAttackTests
{
    private readonly ITestOutputHelper _output;

    public KeyRefetchFloodAttackTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Control_token_from_the_mock_issuer_is_accepted()
    {
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        AssertAccepted(await validator.ValidateAsync(issuer.IssueToken(Audience)));
        Assert.True(issuer.DiscoveryRequestCount >= 1);
        Assert.True(issuer.JwksRequestCount >= 1);
    }

    [Fact]
    public async Task Unknown_kid_flood_keeps_the_JWKS_refetch_count_bounded_by_the_refresh_interval()
    {
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        AssertAccepted(await validator.ValidateAsync(issuer.IssueToken(Audience)));
        var jwksBefore = issuer.JwksRequestCount;
        var discoveryBefore = issuer.DiscoveryRequestCount;

        var stopwatch = Stopwatch.StartNew();
        var attempts = 0;
        // At least 1.5 s and at least 100 tokens: on a loaded machine one burst can take longer than the whole window.
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(1.5) || attempts < 100)
        {
            // Bursts of concurrent bad-kid tokens, as an attacker would send them.
            var burst = Enumerable.Range(0, 25).Select(_ => OnlineKit.BadKidToken(issuer)).ToArray();
            var results = await Task.WhenAll(burst.Select(t => Task.Run(() => validator.ValidateAsync(t))));
            for (var i = 0; i < burst.Length; i++)
            {
                AssertRejected(results[i], GitHubOidcValidationFailure.UnknownKey, burst[i]);
            }

            attempts += burst.Length;
        }

        var elapsed = stopwatch.Elapsed;

        // Valid tokens still pass in the middle of the flood.
        AssertAccepted(await validator.ValidateAsync(issuer.IssueToken(Audience)));

        // At most one refetch per started refresh interval (plus one for the boundary), however many bad kids arrived.
        var allowed = (int)Math.Ceiling(elapsed / OnlineRefreshInterval) + 1;
        var jwksFetches = issuer.JwksRequestCount - jwksBefore;
        var discoveryFetches = issuer.DiscoveryRequestCount - discoveryBefore;
        _output.WriteLine($"{attempts} bad-kid tokens in {elapsed.TotalMilliseconds:F0} ms: {jwksFetches} JWKS and {discoveryFetches} discovery fetches (allowed {allowed})");
        Assert.True(attempts >= 50, $"only {attempts} bad-kid attempts were made");
        Assert.True(jwksFetches <= allowed, $"{jwksFetches} JWKS fetches for {attempts} bad-kid tokens in {elapsed.TotalSeconds:F2} s (allowed {allowed})");
        Assert.True(discoveryFetches <= allowed, $"{discoveryFetches} discovery fetches for {attempts} bad-kid tokens in {elapsed.TotalSeconds:F2} s (allowed {allowed})");
    }
}

/// <summary>Key rotation: a newly published key is picked up within one refresh interval, without a restart, also under a bad-kid flood. (Mock issuer over loopback, 1 s refresh interval, real time, loose bounds.)</summary>
public sealed class KeyRotationAttackTests
{
    private readonly ITestOutputHelper _output;

    public KeyRotationAttackTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Control_token_from_the_mock_issuer_is_accepted()
    {
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        AssertAccepted(await validator.ValidateAsync(issuer.IssueToken(Audience)));
        Assert.True(issuer.DiscoveryRequestCount >= 1);
        Assert.True(issuer.JwksRequestCount >= 1);
    }

    [Fact]
    public async Task Rotated_key_is_accepted_at_once_while_bad_kid_tokens_keep_arriving()
    {
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        var before = issuer.IssueToken(Audience);
        AssertAccepted(await validator.ValidateAsync(before));

        issuer.RotateSigningKey(keepPreviousKeyPublished: true);
        var rotated = issuer.IssueToken(Audience);
        var jwksBefore = issuer.JwksRequestCount;

        // Bad kids arrive first and use the refetch: it fetches the rotated JWKS, so the new key is known at once.
        var bad = Enumerable.Range(0, 10).Select(_ => OnlineKit.BadKidToken(issuer)).ToArray();
        foreach (var r in await Task.WhenAll(bad.Select(t => Task.Run(() => validator.ValidateAsync(t)))))
        {
            Assert.Equal(GitHubOidcValidationFailure.UnknownKey, r.Failure);
        }

        var result = await validator.ValidateAsync(rotated);
        _output.WriteLine($"JWKS fetches since rotation: {issuer.JwksRequestCount - jwksBefore}");
        AssertAccepted(result);

        // The previous key is still published: its tokens keep passing. No restart was needed.
        AssertAccepted(await validator.ValidateAsync(before));
        Assert.Equal(1, issuer.JwksRequestCount - jwksBefore);
    }

    [Fact]
    public async Task Token_signed_right_after_a_rotation_is_accepted_by_its_first_validation()
    {
        // The default refresh interval (60 s): the first unknown kid after the start-up fetch must still refetch.
        using var issuer = StartIssuer();
        var options = OnlineOptions(issuer);
        options.RefreshInterval = TimeSpan.FromSeconds(60);
        using var validator = new GitHubOidcTokenValidator(options);
        AssertAccepted(await validator.ValidateAsync(issuer.IssueToken(Audience)));

        issuer.RotateSigningKey(keepPreviousKeyPublished: false);
        AssertAccepted(await validator.ValidateAsync(issuer.IssueToken(Audience)));

        // A second rotation within the interval: the refetch allowance is used and the keys we hold are older than the
        // token, so the token cannot be judged yet — retryable, never "invalid".
        issuer.RotateSigningKey(keepPreviousKeyPublished: false);
        var second = issuer.IssueToken(Audience);
        var result = await validator.ValidateAsync(second);
        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, result.Kind);
        Assert.Contains("before the token was issued", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_withdrawn_from_the_JWKS_stops_validating_after_the_next_refetch()
    {
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        var old = issuer.IssueToken(Audience);
        AssertAccepted(await validator.ValidateAsync(old));

        issuer.RotateSigningKey(keepPreviousKeyPublished: false);
        var rotated = issuer.IssueToken(Audience);
        var stopwatch = Stopwatch.StartNew();
        var result = await validator.ValidateAsync(rotated);
        while (!result.IsValid && stopwatch.Elapsed < TimeSpan.FromSeconds(3.5))
        {
            await Task.Delay(50);
            result = await validator.ValidateAsync(rotated);
        }

        AssertAccepted(result);

        // The withdrawn key's token: unknown once a key set fetched after it was issued lacks its key; until then (the
        // refetch allowance used up within the second it was issued) it cannot be judged, which is retryable.
        var verdict = await validator.ValidateAsync(old);
        while (verdict.Failure == GitHubOidcValidationFailure.KeysUnavailable && stopwatch.Elapsed < TimeSpan.FromSeconds(6))
        {
            await Task.Delay(100);
            verdict = await validator.ValidateAsync(old);
        }

        AssertRejected(verdict, GitHubOidcValidationFailure.UnknownKey, old);
    }
}

/// <summary>Key URLs in the header (jku, x5u) are refused and never fetched, also with a network-enabled validator. (Mock issuer over loopback, 1 s refresh interval, real time, loose bounds.)</summary>
public sealed class KeyUrlAttackTests
{
    [Fact]
    public async Task Control_token_from_the_mock_issuer_is_accepted()
    {
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        AssertAccepted(await validator.ValidateAsync(issuer.IssueToken(Audience)));
        Assert.True(issuer.DiscoveryRequestCount >= 1);
        Assert.True(issuer.JwksRequestCount >= 1);
    }

    [Theory]
    [InlineData("jku", false)]
    [InlineData("jku", true)]
    [InlineData("x5u", false)]
    [InlineData("x5u", true)]
    public async Task Key_url_in_the_header_is_refused_and_never_fetched(string member, bool knownKid)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        AssertAccepted(await validator.ValidateAsync(issuer.IssueToken(Audience)));

        var url = $"http://127.0.0.1:{port}/.well-known/jwks";
        var token = Token(
            c => c["iss"] = issuer.Issuer,
            h =>
            {
                h["kid"] = knownKid ? issuer.CurrentKeyId : "attacker-key";
                h[member] = url;
            },
            key: OtherKey);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.ForbiddenHeader, token);

        await Task.Delay(150); // a background fetch, if any, would have connected by now
        Assert.False(listener.Pending(), $"the validator connected to the {member} URL");
    }
}

/// <summary>An unreachable issuer is a KeysUnavailable condition, never Invalid, and never loses the last known good keys. (Mock issuer over loopback, 1 s refresh interval, real time, loose bounds.)</summary>
public sealed class KeyAvailabilityAttackTests
{
    [Fact]
    public async Task Control_token_from_the_mock_issuer_is_accepted()
    {
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        AssertAccepted(await validator.ValidateAsync(issuer.IssueToken(Audience)));
        Assert.True(issuer.DiscoveryRequestCount >= 1);
        Assert.True(issuer.JwksRequestCount >= 1);
    }

    [Fact]
    public async Task Unreachable_issuer_yields_KeysUnavailable_not_Invalid()
    {
        var issuerUrl = $"http://127.0.0.1:{DeadLoopbackPort()}";
        using var validator = new GitHubOidcTokenValidator(new GitHubOidcValidationOptions
        {
            Issuer = issuerUrl,
            Audiences = [Audience],
            Policy = Policy(),
            RefreshInterval = OnlineRefreshInterval,
            TimeProvider = Clock(),
        });
        var token = Token(c => c["iss"] = issuerUrl);
        var result = await validator.ValidateAsync(token);
        AssertRejected(result, GitHubOidcValidationFailure.KeysUnavailable, token, GitHubOidcFailureKind.KeysUnavailable);
    }

    [Fact]
    public async Task Last_known_good_keys_keep_working_when_the_issuer_goes_away()
    {
        var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        var token = issuer.IssueToken(Audience);
        var late = issuer.IssueToken(Audience);
        AssertAccepted(await validator.ValidateAsync(token));
        issuer.Dispose();
        await Task.Delay(OnlineRefreshInterval + TimeSpan.FromMilliseconds(100));

        // An unknown kid triggers a refetch that fails: the answer is about keys, and the cached keys survive it.
        var bad = OnlineKit.BadKidToken(issuer, "bogus");
        var badResult = await validator.ValidateAsync(bad);
        Assert.False(badResult.IsValid);
        Assert.Contains(badResult.Failure, new[] { GitHubOidcValidationFailure.UnknownKey, GitHubOidcValidationFailure.KeysUnavailable });
        AssertAccepted(await validator.ValidateAsync(late));
    }
}

/// <summary>
/// Issuer, audience and lifetime are judged on the payload before any key is looked up: a token that fails them is
/// refused for that reason, with no request to the configured issuer, so an unreachable issuer cannot turn a plainly
/// invalid token into "keys unavailable" (fake clock at <see cref="AttackKit.Now"/>; tokens signed by the attacker).
/// </summary>
public sealed class ClaimsBeforeKeysAttackTests
{
    public static TheoryData<string, GitHubOidcValidationFailure> ClaimDefects() => new()
    {
        { "other issuer", GitHubOidcValidationFailure.InvalidIssuer },
        { "other audience", GitHubOidcValidationFailure.InvalidAudience },
        { "expired", GitHubOidcValidationFailure.Expired },
        { "not yet valid", GitHubOidcValidationFailure.NotYetValid },
        { "no exp", GitHubOidcValidationFailure.MissingExpiration },
        { "older than MaxTokenAge", GitHubOidcValidationFailure.TooOld },
        { "no iat with MaxTokenAge", GitHubOidcValidationFailure.TooOld },
        { "iat in the future with MaxTokenAge", GitHubOidcValidationFailure.NotYetValid },
    };

    private static string Defective(string defect, string issuer)
    {
        var t = Now.ToUnixTimeSeconds();
        return Token(
            c =>
            {
                c["iss"] = issuer;
                switch (defect)
                {
                    case "other issuer":
                        c["iss"] = "https://attacker.example";
                        break;
                    case "other audience":
                        c["aud"] = "https://other-service.example";
                        break;
                    case "expired":
                        c["exp"] = t - 3600;
                        c["iat"] = t - 3900;
                        c["nbf"] = t - 4200;
                        break;
                    case "not yet valid":
                        c["nbf"] = t + 3600;
                        c["iat"] = t + 3600;
                        c["exp"] = t + 3900;
                        break;
                    case "no exp":
                        c.Remove("exp");
                        break;
                    case "older than MaxTokenAge":
                        c["iat"] = t - 250;
                        break;
                    case "no iat with MaxTokenAge":
                        c.Remove("iat");
                        break;
                    default:
                        c["iat"] = t + 3600;
                        break;
                }
            },
            h => h["kid"] = "kid-the-issuer-never-published",
            key: OtherKey);
    }

    private static GitHubOidcValidationOptions OnlineOptionsFor(string issuer) => new()
    {
        Issuer = issuer,
        Audiences = [Audience],
        Policy = Policy(),
        RefreshInterval = OnlineRefreshInterval,
        MaxTokenAge = TimeSpan.FromMinutes(2),
        TimeProvider = Clock(),
    };

    [Fact]
    public async Task Control_a_token_whose_claims_pass_does_fetch_the_keys()
    {
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptionsFor(issuer.Issuer));
        var token = Token(c => c["iss"] = issuer.Issuer, h => h["kid"] = "kid-the-issuer-never-published", key: OtherKey);

        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.UnknownKey, token);
        Assert.True(issuer.DiscoveryRequestCount >= 1 && issuer.JwksRequestCount >= 1, "the counters prove nothing if a passing token fetches nothing");
    }

    [Theory]
    [MemberData(nameof(ClaimDefects))]
    public async Task Claim_defect_is_reported_as_such_without_any_request_to_the_issuer(string defect, GitHubOidcValidationFailure expected)
    {
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptionsFor(issuer.Issuer));
        var token = Defective(defect, issuer.Issuer);

        AssertRejected(await validator.ValidateAsync(token), expected, token);
        Assert.Equal(0, issuer.DiscoveryRequestCount);
        Assert.Equal(0, issuer.JwksRequestCount);
    }

    [Theory]
    [MemberData(nameof(ClaimDefects))]
    public async Task Claim_defect_is_Invalid_not_KeysUnavailable_when_the_configured_issuer_is_unreachable(string defect, GitHubOidcValidationFailure expected)
    {
        var issuerUrl = $"http://127.0.0.1:{DeadLoopbackPort()}";
        using var validator = new GitHubOidcTokenValidator(OnlineOptionsFor(issuerUrl));
        var token = Defective(defect, issuerUrl);

        AssertRejected(await validator.ValidateAsync(token), expected, token);

        // Control: a token whose claims pass goes to the dead issuer and is not judged.
        var passing = Token(c => c["iss"] = issuerUrl, h => h["kid"] = "kid-the-issuer-never-published", key: OtherKey);
        AssertRejected(await validator.ValidateAsync(passing), GitHubOidcValidationFailure.KeysUnavailable, passing, GitHubOidcFailureKind.KeysUnavailable);
    }
}
