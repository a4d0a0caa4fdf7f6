using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using OidcToken.Faults;
using OidcToken.Testing;
using Xunit.Abstractions;

namespace OidcToken.Cli.Faults;

/// <summary>
/// The fault matrix of <c>oidc-token token</c>, run in-process over real loopback sockets. Only <c>--timeout</c> is
/// configurable on the command line (attempt timeout = min(10 s, timeout), backoff from 1 s, at most 5 attempts), so rows
/// use timeouts of 1–3 s and assert the documented exit code, the error code and attempts on stderr, and the time taken.
/// A DNS failure has no row here: the command builds its own handler and a real lookup would leave loopback; the
/// library matrix covers it through the connect seam, and it is the same NetworkError path as a refused connection.
/// </summary>
public sealed partial class TokenCommandSocketFaultTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("refused", "3", 2, 3)]
    [InlineData("reset-mid-body", "3", 2, 3)]
    [InlineData("never-answers", "1.5", 1, 1)]
    [InlineData("trickle", "1.5", 1, 1)]
    [InlineData("tls-handshake-failure", "3", 2, 3)]
    public async Task Socket_fault_exits_4_with_Timeout_within_the_deadline(string row, string timeout, int minAttempts, int maxAttempts)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        var body = "{\"value\":\"" + issuer.IssueToken("aud") + "\"}";
        await using var server = SocketFaultServer.Start(SocketFault.ForRow(row, body));
        var baseAddress = server.AddressFor(row);
        var context = CliRun.Context(
            issuer.GetEnvironment(),
            ("GITHUB_ACTIONS", null),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", new Uri(baseAddress, "x//idtoken/p/j?api-version=2.0").AbsoluteUri));

        var stopwatch = Stopwatch.StartNew();
        var run = await CliRun.RunAsync(context, "token", "--audience", "aud", "--timeout", timeout);
        var elapsed = stopwatch.Elapsed;

        var (code, attempts) = Parse(run.Error);
        output.WriteLine($"cli | {row} | exit {run.ExitCode} {code} | attempts {attempts} | {elapsed.TotalMilliseconds:0} ms | --timeout {timeout}");
        Assert.Equal(4, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Equal("Timeout", code);
        Assert.InRange(attempts, minAttempts, maxAttempts);
        var deadline = TimeSpan.FromSeconds(double.Parse(timeout, CultureInfo.InvariantCulture));
        // Loose: the in-process run (parsing, the client's set-up) shares 2 cores with the rest of the suite.
        Assert.InRange(elapsed, deadline - TimeSpan.FromMilliseconds(100), deadline + TimeSpan.FromSeconds(2));
        if (row is "reset-mid-body" or "never-answers" or "trickle")
        {
            Assert.Equal(attempts, server.RequestCount);
        }
        else if (row == "tls-handshake-failure")
        {
            Assert.Equal(attempts, server.ConnectionCount);
        }
    }

    [Theory]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    public async Task Cancellation_exits_130_promptly(string row)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        var body = "{\"value\":\"" + issuer.IssueToken("aud") + "\"}";
        await using var server = SocketFaultServer.Start(row == "trickle" ? SocketFault.Trickle(body) : SocketFault.NeverAnswer());
        var context = CliRun.Context(
            issuer.GetEnvironment(),
            ("GITHUB_ACTIONS", null),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", new Uri(server.BaseAddress, "x//idtoken/p/j?api-version=2.0").AbsoluteUri));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var stopwatch = Stopwatch.StartNew();
        var exitCode = await OidcTokenCommand.RunAsync(["token", "--audience", "aud", "--timeout", "30"], stdout, stderr, cts.Token, context);

        output.WriteLine($"cli cancel | {row} | exit {exitCode} | {stopwatch.ElapsedMilliseconds} ms (cancelled at 400 ms)");
        Assert.Equal(ExitCodes.Cancelled, exitCode);
        Assert.Empty(stdout.ToString());
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(400 + 1500));
        Assert.InRange(server.RequestCount, 0, 1);
    }

    internal static (string Code, int Attempts) Parse(string error)
    {
        var code = ErrorCodePattern().Match(error);
        var attempts = AttemptsPattern().Match(error);
        Assert.True(code.Success, error);
        Assert.True(attempts.Success, error);
        return (code.Groups[1].Value, int.Parse(attempts.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^oidc-token: (\w+): ")]
    private static partial Regex ErrorCodePattern();

    [GeneratedRegex(@"; attempts: (\d+);")]
    private static partial Regex AttemptsPattern();
}

/// <summary>HTTP-level faults of the token endpoint (the mock issuer's real GitHub error bodies) through the command line.</summary>
public sealed class TokenCommandHttpFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    /// <param name="row">The fault and how many requests get it.</param>
    /// <param name="timeout">The <c>--timeout</c> value in seconds.</param>
    /// <param name="exitCode">The documented exit code.</param>
    /// <param name="code">The error code on stderr, or "" for a token.</param>
    /// <param name="minAttempts">Fewest requests expected at the issuer.</param>
    /// <param name="maxAttempts">Most requests expected at the issuer.</param>
    /// <param name="minMs">The least time it must take (a Retry-After honoured).</param>
    /// <param name="maxMs">The most it may take.</param>
    [Theory]
    [InlineData("500 storm", "1", 4, "Timeout", 1, 2, 900, 3000)]
    [InlineData("502 storm", "1", 4, "Timeout", 1, 2, 900, 3000)]
    [InlineData("503 storm", "1", 4, "Timeout", 1, 2, 900, 3000)]
    [InlineData("504 storm", "1", 4, "Timeout", 1, 2, 900, 3000)]
    [InlineData("503 x1, then ok", "5", 0, "", 2, 2, 400, 2500)]
    [InlineData("429 with Retry-After 1 s x1, then ok", "5", 0, "", 2, 2, 950, 2500)]
    [InlineData("429 with Retry-After beyond the deadline", "5", 4, "ServiceUnavailable", 1, 1, 0, 1000)]
    [InlineData("429 without Retry-After x1, then ok", "5", 0, "", 2, 2, 400, 2500)]
    [InlineData("Pending x1, then ok", "5", 0, "", 2, 2, 400, 2500)]
    [InlineData("Pending storm", "1", 4, "Timeout", 1, 2, 900, 3000)]
    [InlineData("Completed (not retried)", "5", 4, "JobNotRunning", 1, 1, 0, 1000)]
    public async Task Http_fault(string row, string timeout, int exitCode, string code, int minAttempts, int maxAttempts, int minMs, int maxMs)
    {
        switch (row)
        {
            case "503 x1, then ok": _issuer.FailNextRequests(1, MockHttpTargetFault.Status(503)); break;
            case "429 with Retry-After 1 s x1, then ok": _issuer.FailNextRequests(1, MockHttpTargetFault.Status(429, retryAfter: TimeSpan.FromSeconds(1))); break;
            case "429 with Retry-After beyond the deadline": _issuer.FailNextRequests(1, MockHttpTargetFault.Status(429, retryAfter: TimeSpan.FromSeconds(30))); break;
            case "429 without Retry-After x1, then ok": _issuer.FailNextRequests(1, MockHttpTargetFault.Status(429)); break;
            case "Pending x1, then ok": _issuer.FailNextRequests(1, MockGitHubOidcIssuer.JobPending()); break;
            case "Pending storm": _issuer.FailNextRequests(20, MockGitHubOidcIssuer.JobPending()); break;
            case "Completed (not retried)": _issuer.FailNextRequests(20, MockGitHubOidcIssuer.JobCompleted()); break;
            default: _issuer.FailNextRequests(20, MockHttpTargetFault.Status(int.Parse(row[..3], CultureInfo.InvariantCulture))); break;
        }

        var stopwatch = Stopwatch.StartNew();
        var run = await CliRun.RunAsync(CliRun.Context(_issuer.GetEnvironment(), ("GITHUB_ACTIONS", null)), "token", "--audience", "aud", "--timeout", timeout);
        var elapsed = stopwatch.Elapsed;

        output.WriteLine($"cli | {row} | exit {run.ExitCode} {(code.Length == 0 ? "token" : code)} | attempts {_issuer.TokenRequestCount} | {elapsed.TotalMilliseconds:0} ms | --timeout {timeout}");
        Assert.Equal(exitCode, run.ExitCode);
        Assert.InRange(_issuer.TokenRequestCount, minAttempts, maxAttempts);
        // maxMs is the row's own bound on a quiet machine (e.g. one jittered backoff of up to 1.5 s, well inside --timeout);
        // 2.5 s more for scheduling on a loaded 2-core machine (`.ci/run` beside a loaded suite run measured 3.65 s for a
        // 2.5 s row). The attempts stay exact, and the lower bound still proves the waits.
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs) + TimeSpan.FromSeconds(2.5));
        if (code.Length == 0)
        {
            Assert.Equal(3, run.Output.TrimEnd('\n').Split('.').Length);
            Assert.Empty(run.Error);
        }
        else
        {
            Assert.Empty(run.Output);
            var (reported, attempts) = TokenCommandSocketFaultTests.Parse(run.Error);
            Assert.Equal(code, reported);
            Assert.Equal(_issuer.TokenRequestCount, attempts);
        }
    }
}
