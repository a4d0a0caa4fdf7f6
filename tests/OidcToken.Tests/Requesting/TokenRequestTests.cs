using OidcToken.Requesting;
using System.Text.Json;
using OidcToken.Testing;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Requesting;

public sealed class TokenRequestTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task GetTokenAsync_Audience_ReturnsTheTokenWithItsClaims()
    {
        using var client = MockClientFactory.Create(_issuer);

        var token = await client.GetTokenAsync("api://AzureADTokenExchange");

        Assert.Equal("api://AzureADTokenExchange", token.Audience);
        Assert.Equal("repo:octo-org/octo-repo:ref:refs/heads/main", token.UnverifiedClaims.Subject);
        Assert.Equal(_issuer.Issuer, token.UnverifiedClaims.Issuer);
        Assert.Equal(TimeSpan.FromSeconds(300), token.ExpiresAt - token.IssuedAt);
        Assert.Equal(3, token.Reveal().Split('.').Length);
        Assert.DoesNotContain(token.Reveal(), token.ToString(), StringComparison.Ordinal);
        Assert.Contains("[redacted]", token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_SendsBearerAcceptAndUserAgent_AndKeepsTheRunnerQuery()
    {
        using var client = MockClientFactory.Create(_issuer);

        await client.GetTokenAsync("sts.amazonaws.com");

        var request = Assert.Single(_issuer.TokenRequests);
        Assert.True(request.HadValidBearer);
        Assert.Equal("application/json", request.Accept);
        Assert.StartsWith("OidcToken/", request.UserAgent, StringComparison.Ordinal);
        Assert.Equal("api-version=2.0&audience=sts.amazonaws.com", request.RawQuery.TrimStart('?'));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("x:y/z&w=1?q#f")]
    [InlineData("ünïcødé ✓")]
    [InlineData("https://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/providers/gh")]
    [InlineData("100%")]
    public async Task GetTokenAsync_AudienceWithSpecialCharacters_ArrivesIntact(string audience)
    {
        using var client = MockClientFactory.Create(_issuer);

        var token = await client.GetTokenAsync(audience);

        Assert.Equal(audience, Assert.Single(_issuer.TokenRequests).Audience);
        Assert.Equal(audience, token.Audience);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task GetTokenAsync_NoAudience_GetsGitHubsDefault(string? audience)
    {
        using var client = MockClientFactory.Create(_issuer);

        var token = await client.GetTokenAsync(audience);

        Assert.Equal(_issuer.DefaultAudience, token.Audience);
        Assert.Equal("api-version=2.0", Assert.Single(_issuer.TokenRequests).RawQuery.TrimStart('?'));
    }

    [Fact]
    public async Task GetTokenAsync_WhitespaceAudience_IsACallerBug()
    {
        using var client = MockClientFactory.Create(_issuer);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.GetTokenAsync("   "));

        Assert.Equal("audience", error.ParamName);
        Assert.Equal(0, _issuer.TokenRequestCount);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(408)]
    [InlineData(429)]
    public async Task GetTokenAsync_TransientStatus_IsRetried(int status)
    {
        _issuer.FailNextRequests(2, MockHttpTargetFault.Status(status));
        using var client = MockClientFactory.Create(_issuer);

        var token = await client.GetTokenAsync("aud");

        Assert.Equal("aud", token.Audience);
        Assert.Equal(3, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_JobPendingOrDelayed_IsRetried()
    {
        _issuer.FailNextRequests(1, MockGitHubOidcIssuer.JobPending());
        _issuer.FailNextRequests(1, MockGitHubOidcIssuer.JobDelayed());
        using var client = MockClientFactory.Create(_issuer);

        await client.GetTokenAsync("aud");

        Assert.Equal(3, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_RetriesExhausted_ReportsServiceUnavailableWithAttempts()
    {
        _issuer.FailNextRequests(10, MockHttpTargetFault.Status(503, """{"message":"try later"}"""));
        using var client = MockClientFactory.Create(_issuer, o => o.MaxAttempts = 3);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.ServiceUnavailable, error.ErrorCode);
        Assert.Equal(3, error.Attempts);
        Assert.Equal(3, _issuer.TokenRequestCount);
        Assert.Equal(503, error.StatusCode);
        Assert.StartsWith($"The token endpoint at 127.0.0.1 kept failing with a temporary error (last: HTTP 503). The server said: \"try later\".", error.Message, StringComparison.Ordinal);
        Assert.Contains("(audience: 'aud'; attempts: 3; elapsed: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.ExitCode);
        Assert.EndsWith("#serviceunavailable", error.HelpLink, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_AudienceRefused_IsNotRetriedAndExplainsGitHubsRule()
    {
        using var client = MockClientFactory.Create(_issuer);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("https://github.com/someone-else"));

        Assert.Equal(OidcTokenErrorCode.AudienceRefused, error.ErrorCode);
        Assert.Equal(1, _issuer.TokenRequestCount);
        Assert.Equal(400, error.StatusCode);
        Assert.StartsWith(
            "The token endpoint refused the audience 'https://github.com/someone-else' (HTTP 400). The server said: \"Can't issue ID_TOKEN for audience 'https://github.com/someone-else'\". GitHub refuses an audience that contains 'github.com'",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_Unauthorized_ReportsTheRequestTokenAsRejected()
    {
        _issuer.FailNextRequests(1, MockHttpTargetFault.Status(401));
        using var client = MockClientFactory.Create(_issuer);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.RequestTokenRejected, error.ErrorCode);
        Assert.Equal(1, _issuer.TokenRequestCount);
        Assert.StartsWith("The token endpoint refused the request token (HTTP 401).", error.Message, StringComparison.Ordinal);
        Assert.Contains("valid for about 6 hours from the start of the job", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_WrongRequestToken_IsRejectedByTheMock()
    {
        var environment = new FakeEnvironment(_issuer.GetEnvironment());
        environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "not-the-right-token";
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = environment.Reader, MaskTokens = false });

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.RequestTokenRejected, error.ErrorCode);
    }

    [Fact]
    public async Task GetTokenAsync_JobCompleted_IsNotRetried()
    {
        _issuer.FailNextRequests(1, MockGitHubOidcIssuer.JobCompleted());
        using var client = MockClientFactory.Create(_issuer);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.JobNotRunning, error.ErrorCode);
        Assert.Equal(1, _issuer.TokenRequestCount);
        Assert.StartsWith("The token endpoint will not issue a token because the job is no longer running (HTTP 403, job completed). The server said: \"Can't issue ID_TOKEN for job in 'Completed' state.\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403, OidcTokenErrorCode.RequestForbidden)]
    [InlineData(404, OidcTokenErrorCode.EndpointNotFound)]
    [InlineData(418, OidcTokenErrorCode.UnexpectedStatus)]
    public async Task GetTokenAsync_PermanentStatus_IsNotRetried(int status, OidcTokenErrorCode expected)
    {
        _issuer.FailNextRequests(1, MockHttpTargetFault.Status(status, "nope"));
        using var client = MockClientFactory.Create(_issuer);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(expected, error.ErrorCode);
        Assert.Equal(1, _issuer.TokenRequestCount);
        Assert.Contains("The server said: \"nope\".", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UnusableAnswers))]
    public async Task GetTokenAsync_UnusableAnswer_IsInvalidResponse(string name, string expectedDetail)
    {
        _issuer.FailNextRequests(1, name switch
        {
            "html" => MockHttpTargetFault.Html(),
            "no-value" => MockGitHubOidcIssuer.JsonWithoutValue(),
            "truncated" => MockHttpTargetFault.TruncatedBody(),
            "oversized" => MockHttpTargetFault.OversizedBody(70 * 1024),
            "not-a-jwt" => MockHttpTargetFault.Status(200, """{"value":"definitely-not-a-jwt"}"""),
            "lone-surrogate" => MockHttpTargetFault.Status(200, """{"value":"\ud800"}"""),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        });
        using var client = MockClientFactory.Create(_issuer);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.InvalidResponse, error.ErrorCode);
        Assert.Equal(1, _issuer.TokenRequestCount);
        Assert.StartsWith("The token endpoint at 127.0.0.1 answered HTTP 200 but " + expectedDetail, error.Message, StringComparison.Ordinal);
        Assert.Equal(5, error.ExitCode);
    }

    public static TheoryData<string, string> UnusableAnswers() => new()
    {
        { "html", "the body is an HTML or XML page, not JSON" },
        { "no-value", "the JSON has no 'value' field" },
        { "truncated", "the body is not valid JSON (malformed or cut short)" },
        { "oversized", "the body is larger than 64 KiB" },
        { "not-a-jwt", "the 'value' field is not a usable token: the value is not a JWT" },
        { "lone-surrogate", "the 'value' field is not valid text" },
    };

    [Theory]
    [InlineData("empty", "the body is empty")]
    [InlineData("malformed-chunk", "the body is not valid JSON")]
    public async Task GetTokenAsync_EmptyOrGarbledBody_IsInvalidResponse(string name, string expectedDetail)
    {
        // WireMock.Net's faults answer 200 with an empty or garbled body (connection-level faults come from a socket fault server).
        var fault = name == "empty" ? MockHttpTargetFault.EmptyResponse() : MockHttpTargetFault.MalformedChunk();
        _issuer.FailNextRequests(1, fault);
        using var client = MockClientFactory.Create(_issuer);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.InvalidResponse, error.ErrorCode);
        Assert.Contains(expectedDetail, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_ConnectionRefusedEveryTime_ReportsNetworkError()
    {
        var environment = new FakeEnvironment(_issuer.GetEnvironment());
        environment["ACTIONS_ID_TOKEN_REQUEST_URL"] = $"http://127.0.0.1:{DeadLoopbackPort()}/1//idtoken/a/b?api-version=2.0";
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = environment.Reader,
            MaskTokens = false,
            MaxAttempts = 2,
            RetryDelay = TimeSpan.Zero,
            MaxRetryDelay = TimeSpan.Zero,
        });

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.NetworkError, error.ErrorCode);
        Assert.Equal(2, error.Attempts);
        Assert.StartsWith("Could not get an answer from the token endpoint at 127.0.0.1: the endpoint could not be reached or its answer broke off: HttpRequestException (ConnectionError)", error.Message, StringComparison.Ordinal);
        Assert.Contains("SocketException (ConnectionRefused)", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task GetTokenAsync_NothingListeningOnLoopback_FixAsksWhetherTheMockIsStillRunning()
    {
        // The stale env file: a mock that has stopped left ACTIONS_ID_TOKEN_REQUEST_URL pointing at a dead loopback port.
        var environment = new FakeEnvironment(_issuer.GetEnvironment());
        var port = DeadLoopbackPort();
        environment["ACTIONS_ID_TOKEN_REQUEST_URL"] = $"http://127.0.0.1:{port}/1//idtoken/a/b?api-version=2.0";
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = environment.Reader,
            MaskTokens = false,
            MaxAttempts = 2,
            RetryDelay = TimeSpan.Zero,
            MaxRetryDelay = TimeSpan.Zero,
        });

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.NetworkError, error.ErrorCode);
        Assert.Contains($"\nFix: nothing is listening at 127.0.0.1:{port}. Is the mock issuer (oidc-token-mock", error.Message, StringComparison.Ordinal);
        Assert.Contains("env file", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTPS_PROXY", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("self-hosted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_NothingListeningOnLoopback_DeadlineFirst_StillSaysNothingIsListening()
    {
        var environment = new FakeEnvironment(_issuer.GetEnvironment());
        var port = DeadLoopbackPort();
        environment["ACTIONS_ID_TOKEN_REQUEST_URL"] = $"http://localhost:{port}/1//idtoken/a/b?api-version=2.0";
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = environment.Reader,
            MaskTokens = false,
            MaxAttempts = 20,
            RetryDelay = TimeSpan.FromMilliseconds(200),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            Deadline = TimeSpan.FromSeconds(1),
        });

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.Timeout, error.ErrorCode);
        Assert.Contains($"\nFix: nothing is listening at localhost:{port}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkError_NonLoopbackHost_KeepsTheProxyAdvice()
    {
        // Off loopback a refused connection is a network path problem (proxy, egress rules), never "is the mock running".
        var refused = new HttpRequestException(
            HttpRequestError.ConnectionError, "Connection refused", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
        var last = AttemptResult.Failure(OidcTokenErrorCode.NetworkError, true, "the endpoint could not be reached", exception: refused);

        var error = FailureMessages.Create(
            last, "aud", "pipelines.actions.githubusercontent.com", 5, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60), deadlinePassed: false,
            loopbackAuthority: new TokenEndpoint(new Uri("https://pipelines.actions.githubusercontent.com/x"), "t").LoopbackAuthority);

        Assert.Contains(
            "\nFix: check that this machine can reach pipelines.actions.githubusercontent.com (self-hosted runners: HTTPS_PROXY/NO_PROXY settings and egress rules).",
            error.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain("mock", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static int DeadLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task GetTokenAsync_RedirectIsRefusedAndNotFollowed()
    {
        using var elsewhere = MockGitHubOidcIssuer.Start();
        _issuer.FailNextRequests(1, MockHttpTargetFault.Redirect(elsewhere.RequestUrl, 302));
        using var client = MockClientFactory.Create(_issuer);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.RedirectRefused, error.ErrorCode);
        Assert.Equal(0, elsewhere.TokenRequestCount);
        Assert.Equal(1, _issuer.TokenRequestCount);
        Assert.Contains("redirects are never followed for requests that carry a token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_CallerHttpClientThatFollowsRedirects_IsStillRefused()
    {
        using var elsewhere = MockGitHubOidcIssuer.Start();
        _issuer.FailNextRequests(1, MockHttpTargetFault.Redirect(elsewhere.RequestUrl, 307));
        using var following = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true });
        using var client = MockClientFactory.Create(_issuer, o => o.HttpClient = following);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.RedirectRefused, error.ErrorCode);
        var leaked = Assert.Single(elsewhere.TokenRequests);
        Assert.False(leaked.HasAuthorizationHeader, "the platform handler must strip Authorization on redirects");
    }

    [Fact]
    public async Task GetTokenAsync_HttpToANonLoopbackHost_IsRefusedBeforeAnyRequest()
    {
        var environment = new FakeEnvironment(_issuer.GetEnvironment());
        environment["ACTIONS_ID_TOKEN_REQUEST_URL"] = "http://token.example.test/1//idtoken/a/b?api-version=2.0";
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = environment.Reader, MaskTokens = false });

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.RequestUrlInvalid, error.ErrorCode);
        Assert.Equal(0, error.Attempts);
    }

    [Fact]
    public async Task GetTokenAsync_RetryAfterBeyondTheDeadline_StopsAtOnce()
    {
        _issuer.FailNextRequests(1, MockHttpTargetFault.Status(429, retryAfter: TimeSpan.FromSeconds(120)));
        using var client = MockClientFactory.Create(_issuer, o => o.Deadline = TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.ServiceUnavailable, error.ErrorCode);
        Assert.Equal(1, error.Attempts);
        Assert.Equal(429, error.StatusCode);
    }

    [Fact]
    public async Task GetTokenAsync_RetryAfter_IsHonoured()
    {
        _issuer.FailNextRequests(1, MockHttpTargetFault.Status(503, retryAfter: TimeSpan.FromSeconds(1)));
        using var client = MockClientFactory.Create(_issuer);

        await client.GetTokenAsync("aud");

        var requests = _issuer.TokenRequests;
        Assert.Equal(2, requests.Count);
        // Real sockets, real time, loose bound: the second attempt waited for the server's Retry-After.
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task GetTokenAsync_SlowAttempts_TimeOutPerAttemptAndAreRetried()
    {
        _issuer.FailNextRequests(5, MockHttpTargetFault.Delay(TimeSpan.FromSeconds(10)));
        using var client = MockClientFactory.Create(_issuer, o =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(200);
            o.MaxAttempts = 2;
        });

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.NetworkError, error.ErrorCode);
        Assert.Equal(2, error.Attempts);
        Assert.Contains("no answer within the attempt timeout of 0.2 s", error.Message, StringComparison.Ordinal);
        Assert.True(error.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task GetTokenAsync_DeadlinePassed_ReportsTimeout()
    {
        _issuer.FailNextRequests(5, MockHttpTargetFault.Delay(TimeSpan.FromSeconds(10)));
        using var client = MockClientFactory.Create(_issuer, o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(5);
            o.Deadline = TimeSpan.FromMilliseconds(300);
        });

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.Timeout, error.ErrorCode);
        Assert.StartsWith("No token within the deadline of 0.3 s", error.Message, StringComparison.Ordinal);
        Assert.True(error.Elapsed < TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task GetTokenAsync_Cancelled_PassesOperationCanceledThroughPromptly()
    {
        _issuer.FailNextRequests(5, MockHttpTargetFault.Delay(TimeSpan.FromSeconds(10)));
        using var client = MockClientFactory.Create(_issuer);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = TimeProvider.System.GetTimestamp();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetTokenAsync("aud", cancel.Token));

        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task GetTokenAsync_AlreadyCancelled_DoesNotRequest()
    {
        using var client = MockClientFactory.Create(_issuer);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetTokenAsync("aud", new CancellationToken(canceled: true)));

        Assert.Equal(0, _issuer.TokenRequestCount);
    }

    [Fact]
    public async Task TryGetTokenAsync_Failure_ReturnsTheDiagnosis()
    {
        _issuer.FailNextRequests(1, MockGitHubOidcIssuer.JobCompleted());
        using var client = MockClientFactory.Create(_issuer);

        var result = await client.TryGetTokenAsync("aud");

        Assert.False(result.Succeeded);
        Assert.Equal(OidcTokenErrorCode.JobNotRunning, result.ErrorCode);
        Assert.Null(result.Token);
    }

    [Fact]
    public async Task TryGetTokenAsync_Success_ReturnsTheToken()
    {
        using var client = MockClientFactory.Create(_issuer);

        var result = await client.TryGetTokenAsync("aud");

        Assert.True(result.Succeeded);
        Assert.Equal("aud", result.Token.Audience);
        Assert.Null(result.ErrorCode);
    }

    [Fact]
    public async Task IdToken_SerializedByAReflectionSerializer_ShowsNoToken()
    {
        using var client = MockClientFactory.Create(_issuer);
        var token = await client.GetTokenAsync("aud");

        var json = JsonSerializer.Serialize(token);

        Assert.DoesNotContain(token.Reveal(), json, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Reveal().Split('.')[2], json, StringComparison.Ordinal);
        Assert.Contains("\"Audience\":\"aud\"", json, StringComparison.Ordinal);
    }
}
