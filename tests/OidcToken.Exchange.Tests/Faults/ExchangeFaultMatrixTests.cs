using System.Diagnostics;
using System.Globalization;
using OidcToken.Exchange.Tests.Support;
using OidcToken.Faults;
using OidcToken.Testing;
using Xunit.Abstractions;

namespace OidcToken.Exchange.Tests.Faults;

/// <summary>
/// One HTTP exchange of this package (Vault, NuGet, PyPI, npm, crates.io: all on the shared <c>ExchangeSession</c>) as the
/// fault matrix sees it: how to point it at an address, how to run it, what a good answer looks like, and a mock of the
/// real target for the recovery rows.
/// </summary>
/// <param name="Name">The row prefix in the output table.</param>
/// <param name="SuccessBody">A well-formed answer (the fault server truncates or trickles it).</param>
/// <param name="OptionsFor">Options pointing the exchange at a server root.</param>
/// <param name="Run">Runs the exchange and reveals the credential it got.</param>
/// <param name="StartMock">Starts the target's mock; <see cref="OptionsFor"/> is given its <see cref="MockHttpTarget.BaseAddress"/>.</param>
internal sealed record ExchangeTarget(
    string Name,
    string SuccessBody,
    Func<Uri, ExchangeOptions> OptionsFor,
    Func<IdTokenSource, ExchangeOptions, CancellationToken, Task<string>> Run,
    Func<MockHttpTarget> StartMock)
{
    private const string Gallery = "gallery.example.test";
    private const string VaultAudience = "vault.example.test";

    public static readonly ExchangeTarget Npm = new(
        "npm",
        "{\"token\":\"npm_0123456789abcdefghijklmnopqrstuvwxyz\"}",
        root => new NpmTrustedPublishingOptions { RegistryUrl = root, Package = "@octo/widget" },
        async (source, options, ct) => (await NpmTrustedPublishing.ExchangeAsync(source, (NpmTrustedPublishingOptions)options, ct)).RevealToken(),
        () => MockNpmRegistry.Start("@octo/widget"));

    public static readonly ExchangeTarget NuGet = new(
        "NuGet",
        "{\"tokenType\":\"ApiKey\",\"expires\":\"2099-01-01T00:00:00+00:00\",\"apiKey\":\"oy2abcdefghijklmnopqrstuvwxyz0123456789abcdefg\"}",
        root => new NuGetTrustedPublishingOptions { TokenServiceUrl = new Uri(root, "api/v2/token"), Audience = Gallery, User = "octo-publisher" },
        async (source, options, ct) => (await NuGetTrustedPublishing.ExchangeAsync(source, (NuGetTrustedPublishingOptions)options, ct)).RevealToken(),
        () => MockNuGetTokenService.Start(Gallery));

    // The audience is given, so each attempt is one request (the mint); discovery is covered by the PyPI tests.
    public static readonly ExchangeTarget PyPI = new(
        "PyPI",
        "{\"success\":true,\"token\":\"pypi-0123456789abcdefghijklmnopqrstuvwxyz\",\"expires\":4102444800}",
        root => new PyPITrustedPublishingOptions { RepositoryUrl = new Uri(root, "legacy/"), Audience = "pypi" },
        async (source, options, ct) => (await PyPITrustedPublishing.ExchangeAsync(source, (PyPITrustedPublishingOptions)options, ct)).RevealToken(),
        () => MockPyPI.Start("pypi"));

    public static readonly ExchangeTarget Crates = new(
        "crates.io",
        "{\"token\":\"cio0123456789abcdefghijklmnopqrstuvwxyz\"}",
        root => new CratesTrustedPublishingOptions { RegistryUrl = root },
        async (source, options, ct) => (await CratesTrustedPublishing.ExchangeAsync(source, (CratesTrustedPublishingOptions)options, ct)).RevealToken(),
        () => MockCratesRegistry.Start());

    public static readonly ExchangeTarget Vault = new(
        "Vault",
        "{\"auth\":{\"client_token\":\"hvs.0123456789abcdefghijklmnopqrstuvwxyz\",\"accessor\":\"abc\",\"policies\":[\"default\"],\"lease_duration\":3600,\"renewable\":true}}",
        root => new VaultJwtLoginOptions { Address = root, Role = "ci", Audience = VaultAudience },
        async (source, options, ct) => (await VaultJwtLogin.LoginAsync(source, (VaultJwtLoginOptions)options, ct)).RevealClientToken(),
        () => MockVault.Start(VaultAudience));

    public override string ToString() => Name;
}

