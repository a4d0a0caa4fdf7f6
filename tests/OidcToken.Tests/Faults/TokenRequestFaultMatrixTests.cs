using System.Diagnostics;
using OidcToken.Faults;
using OidcToken.Testing;
using OidcToken.Tests.Support;
using Xunit.Abstractions;

namespace OidcToken.Tests.Faults;

/// <summary>
/// The fault matrix of the request client, end to end over real loopback sockets: every row names a fault, the outcome
/// (a token after N attempts, or the documented error code and its CLI exit code), the attempts made and a loose bound on
/// the time taken, which stays within the configured deadline. Short deadlines and attempt timeouts keep it fast; the
/// three groups are separate classes so xUnit runs them in parallel.
/// </summary>
public sealed class TokenRequestSocketFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly FaultMatrix _m = new(output);

    private MockGitHubOidcIssuer Issuer => _m.Issuer;

    public void Dispose() => _m.Dispose();

    /// <summary>Faults made by the socket fault server, a closed port, or the DNS seam.</summary>
    /// <param name="row">The fault.</param>
    /// <param name="deadlineMs">The client's deadline (attempt timeout 500 ms, at most 4 attempts, 50–200 ms backoff). Rows whose attempts run out first get 5 s, so a loaded 2-core CI machine cannot turn them into a Timeout.</param>
    /// <param name="expected">"token", or the expected <see cref="OidcTokenErrorCode"/>.</param>
    /// <param name="minAttempts">Fewest attempts expected.</param>
    /// <param name="maxAttempts">Most attempts expected.</param>
    /// <param name="minMs">The least time it must take (a wait that must be honoured).</param>
    [Theory]
    [InlineData("refused", 5000, "NetworkError", 4, 4, 0)]
    [InlineData("reset-mid-body", 5000, "NetworkError", 4, 4, 0)]
    [InlineData("reset-mid-body x2, then ok", 2000, "token", 3, 3, 0)]
    [InlineData("never-answers", 1200, "Timeout", 2, 3, 1100)]
    [InlineData("never-answers, attempts run out first", 5000, "NetworkError", 2, 2, 900)]
    [InlineData("never-answers x1, then ok", 2000, "token", 2, 2, 450)]
    [InlineData("trickle", 1200, "Timeout", 2, 3, 1100)]
    [InlineData("trickle x1, then ok", 2000, "token", 2, 2, 450)]
    [InlineData("tls-handshake-failure", 5000, "NetworkError", 4, 4, 0)]
    [InlineData("dns-failure", 5000, "NetworkError", 4, 4, 0)]
    public async Task Socket_fault(string row, int deadlineMs, string expected, int minAttempts, int maxAttempts, int minMs)
    {
        var token = Issuer.IssueToken(FaultMatrix.Audience);
        var ok = SocketFault.Respond(200, "{\"value\":\"" + token + "\"}");
        var body = "{\"value\":\"" + token + "\"}";
        var lookups = 0;
        HttpClient? http = null;
        await using var server = row switch
        {
            "reset-mid-body" => SocketFaultServer.Start(SocketFault.ResetMidBody(body)),
            "reset-mid-body x2, then ok" => SocketFaultServer.Start(SocketFault.ResetMidBody(body), SocketFault.ResetMidBody(body), ok),
            "never-answers" or "never-answers, attempts run out first" => SocketFaultServer.Start(SocketFault.NeverAnswer()),
            "never-answers x1, then ok" => SocketFaultServer.Start(SocketFault.NeverAnswer(), ok),
            "trickle" => SocketFaultServer.Start(SocketFault.Trickle(body)),
            "trickle x1, then ok" => SocketFaultServer.Start(SocketFault.Trickle(body), ok),
            _ => SocketFaultServer.Start(SocketFault.TlsHandshakeFailure()),
        };
        var baseAddress = row switch
        {
            "refused" => SocketFaultServer.ClosedPortAddress(),
            "tls-handshake-failure" => server.HttpsBaseAddress,
            "dns-failure" => new Uri("https://pipelines.actions.githubusercontent.invalid/"),
            _ => server.BaseAddress,
        };
        if (row == "dns-failure")
        {
            http = new HttpClient(SocketFaultServer.CreateDnsFailureHandler(_ => Interlocked.Increment(ref lookups))) { Timeout = Timeout.InfiniteTimeSpan };
        }

        using var ownedHttp = http;
        using var client = _m.CreateClient(new Uri(baseAddress, "00000000-0000-0000-0000-000000000000//idtoken/plan/job?api-version=2.0"), deadlineMs, http, row == "never-answers, attempts run out first" ? 2 : 4);

        var (outcome, attempts, elapsed) = await FaultMatrix.RunAsync(client, () => server.RequestCount);

        _m.Report(row, outcome, attempts, elapsed, deadlineMs);
        Assert.Equal(expected, outcome);
        Assert.InRange(attempts, minAttempts, maxAttempts);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(deadlineMs) + FaultMatrix.Slack);
        switch (row)
        {
            case "refused":
                break;
            case "dns-failure":
                Assert.Equal(attempts, lookups);
                break;
            case "tls-handshake-failure":
                Assert.Equal(attempts, server.ConnectionCount);
                Assert.Equal(0, server.RequestCount);
                break;
            default:
                // An attempt the deadline cuts short may not have reached the server yet.
                Assert.InRange(server.RequestCount, outcome == "Timeout" ? attempts - 1 : attempts, attempts);
                break;
        }
    }
}

