using System.Diagnostics;
using OidcToken.Cli.Exchanging;
using OidcToken.Faults;
using Xunit.Abstractions;

namespace OidcToken.Cli.Faults;

/// <summary>
/// The fault matrix of <c>oidc-token exchange</c> (crates.io: the command path every HTTP exchange shares), in process
/// over real loopback sockets. The command has no timeout option, so it runs with the library's defaults (3 attempts,
/// backoff from 1 s): rows whose attempts fail at once end after about 3 s with exit 4, <c>ExchangeFailed</c> and the
/// attempts on stderr, nothing on stdout and nothing recorded for <c>cleanup</c>; a silent or trickling target is
/// cancelled (Ctrl+C) instead, which exits 130 promptly.
/// </summary>
public sealed partial class ExchangeCommandFaultMatrixTests(ITestOutputHelper output) : IDisposable
{
    private const string CratesAnswer = "{\"token\":\"cio0123456789abcdefghijklmnopqrstuvwxyz\"}";

    private readonly ExchangeHarness _runner = new();

    public void Dispose() => _runner.Dispose();

    [Theory]
    [InlineData("refused")]
    [InlineData("reset-mid-body")]
    [InlineData("tls-handshake-failure")]
    [InlineData("503 storm")]
    [InlineData("429 storm without Retry-After")]
    public async Task Fault_exits_4_with_ExchangeFailed_after_every_attempt(string row)
    {
        await using var server = SocketFaultServer.Start(SocketFault.ForRow(row, CratesAnswer));

        var stopwatch = Stopwatch.StartNew();
        var run = await CliRun.RunAsync(_runner.Context(), "exchange", "crates", "--endpoint", server.AddressFor(row).AbsoluteUri);
        var elapsed = stopwatch.Elapsed;

        var (code, attempts) = TokenCommandSocketFaultTests.Parse(run.Error);
        output.WriteLine($"cli exchange crates | {row} | exit {run.ExitCode} {code} | attempts {attempts} | {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(ExitCodes.RequestFailed, run.ExitCode);
        Assert.Equal("ExchangeFailed", code);
        Assert.Equal(3, attempts);
        Assert.Empty(run.Output);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
        if (row == "tls-handshake-failure")
        {
            Assert.Equal(3, server.ConnectionCount);
        }
        else if (row != "refused")
        {
            Assert.Equal(3, server.RequestCount);
        }

        Assert.False(File.Exists(_runner.StateFile), "nothing was minted, so nothing is left for cleanup");

        // CliRun has had the leak guard read stdout and stderr for every registered secret (the GitHub tokens sent).
    }

    [Theory]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    public async Task Cancellation_exits_130_promptly(string row)
    {
        await using var server = SocketFaultServer.Start(SocketFault.ForRow(row, CratesAnswer));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var stopwatch = Stopwatch.StartNew();
        string[] args = ["exchange", "crates", "--endpoint", server.BaseAddress.AbsoluteUri];
        var exitCode = await OidcTokenCommand.RunAsync(args, stdout, stderr, cts.Token, _runner.Context());
        TestSupport.LeakGuard.CheckCliRun(args, stdout.ToString(), stderr.ToString());

        output.WriteLine($"cli exchange crates cancel | {row} | exit {exitCode} | {stopwatch.ElapsedMilliseconds} ms (cancelled at 400 ms)");
        Assert.Equal(ExitCodes.Cancelled, exitCode);
        Assert.Empty(stdout.ToString());
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(400 + 1500));
        Assert.InRange(server.RequestCount, 0, 1);
        Assert.False(File.Exists(_runner.StateFile));
    }
}
