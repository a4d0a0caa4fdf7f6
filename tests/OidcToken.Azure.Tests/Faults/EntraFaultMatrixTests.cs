using System.Diagnostics;
using System.Globalization;
using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using OidcToken.Azure.Tests.Support;
using OidcToken.Faults;
using Xunit.Abstractions;

namespace OidcToken.Azure.Tests.Faults;

/// <summary>
/// <see cref="GitHubActionsCredential"/> (Azure.Identity's ClientAssertionCredential and MSAL underneath) under network
/// and HTTP faults over real loopback sockets. Azure.Identity insists on an https authority, so the credential keeps its
/// real authority (<c>https://login.microsoftonline.com/</c>) and its <c>Transport</c> is the seam: a
/// <see cref="SocketsHttpHandler"/> whose connections go to the loopback fault server, with the request rewritten to
/// plain http (or, for the TLS row, left https so the handshake really happens against a server that is no TLS server).
/// </summary>
/// <remarks>
/// The credential has no overall-deadline option (a fixed 60 s); what bounds it is the attempt policy: 3 attempts
/// (<c>Retry.MaxRetries = 2</c>) of at most <c>Retry.NetworkTimeout = 0.5 s</c> each, backoff 50–200 ms, and Entra's
/// <c>Retry-After</c> honoured. Each row's bound is what that policy allows (plus 1 s slack under load): 2 s, or 3 s for
/// the row that waits out two 1-second <c>Retry-After</c>s. Every failure is an <see cref="AuthenticationFailedException"/>
/// whose inner <see cref="OidcTokenException"/> is <see cref="OidcTokenErrorCode.ExchangeFailed"/> (exit 4), as the
/// class documents; nothing from the GitHub side may appear in it. A DNS failure has no row: it would take the same
/// network-error path as a refused connection (<c>RequestFailedException</c> with status 0).
/// </remarks>
public sealed class EntraSocketFaultTests(ITestOutputHelper output) : IDisposable
{
    internal const string Storage = "https://storage.azure.com/.default";

    /// <summary>A well-formed Entra success answer whose token is no registered secret (the server is not the mock).</summary>
    internal const string SuccessBody = "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"fault-matrix-access-token\"}";

    private readonly AzureHarness _azure = EntraSocketFaultTests.IsolatedHarness();

    public void Dispose() => _azure.Dispose();

    [Theory]
    [InlineData("refused", 2000, 3, 3, 0)]
    [InlineData("reset-mid-body", 2000, 3, 3, 0)]
    [InlineData("never-answers", 2000, 3, 3, 1400)]
    [InlineData("trickle", 2500, 3, 3, 1400)]
    [InlineData("tls-handshake-failure", 2000, 3, 3, 0)]
    [InlineData("500 storm (HTML from a proxy)", 2000, 3, 3, 0)]
    [InlineData("502 storm (HTML from a proxy)", 2000, 3, 3, 0)]
    [InlineData("503 storm (HTML from a proxy)", 2000, 3, 3, 0)]
    [InlineData("504 storm (HTML from a proxy)", 2000, 3, 3, 0)]
    [InlineData("429 storm with Retry-After 1 s", 3000, 3, 3, 1900)]
    [InlineData("429 storm without Retry-After", 2000, 3, 3, 0)]
    public async Task Fault_is_ExchangeFailed_within_the_attempt_policy(string row, int boundMs, int minAttempts, int maxAttempts, int minMs)
    {
        await using var server = SocketFaultServer.Start(SocketFault.ForRow(row, SuccessBody));
        using var http = RoutedClient(server.AddressFor(row));
        var credential = new GitHubActionsCredential(FaultOptions(_azure, http));
        await WarmUpAsync(_azure);

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<AuthenticationFailedException>(
            async () => await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None));
        var elapsed = stopwatch.Elapsed;

        var inner = Assert.IsType<OidcTokenException>(ex.InnerException);