/// <summary>
/// The fault matrix of an HTTP exchange over real loopback sockets: <see cref="OidcTokenErrorCode.ExchangeFailed"/>
/// (exit 4) for anything temporary, the attempts made and the time within the deadline (1.5 s where the deadline is what
/// ends the exchange, 3 s where the attempts run out first; attempts 0.5 s, backoff from 50 ms); temporary errors then a
/// good answer (success after N attempts, against the target's mock); cancellation while a request hangs or trickles.
/// Each target is its own class, so xunit runs the targets side by side (each row mostly waits on a socket).
/// A DNS failure has no row: the session builds its own handler with no seam, and a real lookup would leave loopback; it
/// takes the same network-error path as a refused connection.
/// </summary>
public abstract class ExchangeFaultMatrixTests : IDisposable
{
    private readonly ExchangeTarget _target;
    private readonly ITestOutputHelper _output;
    private readonly IssuerHarness _github = new();

    private protected ExchangeFaultMatrixTests(ExchangeTarget target, ITestOutputHelper output)
    {
        _target = target;
        _output = output;
    }

    public void Dispose()
    {
        _github.Dispose();
        GC.SuppressFinalize(this);
    }

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
    [InlineData("429 storm with Retry-After 1 s", 2500, 2, 3, 900)]
    [InlineData("429 storm without Retry-After", 3000, 3, 3, 0)]
    public async Task Fault_is_ExchangeFailed_within_the_deadline(string row, int deadlineMs, int minAttempts, int maxAttempts, int minMs)
    {
        await using var server = SocketFaultServer.Start(SocketFault.ForRow(row, _target.SuccessBody, "{\"message\":\"Too many requests\"}", "application/json"));
        var options = Fast(_target.OptionsFor(server.AddressFor(row)), TimeSpan.FromMilliseconds(deadlineMs), TimeSpan.FromMilliseconds(500));
        await WarmUpAsync();

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => _target.Run(_github.Source, options, CancellationToken.None));
        var elapsed = stopwatch.Elapsed;
        await SocketFaultServer.CatchUpAsync(() => row == "refused" || (row == "tls-handshake-failure" ? server.ConnectionCount : server.RequestCount) >= ex.Attempts);

        _output.WriteLine($"{_target.Name} | {row} | {ex.ErrorCode} | attempts {ex.Attempts} | {elapsed.TotalMilliseconds:0} ms | deadline {deadlineMs} ms | {ex.Message.Split('\n')[0]}");
        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(4, ex.ExitCode);
        Assert.InRange(ex.Attempts, 1, maxAttempts);
        if (ex.Attempts < minAttempts)
        {
            // Only the deadline may end a row before its attempts run out (a stalled machine can spend it on fewer attempts),
            // and then it was used up: less than the longest wait before the next attempt (a Retry-After second, or the
            // 50 ms backoff doubled and jittered) was left.
            var longestWait = TimeSpan.FromMilliseconds(row.Contains("with Retry-After", StringComparison.Ordinal) ? 1000 : 300);
            Assert.True(elapsed >= options.Deadline - longestWait, $"{ex.Attempts} attempts (expected at least {minAttempts}) after only {elapsed.TotalMilliseconds:0} ms of the {deadlineMs} ms deadline");
        }

