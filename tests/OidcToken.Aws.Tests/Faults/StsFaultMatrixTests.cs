using System.Diagnostics;
using OidcToken.Aws.Tests.Support;
using OidcToken.Faults;
using Xunit.Abstractions;

namespace OidcToken.Aws.Tests.Faults;

/// <summary>
/// The AWS STS exchange under network and HTTP faults over real loopback sockets: the documented code
/// (<see cref="OidcTokenErrorCode.ExchangeFailed"/> for anything temporary), the attempts made, and the time within the
/// configured deadline (1.5 s where the deadline ends it, since STS's own attempt timeout is 15 s and a silent endpoint
/// runs into the deadline; 3 s where the attempts run out first, as a TLS failure through the SDK takes up to half a
/// second per attempt on a loaded machine). A DNS
/// failure has no row: the STS client's handler is built inside OidcToken.Aws with no seam, and a real lookup would leave
/// loopback; it takes the same network-error path as a refused connection.
/// </summary>
public sealed class StsSocketFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly AwsHarness _aws = new();

    public void Dispose() => _aws.Dispose();

    [Theory]
    [InlineData("refused", 3000, 3, 3, 0)]
    [InlineData("reset-mid-body", 3000, 3, 3, 0)]
    [InlineData("never-answers", 1500, 1, 1, 1400)]
    [InlineData("trickle", 1500, 1, 1, 1400)]
    [InlineData("tls-handshake-failure", 3000, 3, 3, 0)]
    [InlineData("500 storm (HTML from a proxy)", 3000, 3, 3, 0)]
    [InlineData("502 storm (HTML from a proxy)", 3000, 3, 3, 0)]
    [InlineData("503 storm (HTML from a proxy)", 3000, 3, 3, 0)]
    [InlineData("504 storm (HTML from a proxy)", 3000, 3, 3, 0)]
    [InlineData("429 storm with Retry-After", 3000, 3, 3, 0)]
    [InlineData("429 storm without Retry-After", 3000, 3, 3, 0)]
    public async Task Socket_fault_is_ExchangeFailed_within_the_deadline(string row, int deadlineMs, int minAttempts, int maxAttempts, int minMs)
    {
        const string Xml = "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
        await using var server = SocketFaultServer.Start(SocketFault.ForRow(row, Xml));
        var endpoint = server.AddressFor(row);
        var options = _aws.Options(o =>
        {
            o.Endpoint = endpoint;
            o.Deadline = TimeSpan.FromMilliseconds(deadlineMs);
            o.MaxAttempts = 3;
        });

        // The process's first STS call pays the SDK's start-up (about a second on a loaded machine): not part of the row.
        await GitHubAwsCredentials.AssumeRoleAsync(_aws.Source, _aws.Options());

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(_aws.Source, options));
        var elapsed = stopwatch.Elapsed;

        output.WriteLine($"aws | {row} | {ex.ErrorCode} | attempts {ex.Attempts} | {elapsed.TotalMilliseconds:0} ms | deadline {deadlineMs} ms | {ex.Message.Split('\n')[0]} | server requests {server.RequestCount}");
        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(4, ex.ExitCode);
        Assert.InRange(ex.Attempts, minAttempts, maxAttempts);
        // Loose: real sockets and a GitHub token per attempt on a machine the whole suite shares.
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), options.Deadline + TimeSpan.FromSeconds(2));
        if (row == "tls-handshake-failure")
        {
            Assert.Equal(ex.Attempts, server.ConnectionCount);
        }
        else if (row != "refused")
        {
            // One request per attempt: neither the SDK's error retries nor its "stale connection" retries resend the token.
            Assert.Equal(ex.Attempts, server.RequestCount);
        }
    }

    [Theory]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    public async Task Cancellation_during_an_sts_call_returns_promptly(string row)
    {
        await using var server = SocketFaultServer.Start(row == "trickle" ? SocketFault.Trickle("<xml>" + new string(' ', 100) + "</xml>") : SocketFault.NeverAnswer());
        var options = _aws.Options(o => o.Endpoint = server.BaseAddress);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => GitHubAwsCredentials.AssumeRoleAsync(_aws.Source, options, cts.Token));

        output.WriteLine($"aws cancel | {row} | OperationCanceledException after {stopwatch.ElapsedMilliseconds} ms (cancelled at 400 ms)");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(400 + 1500));
    }
}

/// <summary>STS's own temporary errors from the mock (real ErrorResponse XML): retried with a fresh GitHub token, then success.</summary>
public sealed class StsHttpFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly AwsHarness _aws = new();

    public void Dispose() => _aws.Dispose();

    [Theory]
    [InlineData("ServiceUnavailable 503 x2, then ok", 3)]
    [InlineData("InternalFailure 500 x1, then ok", 2)]
    [InlineData("Throttling 400 x2, then ok", 3)]
    [InlineData("IDPCommunicationError 400 x1, then ok", 2)]
    public async Task Temporary_sts_error_then_credentials(string row, int attempts)
    {
        var parts = row.Split(' ');
        _aws.Sts.FailNextRequests(attempts - 1, Testing.MockAwsSts.Error(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
        // Recovery is the point here, not the deadline: a generous one, so a loaded machine's slow first attempt (JIT,
        // a busy core) cannot cut the retry that recovers (a loaded run saw the first attempt alone take 3.5 s).
        var options = _aws.Options(o =>
        {
            o.Deadline = TimeSpan.FromSeconds(15);
            o.MaxAttempts = 3;
        });

        var stopwatch = Stopwatch.StartNew();
        var credentials = await GitHubAwsCredentials.AssumeRoleAsync(_aws.Source, options);
        var elapsed = stopwatch.Elapsed;

        output.WriteLine($"aws | {row} | credentials | attempts {_aws.Sts.RequestCount} | {elapsed.TotalMilliseconds:0} ms | deadline 15000 ms");
        Assert.NotNull(credentials.AccessKeyId);
        Assert.Equal(attempts, _aws.Sts.RequestCount);
        Assert.All(_aws.Sts.Requests, r => Assert.True(r.HadWebIdentityToken));
        Assert.InRange(elapsed, TimeSpan.Zero, options.Deadline);
    }

    [Fact]
    public async Task A_storm_of_sts_throttling_runs_out_of_attempts_as_ExchangeFailed()
    {
        _aws.Sts.FailNextRequests(10, Testing.MockAwsSts.Error("Throttling", 400));
        var options = _aws.Options(o =>
        {
            o.Deadline = TimeSpan.FromSeconds(3);
            o.MaxAttempts = 3;
        });

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(_aws.Source, options));

        output.WriteLine($"aws | Throttling storm | {ex.ErrorCode} | attempts {ex.Attempts} | {stopwatch.ElapsedMilliseconds} ms | deadline 3000 ms");
        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(3, ex.Attempts);
        Assert.Equal(3, _aws.Sts.RequestCount);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
    }
}
