using OidcToken.Masking;
using Microsoft.Extensions.Time.Testing;
using OidcToken.Testing;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Requesting;

public sealed class CachingTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task GetTokenAsync_ThousandConcurrentCallers_CauseExactlyOneRequest()
    {
        _issuer.FailNextRequests(1, MockHttpTargetFault.Delay(TimeSpan.FromMilliseconds(300)));
        using var client = MockClientFactory.Create(_issuer);
        using var start = new ManualResetEventSlim();

        var callers = Enumerable.Range(0, 1000)
            .Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await client.GetTokenAsync("aud");
            }))
            .ToArray();
        start.Set();
        var tokens = await Task.WhenAll(callers);

        Assert.Equal(1, _issuer.TokenRequestCount);
        Assert.All(tokens, token => Assert.Same(tokens[0], token));
    }

    [Fact]
    public async Task GetTokenAsync_ConcurrentCallersForManyAudiences_OneRequestPerAudience()
    {
        using var client = MockClientFactory.Create(_issuer);

        var callers = Enumerable.Range(0, 400).Select(i => client.GetTokenAsync("aud-" + (i % 20))).ToArray();
        var tokens = await Task.WhenAll(callers);

        Assert.Equal(20, _issuer.TokenRequestCount);
        Assert.Equal(20, tokens.Select(t => t.Audience).Distinct().Count());
        Assert.Equal(20, _issuer.TokenRequests.Select(r => r.Audience).Distinct().Count());
    }

    [Fact]
    public async Task GetTokenAsync_SecondCall_IsServedFromTheCache()
    {
        using var client = MockClientFactory.Create(_issuer);

        var first = await client.GetTokenAsync("aud");
        var second = await client.GetTokenAsync("aud");

        Assert.Same(first, second);
        Assert.Equal(1, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_CachedTokenIsReplacedAtLifetimeMinusMargin_OnTheLocalClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var client = MockClientFactory.Create(_issuer, o => o.TimeProvider = time);

        var first = await client.GetTokenAsync("aud");
        time.Advance(TimeSpan.FromSeconds(239));
        var stillCached = await client.GetTokenAsync("aud");
        time.Advance(TimeSpan.FromSeconds(1));
        var refreshed = await client.GetTokenAsync("aud");

        Assert.Same(first, stillCached);
        Assert.NotSame(first, refreshed);
        Assert.Equal(2, _issuer.TokenRequestCount);
        Assert.Equal(time.GetUtcNow(), refreshed.ReceivedAt);
    }

    [Fact]
    public async Task GetTokenAsync_LargerMargin_RefreshesEarlier()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var client = MockClientFactory.Create(_issuer, o =>
        {
            o.TimeProvider = time;
            o.CacheMargin = TimeSpan.FromSeconds(200);
        });

        await client.GetTokenAsync("aud");
        time.Advance(TimeSpan.FromSeconds(100));
        await client.GetTokenAsync("aud");

        Assert.Equal(2, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_ForceRefresh_RequestsAndReplacesTheCachedToken()
    {
        using var client = MockClientFactory.Create(_issuer);

        var first = await client.GetTokenAsync("aud");
        var fresh = await client.GetTokenAsync("aud", IdTokenRequestOptions.Fresh);
        var after = await client.GetTokenAsync("aud");

        Assert.NotSame(first, fresh);
        Assert.Same(fresh, after);
        Assert.Equal(2, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_FailureIsNotCached()
    {
        _issuer.FailNextRequests(1, MockGitHubOidcIssuer.JobCompleted());
        using var client = MockClientFactory.Create(_issuer);

        await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));
        var token = await client.GetTokenAsync("aud");

        Assert.Equal("aud", token.Audience);
        Assert.Equal(2, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_ConcurrentCallersShareOneFailure_WithinTheAttemptBudget()
    {
        _issuer.FailNextRequests(100, MockHttpTargetFault.Status(503));
        using var client = MockClientFactory.Create(_issuer, o => o.MaxAttempts = 3);

        var callers = Enumerable.Range(0, 200).Select(_ => client.TryGetTokenAsync("aud")).ToArray();
        var results = await Task.WhenAll(callers);

        Assert.All(results, r => Assert.Equal(OidcTokenErrorCode.ServiceUnavailable, r.ErrorCode));
        Assert.InRange(_issuer.TokenRequestCount, 3, 3 * 2);
    }

    [Fact]
    public async Task GetTokenAsync_OneCallerCancels_OthersStillGetTheSharedToken()
    {
        _issuer.FailNextRequests(1, MockHttpTargetFault.Delay(TimeSpan.FromMilliseconds(500)));
        using var client = MockClientFactory.Create(_issuer);
        using var cancel = new CancellationTokenSource();

        var cancelled = client.GetTokenAsync("aud", cancel.Token);
        var patient = client.GetTokenAsync("aud");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal("aud", (await patient).Audience);
        Assert.Equal(1, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task RequestFreshAsync_TheDropInPath_RequestsEveryTime()
    {
        using var client = MockClientFactory.Create(_issuer);

        var first = await client.RequestFreshAsync("aud", CancellationToken.None);
        var second = await client.RequestFreshAsync("aud", CancellationToken.None);

        Assert.NotEqual(first.Reveal(), second.Reveal());
        Assert.Equal(2, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Masking_WritesOneAddMaskLinePerNewToken()
    {
        using var output = new StringWriter();
        using var client = MockClientFactory.Create(_issuer, o =>
        {
            o.MaskTokens = true;
            o.MaskOutput = output;
        });

        var token = await client.GetTokenAsync("aud");
        await client.GetTokenAsync("aud");
        var fresh = await client.GetTokenAsync("aud", IdTokenRequestOptions.Fresh);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(["::add-mask::" + token.Reveal(), "::add-mask::" + fresh.Reveal()], lines);
    }

    [Fact]
    public async Task Masking_IsOnByDefaultInsideGitHubActions()
    {
        // A real job: the process's own GITHUB_ACTIONS is true. Unchanged: every new token is masked.
        using var process = ProcessActions.Use(name => name == "GITHUB_ACTIONS" ? "true" : null);
        using var output = new StringWriter();
        var options = MockClientFactory.Options(_issuer, o => o.MaskOutput = output);
        options.MaskTokens = null;
        using var client = new GitHubOidcClient(options);

        var token = await client.GetTokenAsync("aud");

        Assert.Equal("::add-mask::" + token.Reveal(), output.ToString().Trim());
    }

    [Fact]
    public async Task Masking_IsOffByDefaultOutsideGitHubActions()
    {
        using var process = ProcessActions.Use(_ => null);
        using var output = new StringWriter();
        var environment = new FakeEnvironment(_issuer.GetEnvironment());
        environment["GITHUB_ACTIONS"] = null;
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = environment.Reader, MaskOutput = output });

        await client.GetTokenAsync("aud");

        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task Masking_InjectedVariablesSayActions_ProcessDoesNot_WritesNoMaskCommands()
    {
        // The README's in-process test on a developer's machine: the mock's variables say GITHUB_ACTIONS=true, the
        // process does not, and the output goes to a terminal or a test log, not a job's log.
        using var process = ProcessActions.Use(_ => null);
        using var output = new StringWriter();
        var options = MockClientFactory.Options(_issuer, o => o.MaskOutput = output);
        options.MaskTokens = null;
        Assert.Equal("true", options.EnvironmentVariables!("GITHUB_ACTIONS"));
        using var client = new GitHubOidcClient(options);

        await client.GetTokenAsync("aud");

        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task Masking_ProcessInActions_InjectedVariablesSayNot_StillMasks()
    {
        // Inside a real job the output goes to the job's log, whatever variables the client was handed.
        using var process = ProcessActions.Use(name => name == "GITHUB_ACTIONS" ? "true" : null);
        using var output = new StringWriter();
        var environment = new FakeEnvironment(_issuer.GetEnvironment());
        environment["GITHUB_ACTIONS"] = null;
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = environment.Reader, MaskOutput = output });

        var token = await client.GetTokenAsync("aud");

        Assert.Equal("::add-mask::" + token.Reveal(), output.ToString().Trim());
    }

    [Theory]
    [InlineData(true, null, "::add-mask::")]
    [InlineData(false, "true", "")]
    public async Task Masking_ExplicitOption_WinsOverTheProcess(bool maskTokens, string? processActions, string expectedPrefix)
    {
        using var process = ProcessActions.Use(name => name == "GITHUB_ACTIONS" ? processActions : null);
        using var output = new StringWriter();
        using var client = MockClientFactory.Create(_issuer, o =>
        {
            o.MaskTokens = maskTokens;
            o.MaskOutput = output;
        });

        await client.GetTokenAsync("aud");

        Assert.StartsWith(expectedPrefix, output.ToString(), StringComparison.Ordinal);
        Assert.Equal(maskTokens, output.ToString().Length > 0);
    }

    [Fact]
    public async Task Verifier_RunsOnEveryFreshToken_AndARefusalIsNotCached()
    {
        var verifier = new CountingVerifier { RefuseNext = true };
        using var client = MockClientFactory.Create(_issuer, o => o.Verifier = verifier);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));
        var token = await client.GetTokenAsync("aud");
        await client.GetTokenAsync("aud");

        Assert.Equal(OidcTokenErrorCode.TokenVerificationFailed, error.ErrorCode);
        Assert.Equal(6, error.ExitCode);
        Assert.Equal(2, verifier.Calls);
        Assert.Equal("aud", token.Audience);
    }

    private sealed class CountingVerifier : IdTokenVerifier
    {
        public int Calls;
        public bool RefuseNext;

        public override ValueTask VerifyAsync(IdToken token, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            if (RefuseNext)
            {
                RefuseNext = false;
                throw new OidcTokenException(OidcTokenErrorCode.TokenVerificationFailed, "audience was x, expected y");
            }

            return ValueTask.CompletedTask;
        }
    }
}

public sealed class CacheKeyTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _first = MockGitHubOidcIssuer.Start();
    private readonly MockGitHubOidcIssuer _second = MockGitHubOidcIssuer.Start();

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public async Task GetTokenAsync_RunnerVariablesChange_CachedTokensOfTheOldEndpointAreNotReused()
    {
        var environment = new FakeEnvironment(_first.GetEnvironment());
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = environment.Reader, MaskTokens = false });

        var fromFirst = await client.GetTokenAsync("aud");
        environment["ACTIONS_ID_TOKEN_REQUEST_URL"] = _second.RequestUrl.ToString();
        environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = _second.RequestToken;
        var fromSecond = await client.GetTokenAsync("other");
        var again = await client.GetTokenAsync("aud");

        Assert.Equal(_first.Issuer, fromFirst.UnverifiedClaims.Issuer);
        Assert.Equal(_second.Issuer, fromSecond.UnverifiedClaims.Issuer);
        Assert.Equal(_second.Issuer, again.UnverifiedClaims.Issuer);
        Assert.Equal(1, _first.TokenRequestCount);
        Assert.Equal(2, _second.TokenRequestCount);
    }
}