/// <summary>HTTP-level faults of the token endpoint, from the mock issuer's fault queue.</summary>
public sealed class TokenRequestHttpFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly FaultMatrix _m = new(output);

    private MockGitHubOidcIssuer Issuer => _m.Issuer;

    public void Dispose() => _m.Dispose();

    /// <summary>HTTP-level faults made by the mock issuer's own fault queue (the real GitHub error bodies).</summary>
    /// <param name="row">The fault and how many requests get it.</param>
    /// <param name="deadlineMs">The client's deadline (attempt timeout 1.5 s, at most 4 attempts, 50–200 ms backoff).</param>
    /// <param name="expected">"token", or the expected <see cref="OidcTokenErrorCode"/>.</param>
    /// <param name="attemptsExpected">The attempts (exact: HTTP answers are deterministic).</param>
    /// <param name="minMs">The least time it must take.</param>
    /// <param name="maxMs">The most time it may take (0: the deadline plus slack).</param>
    [Theory]
    [InlineData("500 storm", 3000, "ServiceUnavailable", 4, 0, 0)]
    [InlineData("502 storm", 3000, "ServiceUnavailable", 4, 0, 0)]
    [InlineData("503 storm", 3000, "ServiceUnavailable", 4, 0, 0)]
    [InlineData("504 storm", 3000, "ServiceUnavailable", 4, 0, 0)]
    [InlineData("503 x2, then ok", 3000, "token", 3, 0, 0)]
    [InlineData("429 with Retry-After 1 s x1, then ok", 5000, "token", 2, 900, 0)]
    [InlineData("429 with Retry-After beyond the deadline", 3000, "ServiceUnavailable", 1, 0, 500)]
    [InlineData("429 without Retry-After x2, then ok", 3000, "token", 3, 0, 1000)]
    [InlineData("429 without Retry-After storm", 3000, "ServiceUnavailable", 4, 0, 0)]
    [InlineData("Pending x2, then ok", 3000, "token", 3, 0, 0)]
    [InlineData("Pending storm", 3000, "ServiceUnavailable", 4, 0, 0)]
    [InlineData("Completed (not retried)", 3000, "JobNotRunning", 1, 0, 500)]
    public async Task Http_fault(string row, int deadlineMs, string expected, int attemptsExpected, int minMs, int maxMs)
    {
        switch (row)
        {
            case "503 x2, then ok": Issuer.FailNextRequests(2, MockHttpTargetFault.Status(503)); break;
            case "429 with Retry-After 1 s x1, then ok": Issuer.FailNextRequests(1, MockHttpTargetFault.Status(429, retryAfter: TimeSpan.FromSeconds(1))); break;
            case "429 with Retry-After beyond the deadline": Issuer.FailNextRequests(1, MockHttpTargetFault.Status(429, retryAfter: TimeSpan.FromSeconds(30))); break;
            case "429 without Retry-After x2, then ok": Issuer.FailNextRequests(2, MockHttpTargetFault.Status(429)); break;
            case "429 without Retry-After storm": Issuer.FailNextRequests(20, MockHttpTargetFault.Status(429)); break;
            case "Pending x2, then ok": Issuer.FailNextRequests(2, MockGitHubOidcIssuer.JobPending()); break;
            case "Pending storm": Issuer.FailNextRequests(20, MockGitHubOidcIssuer.JobPending()); break;
            case "Completed (not retried)": Issuer.FailNextRequests(20, MockGitHubOidcIssuer.JobCompleted()); break;
            default: Issuer.FailNextRequests(20, MockHttpTargetFault.Status(int.Parse(row[..3], System.Globalization.CultureInfo.InvariantCulture))); break;
        }

        // The mock issuer (WireMock) can take over half a second for one request on a loaded machine: a longer attempt timeout.
        using var client = _m.CreateClient(Issuer.RequestUrl, deadlineMs, null, 4, attemptTimeoutMs: 1500);

        var (outcome, attempts, elapsed) = await FaultMatrix.RunAsync(client, () => Issuer.TokenRequestCount);

        _m.Report(row, outcome, attempts, elapsed, deadlineMs);
        Assert.Equal(expected, outcome);
        Assert.Equal(attemptsExpected, attempts);
        Assert.Equal(attemptsExpected, Issuer.TokenRequestCount);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), maxMs > 0 ? TimeSpan.FromMilliseconds(maxMs) : TimeSpan.FromMilliseconds(deadlineMs) + FaultMatrix.Slack);
    }
}

/// <summary>Cancellation of the request client at each point of a request.</summary>
public sealed class TokenRequestCancellationTests(ITestOutputHelper output) : IDisposable
{
    private readonly FaultMatrix _m = new(output);