        // Under load the server may accept the last connection only after the client gave up on it: let it catch up.
        await SocketFaultServer.CatchUpAsync(() => row == "refused" || (row == "tls-handshake-failure" ? server.ConnectionCount : server.RequestCount) >= inner.Attempts);
        output.WriteLine($"azure | {row} | {inner.ErrorCode} (exit {inner.ExitCode}) | attempts {inner.Attempts} | {elapsed.TotalMilliseconds:0} ms | bound {boundMs} ms | {ex.GetType().Name}: {ex.Message.Split('\n')[0]} | server connections {server.ConnectionCount}, requests {server.RequestCount}");
        Assert.IsNotType<CredentialUnavailableException>(ex);
        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, inner.ErrorCode);
        Assert.Equal(4, inner.ExitCode);
        Assert.Equal(ex.Message, inner.Message);
        Assert.InRange(inner.Attempts, minAttempts, maxAttempts);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"attempts: {inner.Attempts}"), ex.Message, StringComparison.Ordinal);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(boundMs + 1000));
        if (row == "tls-handshake-failure")
        {
            Assert.Equal(inner.Attempts, server.ConnectionCount);
        }
        else if (row == "429 storm without Retry-After")
        {
            // At most one request per attempt. MSAL may refuse to send a request after a 429 by itself (its throttling
            // cache, MsalThrottledServiceException): such an attempt reaches no socket. Not more requests, ever.
            Assert.InRange(server.RequestCount, inner.Attempts - 1, inner.Attempts);
        }
        else if (row != "refused")
        {
            // One request per attempt: neither MSAL nor the Azure.Core pipeline resends on its own.
            Assert.Equal(inner.Attempts, server.RequestCount);
        }

        // Each attempt asked GitHub for a fresh token (none is resent), and none of them appears in the failure.
        Assert.Equal(inner.Attempts, _azure.Issuer.TokenRequestCount - 1);
        SecretAssert.NotIn(ex, _azure);
    }

    [Theory]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    public async Task Cancellation_during_an_entra_call_returns_promptly(string row)
    {
        await using var server = SocketFaultServer.Start(row == "trickle" ? SocketFault.Trickle(SuccessBody) : SocketFault.NeverAnswer());
        using var http = RoutedClient(server.BaseAddress);
        var options = FaultOptions(_azure, http);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        var credential = new GitHubActionsCredential(options);
        await WarmUpAsync(_azure);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await credential.GetTokenAsync(new TokenRequestContext([Storage]), cts.Token));

        output.WriteLine($"azure cancel | {row} | {ex.GetType().Name} after {stopwatch.ElapsedMilliseconds} ms (cancelled at 400 ms) | server requests {server.RequestCount}");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(400 + 1500));
        Assert.Equal(1, server.RequestCount);
    }

    [Theory]
    [InlineData("never-answers")]
    [InlineData("trickle")]
    public async Task Cancellation_of_the_one_shot_call_returns_promptly(string row)
    {
        await using var server = SocketFaultServer.Start(row == "trickle" ? SocketFault.Trickle(SuccessBody) : SocketFault.NeverAnswer());
        using var http = RoutedClient(server.BaseAddress);
        var options = FaultOptions(_azure, http);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        await WarmUpAsync(_azure);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => GitHubActionsCredential.GetTokenAsync(_azure.Source, options, [Storage], cts.Token));

        output.WriteLine($"azure one-shot cancel | {row} | {ex.GetType().Name} after {stopwatch.ElapsedMilliseconds} ms (cancelled at 400 ms)");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(400 + 1500));
    }

    /// <summary>
    /// A harness whose app has a client id of its own. MSAL keeps its throttling state (a 429's <c>Retry-After</c>) per
    /// process, keyed by app, authority and scopes: rows answering 429 would otherwise throttle the other test classes'
    /// requests for the same app, which then fail without being sent.
    /// </summary>
    internal static AzureHarness IsolatedHarness() => new(new Testing.MockEntraIdOptions { ClientId = Guid.NewGuid().ToString("D") });

    /// <summary>
    /// Options for the fault rows: the harness's tenant, app and GitHub source, and a transport over real sockets; 3
    /// attempts of at most 0.5 s, backoff 50–200 ms.
    /// </summary>
    internal static GitHubActionsCredentialOptions FaultOptions(AzureHarness azure, HttpClient http) =>
        azure.Options(o =>
        {
            o.Transport = new HttpClientTransport(http);
            o.Retry.MaxRetries = 2;
            o.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(500);
            o.Retry.Delay = TimeSpan.FromMilliseconds(50);
            o.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        });

    /// <summary>
    /// An HTTP client whose every request really goes over a socket to <paramref name="target"/>: for an http target the
    /// request URI is rewritten to it (Azure.Identity only sends to its https authority); for an https target the URI is
    /// kept and only the connection is routed there, so TLS is negotiated with the target.
    /// </summary>
    internal static HttpClient RoutedClient(Uri target)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, target.Port);
        var sockets = SocketFaultServer.CreateRoutingHandler(_ => endpoint);
        sockets.ConnectTimeout = TimeSpan.FromSeconds(5);
        HttpMessageHandler handler = target.Scheme == Uri.UriSchemeHttp ? new RewriteHandler(target, sockets) : sockets;
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Pays the process's first-call costs (JIT of Azure.Identity, MSAL and the GitHub client) outside the timed part, so a
    /// cold start on a loaded machine is not mistaken for an overrun. One GitHub token is fetched for it.
    /// </summary>
    internal static async Task WarmUpAsync(AzureHarness azure)
    {
        var before = azure.Issuer.TokenRequestCount;
        var token = await azure.Credential().GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None);
        Assert.True(azure.Entra.IsValidAccessToken(token.Token, Storage));
        Assert.Equal(before + 1, azure.Issuer.TokenRequestCount);
    }

    /// <summary>Sends each request to the same path and query on <c>target</c> (plain http, loopback).</summary>
    private sealed class RewriteHandler(Uri target, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new Uri(target, request.RequestUri!.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>Temporary errors over real sockets (and Entra's own transient AADSTS codes from the mock), then a token.</summary>
public sealed class EntraRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private readonly AzureHarness _azure = EntraSocketFaultTests.IsolatedHarness();

    public void Dispose() => _azure.Dispose();

    [Theory]
    [InlineData("503 x2, then ok", 3, 0)]
    [InlineData("500 x1, then ok", 2, 0)]
    [InlineData("502 x1, then ok", 2, 0)]
    [InlineData("429 with Retry-After 1 s x1, then ok", 2, 900)]
    [InlineData("429 without Retry-After x2, then ok", 3, 0)]
    [InlineData("connection reset x2, then ok", 3, 0)]
    [InlineData("never-answers x1, then ok", 2, 400)]
    public async Task Temporary_error_then_token(string row, int attempts, int minMs)
    {
        await using var server = SocketFaultServer.Start(
            SocketFault.RecoveryScript(row, attempts - 1, EntraSocketFaultTests.SuccessBody, "{\"error\":\"temporarily_unavailable\"}"));
        using var http = EntraSocketFaultTests.RoutedClient(server.BaseAddress);
        var credential = new GitHubActionsCredential(EntraSocketFaultTests.FaultOptions(_azure, http));
        await EntraSocketFaultTests.WarmUpAsync(_azure);
        var githubBefore = _azure.Issuer.TokenRequestCount;

        var stopwatch = Stopwatch.StartNew();
        var token = await credential.GetTokenAsync(new TokenRequestContext([EntraSocketFaultTests.Storage]), CancellationToken.None);
        var elapsed = stopwatch.Elapsed;

        // Under load the server may read a connection's request only after the client's attempt timeout gave up on it:
        // each attempt is one connection (none is pooled), so count those, once the server has caught up.
        await SocketFaultServer.CatchUpAsync(() => server.ConnectionCount >= attempts);
        output.WriteLine($"azure | {row} | token | attempts {server.ConnectionCount} | {elapsed.TotalMilliseconds:0} ms | bound 8000 ms | GitHub tokens {_azure.Issuer.TokenRequestCount - githubBefore}, requests read {server.RequestCount}");
        Assert.Equal("fault-matrix-access-token", token.Token);
        Assert.Equal(attempts, server.ConnectionCount);
        Assert.Equal(attempts, _azure.Issuer.TokenRequestCount - githubBefore);
        // A loose upper bound (the backoff itself is well under a second): a loaded 2-core machine can stall an attempt.
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(minMs), TimeSpan.FromSeconds(8));
    }

    [Theory]
    [InlineData(90033, 400, 2)]
    [InlineData(90024, 400, 1)]
    [InlineData(50000, 503, 2)]
    public async Task Entra_transient_code_then_token(int aadsts, int status, int failures)
    {
        _azure.Entra.FailNextRequests(failures, Testing.MockEntraId.Error(aadsts, status));
        var credential = _azure.Credential(o => o.Retry.MaxRetries = 2);

        var stopwatch = Stopwatch.StartNew();
        var token = await credential.GetTokenAsync(new TokenRequestContext([EntraSocketFaultTests.Storage]), CancellationToken.None);
        var elapsed = stopwatch.Elapsed;

        output.WriteLine($"azure | AADSTS{aadsts} HTTP {status} x{failures}, then ok | token | attempts {_azure.Entra.RequestCount} | {elapsed.TotalMilliseconds:0} ms | bound 8000 ms");
        Assert.True(_azure.Entra.IsValidAccessToken(token.Token, EntraSocketFaultTests.Storage));
        Assert.Equal(failures + 1, _azure.Entra.RequestCount);
        Assert.Equal(failures + 1, _azure.Entra.Requests.Select(r => r.AssertionId).Distinct().Count());
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(8));
    }
}
