using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using OidcToken.Faults;
using OidcToken.Testing;
using OidcToken.Validation.Tests.KeySources;
using Xunit.Abstractions;

namespace OidcToken.Validation.Tests.Faults;

/// <summary>
/// The validator's JWKS under network and HTTP faults, over real loopback sockets. Discovery and keys come from a
/// <see cref="MockGitHubOidcIssuer"/>; the validator's client routes each JWKS connection either there or, while a row's
/// fault is on, into the fault (a <see cref="SocketFaultServer"/>, a closed port, or a DNS failure). Every fault is
/// <see cref="GitHubOidcFailureKind.KeysUnavailable"/>, never <see cref="GitHubOidcFailureKind.Invalid"/>; one fetch is made
/// per RefreshInterval (1 s) at most; each answer comes within the client's 1 s timeout (plus slack).
/// </summary>
internal sealed class JwksFaultRig : IAsyncDisposable
{
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(1);

    private readonly SocketFaultServer _server;
    private readonly IPEndPoint _issuerEndPoint;
    private readonly IPEndPoint? _faultEndPoint;
    private readonly bool _dns;
    private int _jwksConnections;
    private volatile bool _faulting;

    private JwksFaultRig(MockGitHubOidcIssuer issuer, string jwks, string row, bool faultingAtStart, TimeProvider? clock)
    {
        Issuer = issuer;
        _server = SocketFaultServer.Start(row switch
        {
            "reset-mid-body" => SocketFault.ResetMidBody(jwks),
            "never-answers" => SocketFault.NeverAnswer(),
            "trickle" => SocketFault.Trickle(jwks),
            "429 with Retry-After" => SocketFault.Respond(429, "{\"message\":\"slow down\"}", retryAfterSeconds: 1),
            "429 without Retry-After" => SocketFault.Respond(429, "{\"message\":\"slow down\"}"),
            _ when row.EndsWith("storm", StringComparison.Ordinal) => SocketFault.Respond(int.Parse(row[..3], System.Globalization.CultureInfo.InvariantCulture), "<html>upstream error</html>", "text/html"),
            _ => SocketFault.NeverAnswer(),
        });
        _issuerEndPoint = new IPEndPoint(IPAddress.Loopback, Issuer.BaseAddress.Port);
        _dns = row == "dns-failure";
        _faultEndPoint = row == "refused"
            ? new IPEndPoint(IPAddress.Loopback, SocketFaultServer.ClosedPortAddress().Port)
            : new IPEndPoint(IPAddress.Loopback, _server.Port);
        _faulting = faultingAtStart;
        Http = new HttpClient(SocketFaultServer.CreateRoutingHandler(Route)) { Timeout = ClientTimeout };
        var options = MockIssuerKit.Options(Issuer);
        options.HttpClient = Http;
        options.TimeProvider = clock;
        Validator = new GitHubOidcTokenValidator(options);
    }

    public MockGitHubOidcIssuer Issuer { get; }

    public HttpClient Http { get; }

    public GitHubOidcTokenValidator Validator { get; }

    /// <summary>JWKS fetches attempted (connections for the JWKS path, whatever became of them).</summary>
    public int JwksAttempts => Volatile.Read(ref _jwksConnections);

    public bool Faulting
    {
        get => _faulting;
        set => _faulting = value;
    }

    public async ValueTask DisposeAsync()
    {
        Validator.Dispose();
        Http.Dispose();
        await _server.DisposeAsync();
        Issuer.Dispose();
    }

    /// <summary>Starts a mock issuer and the rig for <paramref name="row"/>; the fault is on from the start or only when <see cref="Faulting"/> is set.</summary>
    /// <param name="row">The fault.</param>
    /// <param name="faultingAtStart">Whether the fault is on from the start.</param>
    /// <param name="clock">
    /// The validator's clock (its RefreshInterval window and the tokens' times); null for the real one. The client's 1 s
    /// timeout and the sockets stay on real time either way.
    /// </param>
    public static async Task<JwksFaultRig> StartAsync(string row, bool faultingAtStart, TimeProvider? clock = null)
    {
        var issuer = MockGitHubOidcIssuer.Start();
        using var http = new HttpClient();

        // Both documents once, untimed: the mock's first answer on a route can take over the rig's 1 s client timeout on
        // a loaded machine, and the rows time only the fault, not the mock's warm-up.
        await http.GetStringAsync(new Uri(issuer.BaseAddress, ".well-known/openid-configuration"));
        var jwks = await http.GetStringAsync(new Uri(issuer.BaseAddress, ".well-known/jwks"));
        issuer.ResetRequestLog();
        return new JwksFaultRig(issuer, jwks, row, faultingAtStart, clock);
    }

