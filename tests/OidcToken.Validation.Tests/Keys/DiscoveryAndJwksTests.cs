using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using OidcToken.Testing;

namespace OidcToken.Validation.Tests.KeySources;

public sealed class DiscoveryAndJwksTests
{
    [Fact]
    public async Task Token_from_the_mock_validates_through_discovery_and_jwks()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer));

        var result = await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience));

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(issuer.CurrentKeyId, result.KeyId);
        Assert.Equal("octo-org/octo-repo", result.Claims.Repository);
        Assert.Equal(1, issuer.DiscoveryRequestCount);
        Assert.Equal(1, issuer.JwksRequestCount);

        // Warm cache: no further requests.
        for (var i = 0; i < 20; i++)
        {
            Assert.True((await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience))).IsValid);
        }

        Assert.Equal(1, issuer.DiscoveryRequestCount);
        Assert.Equal(1, issuer.JwksRequestCount);
    }

    [Fact]
    public async Task Discovery_issuer_mismatch_is_keys_unavailable()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        issuer.OverrideDiscovery(issuer: "https://token.actions.githubusercontent.com");
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer));

        var result = await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience));

        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, result.Kind);
        Assert.Contains("the discovery document's issuer is 'https://token.actions.githubusercontent.com', expected '" + issuer.Issuer + "'", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:{port}/.well-known/jwks", "is not on the issuer's host")]
    [InlineData("https://127.0.0.1:{port}/.well-known/jwks", "is not on the issuer's host")]
    [InlineData("https://evil.example/.well-known/jwks", "is not on the issuer's host")]
    [InlineData("http://127.0.0.2:{port}/.well-known/jwks", "is not on the issuer's host")]
    public async Task Jwks_uri_on_another_host_is_keys_unavailable_and_never_fetched(string jwksUri, string expected)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        var port = issuer.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        issuer.OverrideDiscovery(jwksUri: jwksUri.Replace("{port}", jwksUri.StartsWith("https://127", StringComparison.Ordinal) ? "9" : port, StringComparison.Ordinal));
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer));

        var result = await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience));

        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, result.Kind);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
        Assert.Equal(0, issuer.JwksRequestCount);
    }

    [Fact]
    public async Task Jwks_down_at_start_is_keys_unavailable_not_invalid_and_recovers()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        issuer.FailNextRequests(1, MockHttpTargetFault.Status(503).ForRequestsTo(new Uri(issuer.BaseAddress, ".well-known/jwks")));
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer));
        var token = issuer.IssueToken(MockIssuerKit.Audience);

        var down = await validator.ValidateAsync(token);

        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, down.Failure);
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, down.Kind);
        Assert.Null(down.Claims);
        Assert.Contains("HTTP 503", down.Message, StringComparison.Ordinal);
        Assert.Contains("retry later", down.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, down.Message!, StringComparison.Ordinal);

        // Retried at most once per RefreshInterval (1 s): eventually valid, with few requests.
        var watch = Stopwatch.StartNew();
        GitHubOidcValidationResult result;
        do
        {
            await Task.Delay(50);
            result = await validator.ValidateAsync(token);
        }
        while (!result.IsValid && watch.Elapsed < TimeSpan.FromSeconds(10));

        Assert.True(result.IsValid, result.ToString());
        Assert.InRange(issuer.JwksRequestCount, 2, 2 + (int)watch.Elapsed.TotalSeconds + 1);
    }

    [Fact]
    public async Task Discovery_down_at_start_is_keys_unavailable()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        issuer.FailNextRequests(5, MockHttpTargetFault.Status(500).ForRequestsTo(new Uri(issuer.Issuer + "/.well-known/openid-configuration")));
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer));

        var result = await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience));

        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, result.Kind);
        Assert.Contains("HTTP 500", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_unavailable_names_the_latest_cause_an_HTTP_500_after_a_refused_discovery_document()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var options = MockIssuerKit.Options(issuer);
        options.TimeProvider = clock;
        using var validator = new GitHubOidcTokenValidator(options);
        var token = issuer.IssueToken(MockIssuerKit.Audience);
        const string Refused = "the discovery document's issuer is 'https://token.actions.githubusercontent.com'";

        issuer.OverrideDiscovery(issuer: "https://token.actions.githubusercontent.com");
        var first = await validator.ValidateAsync(token);
        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, first.Failure);
        Assert.Contains(Refused, first.Message, StringComparison.Ordinal);

        issuer.OverrideDiscovery();
        issuer.FailNextRequests(1, MockHttpTargetFault.Status(500).ForRequestsTo(new Uri(issuer.Issuer + "/.well-known/openid-configuration")));
        clock.Advance(options.RefreshInterval + TimeSpan.FromSeconds(1));
        var second = await validator.ValidateAsync(token);

        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, second.Failure);
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, second.Kind);
        Assert.Contains("HTTP 500", second.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Refused, second.Message, StringComparison.Ordinal);
        var status = await validator.CheckKeysAsync();
        Assert.False(status.Available);
        Assert.Contains("HTTP 500", status.Problem, StringComparison.Ordinal);
        Assert.Equal(2, issuer.DiscoveryRequestCount);

        clock.Advance(options.RefreshInterval + TimeSpan.FromSeconds(1));
        var recovered = await validator.ValidateAsync(token);
        Assert.True(recovered.IsValid, recovered.ToString());
    }

    [Fact]
    public async Task Keys_unavailable_names_the_latest_cause_a_refused_discovery_document_after_an_HTTP_500()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var options = MockIssuerKit.Options(issuer);
        options.TimeProvider = clock;
        using var validator = new GitHubOidcTokenValidator(options);
        var token = issuer.IssueToken(MockIssuerKit.Audience);

        issuer.FailNextRequests(1, MockHttpTargetFault.Status(500).ForRequestsTo(new Uri(issuer.Issuer + "/.well-known/openid-configuration")));
        var first = await validator.ValidateAsync(token);
        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, first.Failure);
        Assert.Contains("HTTP 500", first.Message, StringComparison.Ordinal);

        issuer.OverrideDiscovery(issuer: "https://token.actions.githubusercontent.com");
        clock.Advance(options.RefreshInterval + TimeSpan.FromSeconds(1));
        var second = await validator.ValidateAsync(token);

        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, second.Failure);
        Assert.Contains("the discovery document's issuer is 'https://token.actions.githubusercontent.com'", second.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP 500", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_unavailable_after_a_failed_unknown_kid_refetch_names_that_fetch_not_an_earlier_one()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var options = MockIssuerKit.Options(issuer);
        options.TimeProvider = clock;
        using var validator = new GitHubOidcTokenValidator(options);
        Assert.True((await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience))).IsValid);

        issuer.OverrideDiscovery(issuer: "https://token.actions.githubusercontent.com");
        clock.Advance(options.RefreshInterval + TimeSpan.FromSeconds(1));
        var refused = await validator.ValidateAsync(AttackFreeForgery.WithKeyId(issuer.IssueToken(MockIssuerKit.Audience), "rotated-1"));
        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, refused.Failure);
        Assert.Contains("the discovery document's issuer is", refused.Message, StringComparison.Ordinal);

        issuer.OverrideDiscovery();
        issuer.FailNextRequests(1, MockHttpTargetFault.Status(500).ForRequestsTo(new Uri(issuer.BaseAddress, ".well-known/jwks")));
        clock.Advance(options.RefreshInterval + TimeSpan.FromSeconds(1));
        var down = await validator.ValidateAsync(AttackFreeForgery.WithKeyId(issuer.IssueToken(MockIssuerKit.Audience), "rotated-2"));

        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, down.Failure);
        Assert.Contains("HTTP 500", down.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the discovery document's issuer is", down.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_issuer_is_keys_unavailable()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var validator = new GitHubOidcTokenValidator(new GitHubOidcValidationOptions
        {
            Issuer = $"http://127.0.0.1:{port}",
            Audiences = [MockIssuerKit.Audience],
            Policy = MockIssuerKit.Policy,
        });
        using var issuer = MockGitHubOidcIssuer.Start();

        // A token that names the unreachable issuer (issuer and audience are checked before the keys are fetched).
        var token = issuer.IssueToken(MockIssuerKit.Audience, new Dictionary<string, string> { ["iss"] = $"http://127.0.0.1:{port}" });
        var result = await validator.ValidateAsync(token);

        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, result.Failure);
        Assert.Contains("could not be reached", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Last_known_good_keys_are_kept_when_a_later_refresh_fails()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var options = MockIssuerKit.Options(issuer);
        options.TimeProvider = clock;
        using var validator = new GitHubOidcTokenValidator(options);
        Assert.True((await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience))).IsValid);

        // The JWKS goes down; once the RefreshInterval (1 s) has passed on the validator's clock, an unknown kid forces a
        // refresh, which fails.
        issuer.FailNextRequests(1000, MockHttpTargetFault.Status(503).ForRequestsTo(new Uri(issuer.BaseAddress, ".well-known/jwks")));
        issuer.FailNextRequests(1000, MockHttpTargetFault.Status(503).ForRequestsTo(new Uri(issuer.Issuer + "/.well-known/openid-configuration")));
        clock.Advance(TimeSpan.FromMilliseconds(1100));
        var unknown = await validator.ValidateAsync(AttackFreeForgery.WithKeyId(issuer.IssueToken(MockIssuerKit.Audience), "rotated-away"));
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, unknown.Kind);

        // Tokens signed with the known key still validate from the last known good keys.
        var result = await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience));
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public async Task Rotated_key_is_accepted_within_one_refresh_interval_under_a_flood_of_bad_kids()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var validator = new GitHubOidcTokenValidator(MockIssuerKit.Options(issuer, TimeSpan.FromSeconds(1)));
        Assert.True((await validator.ValidateAsync(issuer.IssueToken(MockIssuerKit.Audience))).IsValid);
        var watch = Stopwatch.StartNew();
        var badKid = AttackFreeForgery.WithKeyId(issuer.IssueToken(MockIssuerKit.Audience), "no-such-key");

        using var stop = new CancellationTokenSource();
        var badRequests = 0;
        var flood = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var bad = await validator.ValidateAsync(badKid);
                Assert.False(bad.IsValid);
                Interlocked.Increment(ref badRequests);
                await Task.Delay(2);
            }
        })));

        await Task.Delay(300);
        issuer.RotateSigningKey(keepPreviousKeyPublished: false);
        var rotated = Stopwatch.StartNew();
        var fresh = issuer.IssueToken(MockIssuerKit.Audience);
        GitHubOidcValidationResult result;
        do
        {
            result = await validator.ValidateAsync(fresh);
            if (!result.IsValid)
            {
                // Until a key set newer than the token is fetched, it cannot be judged: retryable, never "invalid".
                Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, result.Failure);
                await Task.Delay(20);
            }
        }
        while (!result.IsValid && rotated.Elapsed < TimeSpan.FromSeconds(10));

        var acceptedAfter = rotated.Elapsed;
        await Task.Delay(1500);
        await stop.CancelAsync();
        await flood;

        Assert.True(result.IsValid, result.ToString());
        // One refresh interval plus scheduling slack for a loaded 2-core machine (the whole suite's projects run at once).
        Assert.True(acceptedAfter < TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(2), $"accepted after {acceptedAfter}");
        Assert.True(badRequests > 100, $"only {badRequests} bad-kid requests");
        var bound = (int)Math.Ceiling(watch.Elapsed.TotalSeconds / 1.0) + 3;
        Assert.InRange(issuer.JwksRequestCount, 2, bound);
    }
}
