using System.Diagnostics;
using System.Globalization;
using OidcToken.Exchange.Tests.Support;
using OidcToken.Faults;
using OidcToken.Testing;
using Xunit.Abstractions;

namespace OidcToken.Exchange.Tests.Faults;

/// <summary>
/// An HTTP registry exchange (npm trusted publishing, on the shared <c>ExchangeSession</c> every registry and Vault use)
/// under network and HTTP faults over real loopback sockets: <see cref="OidcTokenErrorCode.ExchangeFailed"/> (exit 4)
/// for anything temporary, the attempts made, and the time within the deadline (1.5 s where the deadline is what ends
/// the exchange, 3 s where the attempts run out first; attempts 0.5 s, backoff from 50 ms). A DNS failure has no row: the session builds its own handler with no seam, and a real lookup would leave
/// loopback; it takes the same network-error path as a refused connection.
/// </summary>
public sealed class NpmExchangeSocketFaultTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(1500);

    private readonly IssuerHarness _github = new();

    public void Dispose() => _github.Dispose();

    [Theory]
    [InlineData("refused", 3000, 3, 3, 0)]
    [InlineData("reset-mid-body", 3000, 3, 3, 0)]
    [InlineData("never-answers", 1500, 2, 3, 1000)]
    [InlineData("trickle", 1500, 2, 3, 1000)]
    [InlineData("tls-handshake-failure", 3000, 3, 3, 0)]
    [InlineData("500 storm", 3000, 3, 3, 0)]
    [InlineData("502 storm", 3000, 3, 3, 0)]
    [InlineData("503 storm", 3000, 3, 3, 0)]
    [InlineData("504 storm", 3000, 3, 3, 0)]
    [InlineData("429 storm with Retry-After 1 s", 1500, 2, 2, 900)]
    [InlineData("429 storm without Retry-After", 3000, 3, 3, 0)]
    public async Task Fault_is_ExchangeFailed_within_the_deadline(string row, int deadlineMs, int minAttempts, int maxAttempts, int minMs)
    {
        const string Body = "{\"token\":\"npm_0123456789abcdefghijklmnopqrstuvwxyz\"}";
        await using var server = SocketFaultServer.Start(row switch
        {
            "reset-mid-body" => SocketFault.ResetMidBody(Body),
            "trickle" => SocketFault.Trickle(Body),
            "tls-handshake-failure" => SocketFault.TlsHandshakeFailure(),
            "429 storm with Retry-After 1 s" => SocketFault.Respond(429, "{\"message\":\"Too many requests\"}", retryAfterSeconds: 1),
            "429 storm without Retry-After" => SocketFault.Respond(429, "{\"message\":\"Too many requests\"}"),
            _ when row.EndsWith("storm", StringComparison.Ordinal) => SocketFault.Respond(int.Parse(row[..3], CultureInfo.InvariantCulture), "<html>upstream error</html>", "text/html"),
            _ => SocketFault.NeverAnswer(),
        });
        var registry = row switch
        {
            "refused" => SocketFaultServer.ClosedPortAddress(),
            "tls-handshake-failure" => server.HttpsBaseAddress,
            _ => server.BaseAddress,
        };
        var options = Options(registry);
        options.Deadline = TimeSpan.FromMilliseconds(deadlineMs);
        await WarmUpAsync(_github);

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NpmTrustedPublishing.ExchangeAsync(_github.Source, options));
        var elapsed = stopwatch.Elapsed;

        output.WriteLine($"npm | {row} | {ex.ErrorCode} | attempts {ex.Attempts} | {elapsed.TotalMilliseconds:0} ms | deadline {deadlineMs} ms | {ex.Message.Split('\n')[0]}");
        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(4, ex.ExitCode);
        Assert.InRange(ex.Attempts, minAttempts, maxAttempts);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), options.Deadline + TimeSpan.FromSeconds(1));
        if (row == "tls-handshake-failure")
        {
            Assert.Equal(ex.Attempts, server.ConnectionCount);
        }
        else if (row != "refused")
        {
            Assert.Equal(ex.Attempts, server.RequestCount);
        }

        _github.AssertNoSecrets(ex);
    }

    [Theory]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    public async Task Cancellation_during_an_exchange_returns_promptly(string row)
    {
        await using var server = SocketFaultServer.Start(row == "trickle" ? SocketFault.Trickle("{\"token\":\"" + new string('x', 100) + "\"}") : SocketFault.NeverAnswer());
        var options = Options(server.BaseAddress);
        options.Deadline = TimeSpan.FromSeconds(30);
        options.AttemptTimeout = TimeSpan.FromSeconds(30);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NpmTrustedPublishing.ExchangeAsync(_github.Source, options, cts.Token));

        output.WriteLine($"npm cancel | {row} | OperationCanceledException after {stopwatch.ElapsedMilliseconds} ms (cancelled at 400 ms)");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(400 + 1500));
    }

    /// <summary>
    /// Pays the process's first-call costs (JIT, the GitHub client's first request) outside the timed part, so a cold start
    /// on a loaded machine is not mistaken for the exchange overrunning its deadline.
    /// </summary>
    internal static async Task WarmUpAsync(IssuerHarness github)
    {
        await using var server = SocketFaultServer.Start(SocketFault.Respond(200, "{\"token\":\"npm_warm_up_0000000000000000\"}"));
        await NpmTrustedPublishing.ExchangeAsync(github.Source, new NpmTrustedPublishingOptions { RegistryUrl = server.BaseAddress, Package = "warm-up" });
    }

    private static NpmTrustedPublishingOptions Options(Uri registry) => new()
    {
        RegistryUrl = registry,
        Package = "@octo/widget",
        Deadline = Deadline,
        AttemptTimeout = TimeSpan.FromMilliseconds(500),
        RetryDelay = TimeSpan.FromMilliseconds(50),
        MaxAttempts = 3,
    };
}

