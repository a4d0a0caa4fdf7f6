using System.Diagnostics;
using System.Globalization;
using OidcToken.Exchange;
using OidcToken.Faults;
using OidcToken.Testing;
using Xunit.Abstractions;

namespace OidcToken.Google.Tests.Faults;

/// <summary>
/// <see cref="GitHubGoogleCredential.GetAccessTokenAsync"/> (Google.Apis.Auth underneath) under network and HTTP faults of
/// Google's STS, over real loopback sockets (the configuration's <c>token_url</c> points at the fault server; the GitHub
/// side is the mock issuer): <see cref="OidcTokenErrorCode.ExchangeFailed"/> (exit 4) for anything temporary, the
/// attempts made (one STS request and one fresh GitHub token each), and the time within the deadline (1.5 s where the
/// deadline is what ends the exchange, 3 s where the attempts run out first; attempts 0.5 s, backoff from 50 ms), through
/// the internal attempt-policy seam (the public defaults are 3 attempts, 10 s, 60 s). A DNS failure has no row: the SDK's
/// handler is built inside OidcToken.Google with no seam, and it takes the network-error path of a refused connection.
/// </summary>
public sealed class GoogleSocketFaultTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>A well-formed STS answer whose token is no registered secret (the server is not the mock).</summary>
    internal const string StsSuccess = "{\"access_token\":\"google-fault-matrix-access-token\",\"issued_token_type\":\"urn:ietf:params:oauth:token-type:access_token\",\"token_type\":\"Bearer\",\"expires_in\":3599}";

    private readonly GoogleFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData("refused", 3000, 3, 3, 0)]
    [InlineData("reset-mid-body", 3000, 3, 3, 0)]
    [InlineData("never-answers", 1500, 2, 3, 1000)]
    [InlineData("trickle", 1500, 2, 3, 1000)]
    [InlineData("tls-handshake-failure", 3000, 3, 3, 0)]
    [InlineData("500 storm (HTML from a proxy)", 3000, 3, 3, 0)]
    [InlineData("502 storm (HTML from a proxy)", 3000, 3, 3, 0)]
    [InlineData("503 storm (Google's UNAVAILABLE)", 3000, 3, 3, 0)]
    [InlineData("504 storm (HTML from a proxy)", 3000, 3, 3, 0)]
    [InlineData("429 storm with Retry-After 1 s", 2500, 2, 3, 900)]
    [InlineData("429 storm without Retry-After", 3000, 3, 3, 0)]
    public async Task Fault_is_ExchangeFailed_within_the_deadline(string row, int deadlineMs, int minAttempts, int maxAttempts, int minMs)
    {
        const string Unavailable = "{\"error\":{\"code\":503,\"message\":\"The service is currently unavailable.\",\"status\":\"UNAVAILABLE\"}}";
        await using var server = SocketFaultServer.Start(row == "503 storm (Google's UNAVAILABLE)"
            ? SocketFault.Respond(503, Unavailable)
            : SocketFault.ForRow(row, StsSuccess, "{\"error\":\"rate_limit_exceeded\"}", "application/json"));
        var configuration = Configuration(_fixture, server.AddressFor(row));
        var policy = Policy(TimeSpan.FromMilliseconds(deadlineMs));
        await WarmUpAsync(_fixture);
        var githubBefore = _fixture.Issuer.TokenRequestCount;

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<OidcTokenException>(
            () => GitHubGoogleCredential.GetAccessTokenWithPolicyAsync(configuration, null, policy, TimeProvider.System, CancellationToken.None));
        var elapsed = stopwatch.Elapsed;

        // Under load the server may accept the last connection only after the client gave up on it: let it catch up.
        await SocketFaultServer.CatchUpAsync(() => row == "refused" || (row == "tls-handshake-failure" ? server.ConnectionCount : server.RequestCount) >= ex.Attempts);
        output.WriteLine($"gcp | {row} | {ex.ErrorCode} (exit {ex.ExitCode}) | attempts {ex.Attempts} | {elapsed.TotalMilliseconds:0} ms | deadline {deadlineMs} ms | {ex.Message.Split('\n')[0]} | server connections {server.ConnectionCount}, requests {server.RequestCount}");
        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(4, ex.ExitCode);
        Assert.InRange(ex.Attempts, minAttempts, maxAttempts);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"attempts: {ex.Attempts};"), ex.Message, StringComparison.Ordinal);
        // Loose: real sockets and a GitHub token per attempt on a machine the whole suite shares.
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), policy.Deadline + TimeSpan.FromSeconds(2));
        if (row.Contains("with Retry-After", StringComparison.Ordinal))
        {
            // Retry-After honoured: each retry waited its second (room for 2 or 3 attempts when the first is slow under load).
            Assert.InRange(elapsed, TimeSpan.FromMilliseconds(900 * (ex.Attempts - 1)), TimeSpan.MaxValue);
        }
        if (row == "tls-handshake-failure")
        {
            Assert.Equal(ex.Attempts, server.ConnectionCount);
        }
        else if (row != "refused")
        {
            // One STS request per attempt: Google.Apis.Auth's own retries (503 backoff) are off for this call.
            // One request per attempt; where the deadline ends the row, the last attempt may be cut before its request
            // went out (it was still fetching its GitHub token on a loaded machine).
            Assert.InRange(server.RequestCount, row is "never-answers" or "trickle" ? ex.Attempts - 1 : ex.Attempts, ex.Attempts);
        }

        // Each attempt fetched its own GitHub token (through credential_source.url; one more when a slow GitHub answer was
        // the last failure, as the translator asks the runner again to diagnose it), and none appears in the failure.
        Assert.InRange(_fixture.Issuer.TokenRequestCount - githubBefore, ex.Attempts, ex.Attempts + 1);
        AssertNoSecrets(_fixture, ex);
    }

    [Theory]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    public async Task Cancellation_during_an_sts_call_returns_promptly(string row)
    {
        await using var server = SocketFaultServer.Start(row == "trickle" ? SocketFault.Trickle(StsSuccess) : SocketFault.NeverAnswer());
        var configuration = Configuration(_fixture, server.BaseAddress);
        var policy = Policy(TimeSpan.FromSeconds(30)) with { AttemptTimeout = TimeSpan.FromSeconds(30) };
        await WarmUpAsync(_fixture);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => GitHubGoogleCredential.GetAccessTokenWithPolicyAsync(configuration, null, policy, TimeProvider.System, cts.Token));

        output.WriteLine($"gcp cancel | {row} | {ex.GetType().Name} after {stopwatch.ElapsedMilliseconds} ms (cancelled at 400 ms) | server requests {server.RequestCount}");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(400 + 1500));
    }

    [Fact]
    public async Task Cancellation_through_the_public_api_returns_promptly()
    {
        await using var server = SocketFaultServer.Start(SocketFault.NeverAnswer());
        var configuration = Configuration(_fixture, server.BaseAddress);
        await WarmUpAsync(_fixture);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => GitHubGoogleCredential.GetAccessTokenAsync(configuration, cancellationToken: cts.Token));

        output.WriteLine($"gcp cancel | never-answers, public defaults | {ex.GetType().Name} after {stopwatch.ElapsedMilliseconds} ms (cancelled at 400 ms)");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(400 + 1500));
    }

    internal static GoogleAttemptPolicy Policy(TimeSpan deadline) => new()
    {
        MaxAttempts = 3,
        AttemptTimeout = TimeSpan.FromMilliseconds(500),
        Deadline = deadline,
        Delay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>The fixture's provider and runner, with STS at <paramref name="baseAddress"/><c>v1/token</c>.</summary>
    internal static GoogleCredentialConfiguration Configuration(GoogleFixture fixture, Uri baseAddress, string? serviceAccount = null) =>
        new(GoogleFixture.Provider)
        {
            ServiceAccount = serviceAccount,
            TokenUrl = new Uri(baseAddress, "v1/token"),
            ImpersonationUrlBase = fixture.Google.ImpersonationUrlBase,
            EnvironmentVariables = name => fixture.Environment.TryGetValue(name, out var value) ? value : null,
        };

    /// <summary>Pays the first-call costs (JIT of Google.Apis.Auth and Newtonsoft.Json, the first GitHub token) outside the timed part.</summary>
    internal static async Task WarmUpAsync(GoogleFixture fixture)
    {
        var token = await GitHubGoogleCredential.GetAccessTokenAsync(fixture.Configuration());
        Assert.False(string.IsNullOrEmpty(token.RevealToken()));
    }

    internal static void AssertNoSecrets(GoogleFixture fixture, Exception ex)
    {
        var text = ex.ToString();
        TestSupport.LeakGuard.AssertNoLeak(text, "GoogleFaultMatrix " + ex.GetType().Name);
        Assert.DoesNotContain(fixture.Issuer.RequestToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ya29.", text, StringComparison.Ordinal);
    }
}

/// <summary>Temporary errors over real sockets and from the mock's STS and IAM Credentials, then a token.</summary>
public sealed class GoogleRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private readonly GoogleFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData("503 x2, then ok", 3, 0)]
    [InlineData("500 x1, then ok", 2, 0)]
    [InlineData("429 with Retry-After 1 s x1, then ok", 2, 900)]
    [InlineData("429 without Retry-After x2, then ok", 3, 0)]
    [InlineData("connection reset x2, then ok", 3, 0)]
    [InlineData("never-answers x1, then ok", 2, 400)]
    public async Task Temporary_sts_error_then_token(string row, int attempts, int minMs)
    {
        await using var server = SocketFaultServer.Start(
            SocketFault.RecoveryScript(row, attempts - 1, GoogleSocketFaultTests.StsSuccess, "{\"error\":\"rate_limit_exceeded\"}"));
        var configuration = GoogleSocketFaultTests.Configuration(_fixture, server.BaseAddress);
        var policy = GoogleSocketFaultTests.Policy(TimeSpan.FromSeconds(5));
        await GoogleSocketFaultTests.WarmUpAsync(_fixture);
        var githubBefore = _fixture.Issuer.TokenRequestCount;

        var stopwatch = Stopwatch.StartNew();
        var token = await GitHubGoogleCredential.GetAccessTokenWithPolicyAsync(configuration, null, policy, TimeProvider.System, CancellationToken.None);
        var elapsed = stopwatch.Elapsed;

        // Under load the server may read a connection's request only after the attempt timeout gave up on it: each attempt
        // is one connection (none is pooled), so count those, once the server has caught up.
        await SocketFaultServer.CatchUpAsync(() => server.ConnectionCount >= attempts);
        output.WriteLine($"gcp | {row} | token | attempts {server.ConnectionCount} | {elapsed.TotalMilliseconds:0} ms | deadline 5000 ms | GitHub tokens {_fixture.Issuer.TokenRequestCount - githubBefore}, requests read {server.RequestCount}");
        Assert.Equal("google-fault-matrix-access-token", token.RevealToken());
        Assert.NotNull(token.ExpiresAt);
        Assert.Equal(attempts, server.ConnectionCount);
        Assert.Equal(attempts, _fixture.Issuer.TokenRequestCount - githubBefore);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("STS UNAVAILABLE 503 x2, then ok", 3)]
    [InlineData("IAM UNAVAILABLE 503 x1, then ok", 2)]
    [InlineData("IAM RESOURCE_EXHAUSTED 429 x1, then ok", 2)]
    public async Task Temporary_google_error_from_the_mock_then_token(string row, int attempts)
    {
        await GoogleSocketFaultTests.WarmUpAsync(_fixture);
        _fixture.Google.ResetRequestLog();
        var iam = row.StartsWith("IAM", StringComparison.Ordinal);
        var fault = row.Contains("429", StringComparison.Ordinal)
            ? MockGoogleCloud.ApiError(429, "RESOURCE_EXHAUSTED", "Quota exceeded.")
            : MockGoogleCloud.ApiError(503, "UNAVAILABLE", "The service is currently unavailable.");
        if (iam)
        {
            _fixture.Google.FailNextRequests(attempts - 1, fault.ForRequestsTo(_fixture.Google.ImpersonationUrlBase));
        }
        else
        {
            _fixture.Google.FailNextRequests(attempts - 1, fault.ForRequestsTo(_fixture.Google.TokenUrl));
        }

        var configuration = _fixture.Configuration(iam ? GoogleFixture.ServiceAccountEmail : null);
        var policy = GoogleSocketFaultTests.Policy(TimeSpan.FromSeconds(5)) with { AttemptTimeout = TimeSpan.FromSeconds(2) };

        var stopwatch = Stopwatch.StartNew();
        var token = await GitHubGoogleCredential.GetAccessTokenWithPolicyAsync(configuration, null, policy, TimeProvider.System, CancellationToken.None);
        var elapsed = stopwatch.Elapsed;

        var requests = iam ? _fixture.Google.ImpersonationRequestCount : _fixture.Google.StsRequestCount;
        output.WriteLine($"gcp | {row} | token | attempts {requests} | {elapsed.TotalMilliseconds:0} ms | deadline 5000 ms");
        Assert.False(string.IsNullOrEmpty(token.RevealToken()));
        Assert.Equal(attempts, requests);

        // A new attempt is a new credential: STS is asked again (with a fresh GitHub token) before IAM.
        Assert.Equal(attempts, _fixture.Google.StsRequestCount);
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }
}