        // Loose: real sockets and a GitHub token per attempt on a machine the whole suite shares.
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), options.Deadline + TimeSpan.FromSeconds(2));
        if (row.Contains("with Retry-After", StringComparison.Ordinal))
        {
            // Retry-After honoured: each retry waited its second (the first attempt's GitHub token can be slow under load,
            // so the deadline leaves room for 2 or 3 attempts).
            Assert.InRange(elapsed, TimeSpan.FromMilliseconds(900 * (ex.Attempts - 1)), TimeSpan.MaxValue);
        }

        if (row == "tls-handshake-failure")
        {
            Assert.Equal(ex.Attempts, server.ConnectionCount);

            // The cause itself, not .NET's pointer to an inner exception a CI log never shows.
            Assert.Contains("The SSL connection could not be established ← ", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("see inner exception", ex.Message, StringComparison.Ordinal);
        }
        else if (row != "refused")
        {
            // One request per attempt, but an attempt that the attempt timeout or the deadline cut short may not have sent
            // its request (it was still fetching its GitHub token on a loaded machine). Such attempts are known: the log says
            // "no answer within the attempt timeout", or the exception's last failure is "no answer within the deadline".
            var cut = _github.Logs.Lines.Count(line => line.Contains("failed (no answer within the attempt timeout", StringComparison.Ordinal))
                + (ex.Message.Contains("(last: no answer within the deadline", StringComparison.Ordinal) ? 1 : 0);
            // In the rows whose server never completes an answer every attempt is cut, and all but the last reached it.
            Assert.InRange(server.RequestCount, row is "never-answers" or "trickle" ? ex.Attempts - 1 : ex.Attempts - cut, ex.Attempts);
        }

        _github.AssertNoSecrets(ex);
        _github.AssertNoSecrets(_github.Logs.Text);
    }

    [Theory]
    [InlineData("503 x2, then ok", 3, 0)]
    [InlineData("500 x1, then ok", 2, 0)]
    [InlineData("429 with Retry-After 1 s x1, then ok", 2, 900)]
    [InlineData("429 without Retry-After x2, then ok", 3, 0)]
    [InlineData("connection reset x2, then ok", 3, 0)]
    public async Task Temporary_error_then_credential(string row, int attempts, int minMs)
    {
        using var mock = _target.StartMock();
        var fault = row switch
        {
            "429 with Retry-After 1 s x1, then ok" => MockHttpTargetFault.Status(429, "{\"message\":\"slow down\"}", TimeSpan.FromSeconds(1)),
            "429 without Retry-After x2, then ok" => MockHttpTargetFault.Status(429, "{\"message\":\"slow down\"}"),
            "connection reset x2, then ok" => MockHttpTargetFault.ConnectionReset(),
            _ => MockHttpTargetFault.Status(int.Parse(row[..3], CultureInfo.InvariantCulture)),
        };
        mock.FailNextRequests(attempts - 1, fault);

        // Generous attempts: the mock (WireMock) can take over half a second for a request on a loaded machine.
        var options = Fast(_target.OptionsFor(mock.BaseAddress), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2));
        await WarmUpAsync();

        var stopwatch = Stopwatch.StartNew();
        var credential = await _target.Run(_github.Source, options, CancellationToken.None);
        var elapsed = stopwatch.Elapsed;

        _output.WriteLine($"{_target.Name} | {row} | credential | attempts {mock.RequestCount} | {elapsed.TotalMilliseconds:0} ms | deadline 5000 ms");
        Assert.False(string.IsNullOrEmpty(credential));
        Assert.Equal(attempts, mock.RequestCount);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), TimeSpan.FromSeconds(5));
        _github.AssertNoSecrets(_github.Logs.Text, credential);
    }

    [Theory]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    public async Task Cancellation_during_the_exchange_returns_promptly(string row)
    {
        await using var server = SocketFaultServer.Start(row == "trickle" ? SocketFault.Trickle(_target.SuccessBody) : SocketFault.NeverAnswer());
        var options = Fast(_target.OptionsFor(server.BaseAddress), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        await WarmUpAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _target.Run(_github.Source, options, cts.Token));

        _output.WriteLine($"{_target.Name} cancel | {row} | OperationCanceledException after {stopwatch.ElapsedMilliseconds} ms (cancelled at 400 ms)");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(400 + 1500));
    }

    private ExchangeOptions Fast(ExchangeOptions options, TimeSpan deadline, TimeSpan attemptTimeout)
    {
        options.Deadline = deadline;
        options.AttemptTimeout = attemptTimeout;
        options.RetryDelay = TimeSpan.FromMilliseconds(50);
        options.MaxAttempts = 3;
        options.LoggerFactory = _github.Logs;
        return options;
    }

    /// <summary>
    /// Pays the process's first-call costs (JIT, the GitHub client's first request) outside the timed part, so a cold start
    /// on a loaded machine is not mistaken for the exchange overrunning its deadline.
    /// </summary>
    private async Task WarmUpAsync()
    {
        await using var server = SocketFaultServer.Start(SocketFault.Respond(200, _target.SuccessBody));
        await _target.Run(_github.Source, _target.OptionsFor(server.BaseAddress), CancellationToken.None);
    }
}

public sealed class NpmExchangeFaultMatrixTests(ITestOutputHelper output) : ExchangeFaultMatrixTests(ExchangeTarget.Npm, output);

public sealed class NuGetExchangeFaultMatrixTests(ITestOutputHelper output) : ExchangeFaultMatrixTests(ExchangeTarget.NuGet, output);

public sealed class PyPIExchangeFaultMatrixTests(ITestOutputHelper output) : ExchangeFaultMatrixTests(ExchangeTarget.PyPI, output);

public sealed class CratesExchangeFaultMatrixTests(ITestOutputHelper output) : ExchangeFaultMatrixTests(ExchangeTarget.Crates, output);

public sealed class VaultLoginFaultMatrixTests(ITestOutputHelper output) : ExchangeFaultMatrixTests(ExchangeTarget.Vault, output);