    private MockGitHubOidcIssuer Issuer => _m.Issuer;

    public void Dispose() => _m.Dispose();

    /// <summary>Cancellation wins wherever the request is: waiting for an answer, reading a trickling body, or between attempts.</summary>
    /// <param name="row">Where the request is when it is cancelled.</param>
    [Theory]
    [InlineData("waiting for headers (never-answers)")]
    [InlineData("reading a trickling body")]
    [InlineData("in backoff between attempts")]
    [InlineData("waiting out a Retry-After")]
    public async Task Cancellation_returns_promptly(string row)
    {
        var body = "{\"value\":\"" + Issuer.IssueToken(FaultMatrix.Audience) + "\"}";
        await using var server = SocketFaultServer.Start(row.Contains("trickling", StringComparison.Ordinal) ? SocketFault.Trickle(body) : SocketFault.NeverAnswer());
        var url = row.Contains("answers", StringComparison.Ordinal) || row.Contains("trickling", StringComparison.Ordinal)
            ? new Uri(server.BaseAddress, "x//idtoken/p/j?api-version=2.0")
            : Issuer.RequestUrl;
        if (row.Contains("backoff", StringComparison.Ordinal))
        {
            Issuer.FailNextRequests(20, MockHttpTargetFault.Status(503));
        }
        else if (row.Contains("Retry-After", StringComparison.Ordinal))
        {
            Issuer.FailNextRequests(20, MockHttpTargetFault.Status(429, retryAfter: TimeSpan.FromSeconds(20)));
        }

        using var client = new GitHubOidcClient(_m.Options(url, null, o =>
        {
            o.Deadline = TimeSpan.FromSeconds(60);
            o.AttemptTimeout = TimeSpan.FromSeconds(30);
            o.RetryDelay = TimeSpan.FromSeconds(10);
            o.MaxRetryDelay = TimeSpan.FromSeconds(10);
        }));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetTokenAsync(FaultMatrix.Audience, cts.Token));

        _m.Output.WriteLine($"cancel {row}: OperationCanceledException after {stopwatch.ElapsedMilliseconds} ms (cancelled at 400 ms)");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(400 + 1500));
    }
}

/// <summary>The mock issuer and the client settings shared by the request-client fault tests.</summary>
internal sealed class FaultMatrix(ITestOutputHelper output) : IDisposable
{
    public const string Audience = "sts.amazonaws.com";

    /// <summary>Slack on top of the deadline for scheduling on a loaded 2-core machine.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    public MockGitHubOidcIssuer Issuer { get; } = MockGitHubOidcIssuer.Start();

    public ITestOutputHelper Output => output;

    public void Dispose() => Issuer.Dispose();

    /// <summary>Runs one request; the attempts are the exception's count, or for a token what the server saw.</summary>
    public static async Task<(string Outcome, int Attempts, TimeSpan Elapsed)> RunAsync(GitHubOidcClient client, Func<int> served)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var token = await client.GetTokenAsync(Audience);
            var elapsed = stopwatch.Elapsed;
            Assert.Equal(Audience, token.Audience);
            return ("token", served(), elapsed);
        }
        catch (OidcTokenException ex)
        {
            var elapsed = stopwatch.Elapsed;
            Assert.Equal(4, ex.ExitCode);
            if (ex.ErrorCode is OidcTokenErrorCode.ServiceUnavailable or OidcTokenErrorCode.JobNotRunning)
            {
                Assert.NotNull(ex.StatusCode);
            }

            if (ex.ErrorCode == OidcTokenErrorCode.Timeout)
            {
                Assert.StartsWith("No token within the deadline of", ex.Message, StringComparison.Ordinal);
            }
            return (ex.ErrorCode.ToString(), ex.Attempts, elapsed);
        }
    }

    public void Report(string row, string outcome, int attempts, TimeSpan elapsed, int deadlineMs) =>
        output.WriteLine($"client | {row} | {outcome} | attempts {attempts} | {elapsed.TotalMilliseconds:0} ms | deadline {deadlineMs} ms");

    public GitHubOidcClient CreateClient(Uri requestUrl, int deadlineMs, HttpClient? http, int maxAttempts, int attemptTimeoutMs = 500) =>
        new(Options(requestUrl, http, o =>
        {
            o.Deadline = TimeSpan.FromMilliseconds(deadlineMs);
            o.AttemptTimeout = TimeSpan.FromMilliseconds(attemptTimeoutMs);
            o.MaxAttempts = maxAttempts;
            o.RetryDelay = TimeSpan.FromMilliseconds(50);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
        }));

    public GitHubOidcClientOptions Options(Uri requestUrl, HttpClient? http, Action<GitHubOidcClientOptions> configure)
    {
        var environment = new FakeEnvironment(Issuer.GetEnvironment())
        {
            ["ACTIONS_ID_TOKEN_REQUEST_URL"] = requestUrl.OriginalString,
        };
        var options = new GitHubOidcClientOptions
        {
            EnvironmentVariables = environment.Reader,
            MaskTokens = false,
            HttpClient = http,
            FileExists = static _ => false,
        };
        configure(options);
        return options;
    }
}