/// <summary>Temporary registry errors from the mock registry, then a token: success after N attempts.</summary>
public sealed class NpmExchangeRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private readonly IssuerHarness _github = new();
    private readonly MockNpmRegistry _registry = MockNpmRegistry.Start("@octo/widget");

    public void Dispose()
    {
        _registry.Dispose();
        _github.Dispose();
    }

    [Theory]
    [InlineData("503 x2, then ok", 3, 0)]
    [InlineData("500 x1, then ok", 2, 0)]
    [InlineData("429 with Retry-After 1 s x1, then ok", 2, 900)]
    [InlineData("429 without Retry-After x2, then ok", 3, 0)]
    [InlineData("connection reset x2, then ok", 3, 0)]
    public async Task Temporary_error_then_token(string row, int attempts, int minMs)
    {
        var fault = row switch
        {
            "429 with Retry-After 1 s x1, then ok" => MockHttpTargetFault.Status(429, "{\"message\":\"slow down\"}", TimeSpan.FromSeconds(1)),
            "429 without Retry-After x2, then ok" => MockHttpTargetFault.Status(429, "{\"message\":\"slow down\"}"),
            "connection reset x2, then ok" => MockHttpTargetFault.ConnectionReset(),
            _ => MockHttpTargetFault.Status(int.Parse(row[..3], CultureInfo.InvariantCulture)),
        };
        _registry.FailNextRequests(attempts - 1, fault);
        var options = new NpmTrustedPublishingOptions
        {
            RegistryUrl = _registry.RegistryUrl,
            Package = "@octo/widget",
            Deadline = TimeSpan.FromSeconds(5),

            // Generous: the mock registry (WireMock) can take over half a second for a request on a loaded machine.
            AttemptTimeout = TimeSpan.FromSeconds(2),
            RetryDelay = TimeSpan.FromMilliseconds(50),
            MaxAttempts = 3,
        };
        await NpmExchangeSocketFaultTests.WarmUpAsync(_github);

        var stopwatch = Stopwatch.StartNew();
        var token = await NpmTrustedPublishing.ExchangeAsync(_github.Source, options);
        var elapsed = stopwatch.Elapsed;

        output.WriteLine($"npm | {row} | token | attempts {_registry.RequestCount} | {elapsed.TotalMilliseconds:0} ms | deadline 5000 ms");
        Assert.Equal("@octo/widget", _registry.PackageOf(token.RevealToken()));
        Assert.Equal(attempts, _registry.RequestCount);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), TimeSpan.FromSeconds(5));
    }
}