    private IPEndPoint? Route(SocketsHttpConnectionContext context)
    {
        if (context.InitialRequestMessage.RequestUri?.AbsolutePath.EndsWith("/.well-known/jwks", StringComparison.Ordinal) != true)
        {
            return _issuerEndPoint;
        }

        Interlocked.Increment(ref _jwksConnections);
        if (!_faulting)
        {
            return _issuerEndPoint;
        }

        return _dns ? null : _faultEndPoint;
    }
}

public sealed class JwksDownAtStartTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("refused")]
    [InlineData("reset-mid-body")]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    [InlineData("dns-failure")]
    [InlineData("500 storm")]
    [InlineData("502 storm")]
    [InlineData("503 storm")]
    [InlineData("504 storm")]
    [InlineData("429 with Retry-After")]
    [InlineData("429 without Retry-After")]
    public async Task Jwks_fault_at_start_is_KeysUnavailable_within_the_client_timeout_and_not_refetched_at_once(string row)
    {
        await using var rig = await JwksFaultRig.StartAsync(row, faultingAtStart: true);
        var token = rig.Issuer.IssueToken(MockIssuerKit.Audience);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var stopwatch = Stopwatch.StartNew();
        var result = await rig.Validator.ValidateAsync(token, guard.Token);
        var elapsed = stopwatch.Elapsed;
        var again = await rig.Validator.ValidateAsync(token, guard.Token);

        // Asked again at once: no new fetch, unless the first one took a whole RefreshInterval (1 s) and the next opened.
        var allowed = 1 + (elapsed >= TimeSpan.FromMilliseconds(950) ? 1 : 0);

        output.WriteLine($"validator | JWKS {row} at start | {result.Failure} | JWKS fetches {rig.JwksAttempts} | {elapsed.TotalMilliseconds:0} ms | client timeout 1 s | {result.Message}");
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, result.Kind);
        Assert.Equal(GitHubOidcValidationFailure.KeysUnavailable, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, again.Kind);
        Assert.InRange(rig.JwksAttempts, 1, allowed);
        Assert.InRange(rig.Issuer.DiscoveryRequestCount, 1, allowed);
        Assert.InRange(elapsed, TimeSpan.Zero, JwksFaultRig.ClientTimeout + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Tls_handshake_failure_at_an_https_issuer_is_KeysUnavailable()
    {
        await using var server = SocketFaultServer.Start(SocketFault.TlsHandshakeFailure());
        using var issuer = MockGitHubOidcIssuer.Start();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = JwksFaultRig.ClientTimeout };
        using var validator = new GitHubOidcTokenValidator(new GitHubOidcValidationOptions
        {
            Issuer = server.HttpsBaseAddress.AbsoluteUri.TrimEnd('/'),
            Audiences = [MockIssuerKit.Audience],
            Policy = MockIssuerKit.Policy,
            HttpClient = http,
        });

        var token = issuer.IssueToken(MockIssuerKit.Audience, new Dictionary<string, string> { ["iss"] = server.HttpsBaseAddress.AbsoluteUri.TrimEnd('/') });
        var stopwatch = Stopwatch.StartNew();
        var result = await validator.ValidateAsync(token);

        output.WriteLine($"validator | TLS handshake failure (discovery over https) | {result.Failure} | connections {server.ConnectionCount} | {stopwatch.ElapsedMilliseconds} ms | {result.Message}");
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, result.Kind);
        Assert.Equal(1, server.ConnectionCount);
        Assert.Equal(0, server.RequestCount);
        Assert.Contains("could not be reached", result.Message, StringComparison.Ordinal);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    public async Task Cancellation_during_a_jwks_fetch_returns_promptly(string row)
    {
        await using var rig = await JwksFaultRig.StartAsync(row, faultingAtStart: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rig.Validator.ValidateAsync(rig.Issuer.IssueToken(MockIssuerKit.Audience), cts.Token));

        output.WriteLine($"validator cancel | JWKS {row} | OperationCanceledException after {stopwatch.ElapsedMilliseconds} ms (cancelled at 300 ms)");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(300 + 1500));
    }
}

/// <summary>The JWKS failing while GitHub rotates its key: rows split over two classes so they run in parallel.</summary>
public abstract class JwksDuringRotationTestsBase(ITestOutputHelper output)
{
    protected async Task RunAsync(string row)
    {
        // The RefreshInterval window is opened by moving the validator's clock, not by sleeping through it: the faults
        // themselves (and the client's 1 s timeout) still play out on real sockets in real time.
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var rig = await JwksFaultRig.StartAsync(row, faultingAtStart: false, clock);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var oldToken = rig.Issuer.IssueToken(MockIssuerKit.Audience);
        var first = await rig.Validator.ValidateAsync(oldToken, guard.Token);
        Assert.True(first.IsValid, first.ToString());
        Assert.Equal(1, rig.JwksAttempts);

        // GitHub rotates (the old key stays published); the JWKS breaks; the next RefreshInterval opens.
        rig.Issuer.RotateSigningKey(keepPreviousKeyPublished: true);
        var newToken = rig.Issuer.IssueToken(MockIssuerKit.Audience);
        rig.Faulting = true;
        clock.Advance(TimeSpan.FromMilliseconds(1100));

        var stopwatch = Stopwatch.StartNew();
        var during = await rig.Validator.ValidateAsync(newToken, guard.Token);
        var elapsed = stopwatch.Elapsed;
        var oldDuring = await rig.Validator.ValidateAsync(oldToken, guard.Token);
        var newAgain = await rig.Validator.ValidateAsync(newToken, guard.Token);
        var attemptsDuring = rig.JwksAttempts;

        // The JWKS is back: the new key is accepted within one RefreshInterval.
        rig.Faulting = false;
        clock.Advance(TimeSpan.FromMilliseconds(1100));
        var after = await rig.Validator.ValidateAsync(newToken, guard.Token);

        output.WriteLine($"validator | JWKS {row} during rotation | new kid: {during.Failure}, old kid: {(oldDuring.IsValid ? "valid" : oldDuring.Failure)}, after recovery: {(after.IsValid ? "valid" : after.Failure)} | JWKS fetches {rig.JwksAttempts} | {elapsed.TotalMilliseconds:0} ms | client timeout 1 s");
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, during.Kind);
        Assert.Equal(GitHubOidcFailureKind.KeysUnavailable, newAgain.Kind);
        Assert.InRange(elapsed, TimeSpan.Zero, JwksFaultRig.ClientTimeout + TimeSpan.FromSeconds(1));
        // The validator's clock stood still while the fault played out: no second window opened, so exactly one more fetch.
        Assert.Equal(2, attemptsDuring);
        Assert.True(after.IsValid, after.ToString());
        Assert.Equal(attemptsDuring + 1, rig.JwksAttempts);

        // Tokens signed by the key already known keep validating while the JWKS is down (last known good keys).
        Assert.True(oldDuring.IsValid, oldDuring.ToString());
    }
}

public sealed class JwksDuringRotationConnectionFaultTests(ITestOutputHelper output) : JwksDuringRotationTestsBase(output)
{
    [Theory]
    [InlineData("refused")]
    [InlineData("dns-failure")]
    public Task Jwks_fault_during_rotation_is_KeysUnavailable_for_the_new_key_and_recovers(string row) => RunAsync(row);
}

public sealed class JwksDuringRotationBrokenAnswerTests(ITestOutputHelper output) : JwksDuringRotationTestsBase(output)
{
    [Theory]
    [InlineData("reset-mid-body")]
    [InlineData("503 storm")]
    public Task Jwks_fault_during_rotation_is_KeysUnavailable_for_the_new_key_and_recovers(string row) => RunAsync(row);
}

public sealed class JwksDuringRotationSlowFaultTests(ITestOutputHelper output) : JwksDuringRotationTestsBase(output)
{
    [Theory]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    public Task Jwks_fault_during_rotation_is_KeysUnavailable_for_the_new_key_and_recovers(string row) => RunAsync(row);
}
