using System.Buffers.Text;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace OidcToken.Testing;

/// <summary>
/// A faithful test double of GitHub Actions' OIDC provider on 127.0.0.1: the runner's token endpoint
/// (bearer-protected, GitHub's audience rule and error bodies), the discovery document, and the JWKS.
/// Tokens are RS256 with GitHub's header and claim shapes, signed by keys generated for this instance,
/// which can be rotated; faults can be queued for the next token requests. Every member is thread-safe.
/// </summary>
/// <remarks>
/// The mock never logs or prints <see cref="RequestToken"/> or the tokens it issues, and keeps no log of
/// them: <see cref="TokenRequests"/> records only whether a valid bearer was sent.
/// </remarks>
public sealed class MockGitHubOidcIssuer : IDisposable
{
    private const string JwksPath = "/.well-known/jwks";
    private const string DiscoverySuffix = "/.well-known/openid-configuration";
    private const string GitHubServerUrl = "https://github.com";

    private readonly WireMockServer _server;
    private readonly SigningKeyRing _keys;
    private readonly TokenMinter _minter;
    private const string VssTypeName =
        "GitHub.Actions.Runtime.WebApi.CannotGenerateIdTokenException, GitHub.Actions.Runtime.WebApi, Version=14.0.0.0, Culture=neutral, PublicKeyToken=null";

    private readonly FaultQueue _faults = new();
    private readonly TimeProvider _timeProvider;
    private readonly Action<MockIssuerRequest>? _observer;
    private string? _discoveryIssuerOverride;
    private string? _discoveryJwksUriOverride;
    private string? _discoveryBodyOverride;
    private string? _jwksBodyOverride;
    private readonly RequestLogStore _log = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly string _requestUrl;
    private readonly string _baseUrl;
    private readonly Dictionary<string, string> _environment;
    private int _disposed;

    private MockGitHubOidcIssuer(MockGitHubOidcIssuerOptions options, WireMockServer server, SigningKeyRing keys)
    {
        _server = server;
        _keys = keys;
        _timeProvider = options.TimeProvider;
        _observer = options.RequestObserver;

        var port = server.Ports[0];
        _baseUrl = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        BaseAddress = new Uri(_baseUrl + "/");
        Issuer = options.IssuerKind switch
        {
            MockIssuerKind.EnterpriseSlug => _baseUrl + "/" + options.EnterpriseSlug,
            MockIssuerKind.EnterpriseServer => _baseUrl + "/_services/token",
            _ => _baseUrl,
        };
        var serverUrl = options.IssuerKind == MockIssuerKind.EnterpriseServer ? _baseUrl : GitHubServerUrl;
        DefaultAudience = serverUrl + "/" + options.Owner;

        // Shaped like the newest real URL: https://run-actions-2-azure-eastus.actions.githubusercontent.com/178//idtoken/<plan>/<job>?api-version=2.0
        var tokenPath = string.Create(
            CultureInfo.InvariantCulture,
            $"/{RandomNumberGenerator.GetInt32(100, 1000)}//idtoken/{Guid.NewGuid():D}/{Guid.NewGuid():D}");
        _requestUrl = _baseUrl + tokenPath + "?api-version=2.0";
        RequestUrl = new Uri(_requestUrl);
        RequestToken = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        SecretLedger.Register(RequestToken, "request token");

        var template = TokenMinter.BuildTemplate(options, Issuer);
        _minter = new TokenMinter(template, options.TimeProvider, options.TokenLifetime, options.NotBeforeBackdate, keys);
        _environment = BuildEnvironment(template, serverUrl);

        var tokenEndpoint = new TokenEndpoint(
            RequestToken, _minter, DefaultAudience, options.Owner, options.Repository, _faults, _log, options.TimeProvider, _disposing.Token)
        {
            Observer = options.RequestObserver,
        };
        _server
            .Given(Request.Create().UsingGet().WithPath(path => string.Equals(path, tokenPath, StringComparison.Ordinal)))
            .RespondWith(new DelegateResponseProvider((context, _) => tokenEndpoint.RespondAsync(context, tokenPath, BaseAddress)));

        // GitHub's JWKS sits at the root for github.com and enterprise-slug issuers; GHES serves it under its issuer.
        var jwksUri = options.IssuerKind == MockIssuerKind.EnterpriseServer ? Issuer + JwksPath : _baseUrl + JwksPath;
        var jwksPaths = new HashSet<string>(StringComparer.Ordinal) { JwksPath, new Uri(jwksUri).AbsolutePath };
        _server
            .Given(Request.Create().UsingGet().WithPath(path => jwksPaths.Contains(path)))
            .RespondWith(new DelegateResponseProvider((context, request) =>
            {
                _log.CountJwks();
                return SideAsync(context, request.Path, MockIssuerEndpoint.Jwks, () => TargetAnswer.Json(200, Volatile.Read(ref _jwksBodyOverride) ?? _keys.JwksJson));
            }));

        var discovery = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [new Uri(Issuer + DiscoverySuffix).AbsolutePath] = DiscoveryDocument.Build(Issuer, jwksUri),
        };
        var discoveryIssuers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [new Uri(Issuer + DiscoverySuffix).AbsolutePath] = Issuer,
        };
        if (options.IssuerKind == MockIssuerKind.EnterpriseSlug)
        {
            // github.com keeps serving the root issuer's document beside every enterprise's.
            discovery[DiscoverySuffix] = DiscoveryDocument.Build(_baseUrl, jwksUri);
            discoveryIssuers[DiscoverySuffix] = _baseUrl;
        }

        _server
            .Given(Request.Create().UsingGet().WithPath(path => discovery.ContainsKey(path)))
            .RespondWith(new DelegateResponseProvider((context, request) =>
            {
                _log.CountDiscovery();
                return SideAsync(context, request.Path, MockIssuerEndpoint.Discovery, () =>
                {
                    if (Volatile.Read(ref _discoveryBodyOverride) is { } body)
                    {
                        return TargetAnswer.Json(200, body);
                    }

                    var issuerOverride = Volatile.Read(ref _discoveryIssuerOverride);
                    var jwksOverride = Volatile.Read(ref _discoveryJwksUriOverride);
                    var document = issuerOverride is null && jwksOverride is null
                        ? discovery[request.Path]
                        : DiscoveryDocument.Build(issuerOverride ?? discoveryIssuers[request.Path], jwksOverride ?? jwksUri);
                    return TargetAnswer.Json(200, document);
                });
            }));
    }

    /// <summary>The root of the mock, <c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// The token endpoint, as the runner puts it in <c>ACTIONS_ID_TOKEN_REQUEST_URL</c>:
    /// <c>http://127.0.0.1:&lt;port&gt;/&lt;n&gt;//idtoken/&lt;planId&gt;/&lt;jobId&gt;?api-version=2.0</c>. It has an empty
    /// path segment and already a query, so clients append <c>&amp;audience=…</c>, as <c>@actions/core</c> does.
    /// </summary>
    public Uri RequestUrl { get; }

    /// <summary>
    /// The bearer secret the token endpoint requires (<c>ACTIONS_ID_TOKEN_REQUEST_TOKEN</c>): 32 random bytes,
    /// base64url, new for every instance.
    /// </summary>
    public string RequestToken { get; }

    /// <summary>The <c>iss</c> of every token, and where the discovery document is served (see <see cref="MockIssuerKind"/>).</summary>
    public string Issuer { get; }

    /// <summary>The audience used when a request names none: <c>https://github.com/&lt;owner&gt;</c> (for GHES, the server URL plus owner).</summary>
    public string DefaultAudience { get; }

    /// <summary>The <c>kid</c> of the key that signs new tokens.</summary>
    public string CurrentKeyId => _keys.CurrentKeyId;

    /// <summary>How many requests reached the token endpoint (including refused and faulted ones) since start or the last <see cref="ResetRequestLog"/>.</summary>
    public int TokenRequestCount => _log.TokenRequestCount;

    /// <summary>The token endpoint's requests, oldest first (a snapshot).</summary>
    public IReadOnlyList<MockTokenRequest> TokenRequests => _log.SnapshotTokenRequests();

    /// <summary>How many times a discovery document was fetched since start or the last <see cref="ResetRequestLog"/>.</summary>
    public int DiscoveryRequestCount => _log.DiscoveryRequestCount;

    /// <summary>How many times the JWKS was fetched since start or the last <see cref="ResetRequestLog"/>.</summary>
    public int JwksRequestCount => _log.JwksRequestCount;

    /// <summary>Starts a mock issuer on 127.0.0.1.</summary>
    /// <param name="options">The job to imitate and the port; <see langword="null"/> for the defaults.</param>
    /// <returns>The running issuer; dispose it to stop listening.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The port, lifetime or back-dating is out of range.</exception>
    [RequiresUnreferencedCode("WireMock.Net uses reflection that trimming can break.")]
    [RequiresDynamicCode("WireMock.Net needs run-time code generation.")]
    public static MockGitHubOidcIssuer Start(MockGitHubOidcIssuerOptions? options = null)
    {
        var settings = Snapshot(options ?? new MockGitHubOidcIssuerOptions());
        var keys = new SigningKeyRing(settings.TimeProvider);
        WireMockServer? server = null;
        try
        {
            server = WireMockServer.Start(new WireMockServerSettings
            {
                Urls = [string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{settings.Port}")],
                StartAdminInterface = false,
                Logger = new WireMockNullLogger(),
                MaxRequestLogCount = 0,
            });
            return new MockGitHubOidcIssuer(settings, server, keys);
        }
        catch
        {
            server?.Dispose();
            keys.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The variables a runner would set for a job with <c>permissions: id-token: write</c>, consistent with the
    /// claims: <c>ACTIONS_ID_TOKEN_REQUEST_URL</c>, <c>ACTIONS_ID_TOKEN_REQUEST_TOKEN</c>, <c>GITHUB_ACTIONS=true</c>,
    /// <c>GITHUB_SERVER_URL</c>, <c>GITHUB_REPOSITORY</c>, <c>GITHUB_REPOSITORY_OWNER</c>, <c>GITHUB_ACTOR</c>,
    /// <c>GITHUB_EVENT_NAME</c>, <c>GITHUB_REF</c>, <c>RUNNER_ENVIRONMENT</c> and more, plus <c>OIDC_ISSUER</c>
    /// (not a runner variable: the issuer a relying party should expect from this mock).
    /// </summary>
    /// <returns>A new copy of the variables.</returns>
    public IReadOnlyDictionary<string, string> GetEnvironment() =>
        new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(_environment, StringComparer.Ordinal));

    /// <summary>Mints a token directly, without HTTP, with the same claims the token endpoint would give.</summary>
    /// <param name="audience">The <c>aud</c>; <see langword="null"/> or empty for <see cref="DefaultAudience"/>. GitHub's audience rule is not applied.</param>
    /// <param name="claimOverrides">String claims to add or replace for this token only (not <c>aud</c>, <c>exp</c>, <c>iat</c>, <c>nbf</c>).</param>
    /// <returns>The compact JWT.</returns>
    /// <exception cref="ArgumentException"><paramref name="claimOverrides"/> sets a reserved claim, an empty name or a null value.</exception>
    /// <exception cref="ObjectDisposedException">The issuer was disposed.</exception>
    public string IssueToken(string? audience = null, IReadOnlyDictionary<string, string>? claimOverrides = null)
    {
        ThrowIfDisposed();
        if (claimOverrides is not null)
        {
            TokenMinter.ThrowIfReserved(claimOverrides, nameof(claimOverrides));
        }

        return _minter.Mint(string.IsNullOrEmpty(audience) ? DefaultAudience : audience, claimOverrides);
    }

    /// <summary>Generates a new signing key; tokens minted from now on are signed with it and carry its <c>kid</c>.</summary>
    /// <param name="keepPreviousKeyPublished">
    /// <see langword="true"/> (default) to keep every earlier key in the JWKS, as GitHub does during a rotation;
    /// <see langword="false"/> to publish only the new key, so tokens signed earlier no longer verify.
    /// </param>
    /// <exception cref="ObjectDisposedException">The issuer was disposed.</exception>
    public void RotateSigningKey(bool keepPreviousKeyPublished = true)
    {
        ThrowIfDisposed();
        _keys.Rotate(keepPreviousKeyPublished);
    }

    /// <summary>
    /// Makes the next <paramref name="count"/> requests to the token endpoint get <paramref name="fault"/>; later
    /// ones are served normally. Calls queue up in order: two calls for 2 and 1 requests fault the next three.
    /// A queued fault applies whatever the request's bearer token. A fault made with
    /// <see cref="MockHttpTargetFault.ForRequestsTo"/> for the JWKS (<c>/.well-known/jwks</c>) or a discovery document
    /// (<c>&lt;issuer&gt;/.well-known/openid-configuration</c>) waits for a request there instead (those requests still count in
    /// <see cref="JwksRequestCount"/> and <see cref="DiscoveryRequestCount"/>; a bodiless status there answers
    /// <c>{"message":"injected JWKS fault"}</c> or <c>{"message":"injected discovery fault"}</c>).
    /// </summary>
    /// <param name="count">How many requests get the fault; at least 1.</param>
    /// <param name="fault">The fault: a generic one such as <see cref="MockHttpTargetFault.Status"/>, or GitHub's own such as <see cref="JobPending"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="fault"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The issuer was disposed.</exception>
    public void FailNextRequests(int count, MockHttpTargetFault fault)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(fault);
        ThrowIfDisposed();
        _faults.Enqueue(count, fault);
    }

    /// <summary>
    /// Makes each later request to the token endpoint get <paramref name="fault"/> with probability
    /// <paramref name="probability"/>, independently, until called again (a probability of 0 stops it). Faults queued
    /// with <see cref="FailNextRequests(int, MockHttpTargetFault)"/> take precedence: a request that takes a queued fault
    /// is not also rolled for the random one. For load and chaos tests, e.g. a 30 % rate of 503:
    /// <c>FailTokenRequestsRandomly(0.3, MockHttpTargetFault.Status(503))</c>. Each request's fault, if any, is in
    /// <see cref="TokenRequests"/>.
    /// </summary>
    /// <param name="probability">The chance, 0 to 1, that a request gets the fault.</param>
    /// <param name="fault">The fault.</param>
    /// <param name="seed">The seed of the random sequence (the same seed and the same order of requests give the same faults).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is not between 0 and 1 (or is NaN).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="fault"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The issuer was disposed.</exception>
    public void FailTokenRequestsRandomly(double probability, MockHttpTargetFault fault, int seed = 0)
    {
        if (!(probability is >= 0.0 and <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The probability must be between 0 and 1.");
        }

        ArgumentNullException.ThrowIfNull(fault);
        ThrowIfDisposed();
        _faults.SetRandom(fault, probability, seed);
    }

    /// <summary>
    /// HTTP 403 with GitHub's VSS-style body: <c>Can't issue ID_TOKEN for job in 'Pending' state.</c>
    /// (transient: the job has not been marked started yet).
    /// </summary>
    /// <returns>The fault, for <see cref="FailNextRequests"/>.</returns>
    public static MockHttpTargetFault JobPending() => JobState("Pending");

    /// <summary>
    /// HTTP 403 with GitHub's VSS-style body: <c>Can't issue ID_TOKEN for job in 'Delayed' state.</c> (transient).
    /// </summary>
    /// <returns>The fault, for <see cref="FailNextRequests"/>.</returns>
    public static MockHttpTargetFault JobDelayed() => JobState("Delayed");

    /// <summary>
    /// HTTP 403 with GitHub's VSS-style body: <c>Can't issue ID_TOKEN for job in 'Completed' state.</c>
    /// (permanent: the job has ended). The body is byte-identical to the one GitHub was seen to send.
    /// </summary>
    /// <returns>The fault, for <see cref="FailNextRequests"/>.</returns>
    public static MockHttpTargetFault JobCompleted() => JobState("Completed");

    /// <summary>
    /// HTTP 400 with GitHub's token-service body
    /// <c>{"source":"actions-run-service","statusCode":400,"errorMessage":"Can't issue ID_TOKEN for audience '…'"}</c>
    /// naming the audience of the request (or the default audience when it asked for none).
    /// </summary>
    /// <returns>The fault, for <see cref="FailNextRequests"/>.</returns>
    public static MockHttpTargetFault AudienceRefused() =>
        MockHttpTargetFault.Error(
            nameof(AudienceRefused), 400, null, render: call => TargetAnswer.Json(400, TokenEndpoint.AudienceRefusedBody(call.Audience ?? string.Empty)));

    /// <summary>HTTP 200 <c>application/json</c> whose object has no <c>value</c> member.</summary>
    /// <returns>The fault, for <see cref="FailNextRequests"/>.</returns>
    public static MockHttpTargetFault JsonWithoutValue() =>
        MockHttpTargetFault.Error(nameof(JsonWithoutValue), 200, null, "{\"count\":1,\"message\":\"OK\"}");

    /// <summary>
    /// Makes discovery documents served from now on advertise <paramref name="issuer"/> and/or <paramref name="jwksUri"/>
    /// instead of the real values, to test validators against a lying or misconfigured provider. Null keeps the real
    /// value; calling with both null restores the real document.
    /// </summary>
    /// <param name="issuer">The <c>issuer</c> to advertise, or null for the real one.</param>
    /// <param name="jwksUri">The <c>jwks_uri</c> to advertise, or null for the real one.</param>
    /// <exception cref="ObjectDisposedException">The issuer was disposed.</exception>
    public void OverrideDiscovery(string? issuer = null, string? jwksUri = null)
    {
        ThrowIfDisposed();
        Volatile.Write(ref _discoveryIssuerOverride, issuer);
        Volatile.Write(ref _discoveryJwksUriOverride, jwksUri);
    }

    /// <summary>
    /// Makes every discovery document served from now on the exact text <paramref name="body"/> (HTTP 200,
    /// <c>application/json</c>, UTF-8), whatever it holds, to test validators against hostile or broken documents.
    /// Takes precedence over <see cref="OverrideDiscovery"/>; null restores the real document. Queued discovery faults still apply first.
    /// </summary>
    /// <param name="body">The text to serve, or null for the real document.</param>
    /// <exception cref="ObjectDisposedException">The issuer was disposed.</exception>
    public void OverrideDiscoveryBody(string? body)
    {
        ThrowIfDisposed();
        Volatile.Write(ref _discoveryBodyOverride, body);
    }

    /// <summary>
    /// Makes the JWKS served from now on the exact text <paramref name="body"/> (HTTP 200, <c>application/json</c>, UTF-8),
    /// whatever it holds, to test validators against hostile or broken key sets. Null restores the real key set (the
    /// signing keys are unchanged either way). Queued JWKS faults still apply first.
    /// </summary>
    /// <param name="body">The text to serve, or null for the real key set.</param>
    /// <exception cref="ObjectDisposedException">The issuer was disposed.</exception>
    public void OverrideJwksBody(string? body)
    {
        ThrowIfDisposed();
        Volatile.Write(ref _jwksBodyOverride, body);
    }

    /// <summary>Clears <see cref="TokenRequests"/> and zeroes the request counters. Queued faults stay queued.</summary>
    public void ResetRequestLog() => _log.Reset();

    /// <summary>Stops listening and releases the keys. Requests waiting on an injected delay end at once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _disposing.Cancel();
        _server.Stop();
        _server.Dispose();
        _keys.Dispose();
    }

    private static MockGitHubOidcIssuerOptions Snapshot(MockGitHubOidcIssuerOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Port, 0, "options.Port");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535, "options.Port");
        RequireSegment(options.Owner, nameof(options.Owner));
        RequireSegment(options.Repository, nameof(options.Repository));
        Require(options.OwnerId, nameof(options.OwnerId), allowEmpty: false);
        Require(options.RepositoryId, nameof(options.RepositoryId), allowEmpty: false);
        Require(options.Ref, nameof(options.Ref), allowEmpty: true);
        Require(options.EventName, nameof(options.EventName), allowEmpty: false);
        Require(options.Actor, nameof(options.Actor), allowEmpty: false);
        Require(options.RunnerEnvironment, nameof(options.RunnerEnvironment), allowEmpty: false);
        Require(options.Visibility, nameof(options.Visibility), allowEmpty: false);
        Require(options.Sha, nameof(options.Sha), allowEmpty: false);
        Require(options.WorkflowFile, nameof(options.WorkflowFile), allowEmpty: false);
        if (options.TokenLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options.TokenLifetime", options.TokenLifetime, "TokenLifetime must be positive.");
        }

        if (options.NotBeforeBackdate < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options.NotBeforeBackdate", options.NotBeforeBackdate, "NotBeforeBackdate must not be negative.");
        }

        if (!Enum.IsDefined(options.IssuerKind))
        {
            throw new ArgumentOutOfRangeException("options.IssuerKind", options.IssuerKind, "Unknown issuer kind.");
        }

        if (options.IssuerKind == MockIssuerKind.EnterpriseSlug
            && (string.IsNullOrEmpty(options.EnterpriseSlug) || !options.EnterpriseSlug.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            throw new ArgumentException(
                "IssuerKind EnterpriseSlug needs EnterpriseSlug set to letters, digits and '-' only.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.TimeProvider, "options.TimeProvider");
        TokenMinter.ThrowIfReserved(options.AdditionalClaims, nameof(options));

        var copy = new MockGitHubOidcIssuerOptions
        {
            Port = options.Port,
            Owner = options.Owner,
            Repository = options.Repository,
            OwnerId = options.OwnerId,
            RepositoryId = options.RepositoryId,
            Ref = options.Ref,
            RefType = options.RefType,
            Environment = options.Environment,
            EventName = options.EventName,
            Actor = options.Actor,
            RunnerEnvironment = options.RunnerEnvironment,
            Visibility = options.Visibility,
            Sha = options.Sha,
            WorkflowFile = options.WorkflowFile,
            TokenLifetime = options.TokenLifetime,
            NotBeforeBackdate = options.NotBeforeBackdate,
            IssuerKind = options.IssuerKind,
            EnterpriseSlug = options.EnterpriseSlug,
            TimeProvider = options.TimeProvider,
            RequestObserver = options.RequestObserver,
        };
        foreach (var (name, value) in options.AdditionalClaims)
        {
            copy.AdditionalClaims[name] = value;
        }

        return copy;
    }

    private static void Require(string? value, string name, bool allowEmpty)
    {
        if (value is null || (!allowEmpty && value.Length == 0))
        {
            throw new ArgumentException($"MockGitHubOidcIssuerOptions.{name} must be set.", "options");
        }
    }

    private static void RequireSegment(string? value, string name)
    {
        Require(value, name, allowEmpty: false);
        if (value!.Contains('/', StringComparison.Ordinal) || value.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"MockGitHubOidcIssuerOptions.{name} must not contain '/' or white space.", "options");
        }
    }

    internal static string VssErrorBody(string state) =>
        "{\"$id\":\"1\",\"innerException\":null,\"message\":\"Can't issue ID_TOKEN for job in '" + state + "' state.\","
        + "\"typeName\":\"" + VssTypeName + "\",\"typeKey\":\"CannotGenerateIdTokenException\",\"errorCode\":0,\"eventId\":3000}";

    private static MockHttpTargetFault JobState(string state) =>
        MockHttpTargetFault.Error("Job" + state + "()", 403, null, VssErrorBody(state));

    /// <summary>
    /// Answers a JWKS or discovery request: a queued fault scoped to its path (see <see cref="FailNextRequests"/>), else
    /// <paramref name="normal"/>. A bodiless status fault answers GitHub-style JSON naming <paramref name="kind"/>.
    /// </summary>
    private Task<WireMock.IResponseMessage> SideAsync(HttpContext context, string path, MockIssuerEndpoint kind, Func<TargetAnswer> normal)
    {
        var endpoint = kind == MockIssuerEndpoint.Jwks ? "JWKS" : "discovery";
        var fault = _faults.TakeNext(path, unscopedApplies: false);
        if (fault is null)
        {
            var served = normal();
            Observe(kind, context.Request.Method, path, served);
            return served.SendAsync(context, _disposing.Token);
        }

        var call = new TargetCall(context.Request.Method, path, context.Request.Headers, string.Empty, _timeProvider.GetUtcNow(), BaseAddress, null, _ => fault);
        var answer = TargetAnswer.FromFault(fault, call, fault.ReplacesAnswer || fault.Shape == MockHttpTargetFault.FaultShape.EmptyResponse ? null : normal());
        if (fault is { ReplacesAnswer: true, Body: null, Render: null, Location: null, Reset: false })
        {
            var plain = answer;
            answer = TargetAnswer.Json(fault.StatusCode, "{\"message\":\"injected " + endpoint + " fault\"}");
            answer.Headers.AddRange(plain.Headers);
        }

        Observe(kind, context.Request.Method, path, answer);
        return answer.SendAsync(context, _disposing.Token);
    }

    private void Observe(MockIssuerEndpoint kind, string method, string path, TargetAnswer answer) =>
        _observer?.Invoke(new MockIssuerRequest(kind, method, path, audience: null, answer.Reset ? 0 : answer.StatusCode));

    private static string RefName(string gitRef) =>
        gitRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? gitRef["refs/heads/".Length..]
        : gitRef.StartsWith("refs/tags/", StringComparison.Ordinal) ? gitRef["refs/tags/".Length..]
        : gitRef.StartsWith("refs/", StringComparison.Ordinal) ? gitRef["refs/".Length..]
        : gitRef;

    private Dictionary<string, string> BuildEnvironment(IReadOnlyDictionary<string, string> claims, string serverUrl) =>
        new(StringComparer.Ordinal)
        {
            ["ACTIONS_ID_TOKEN_REQUEST_URL"] = _requestUrl,
            ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = RequestToken,
            ["OIDC_ISSUER"] = Issuer,
            ["CI"] = "true",
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_SERVER_URL"] = serverUrl,
            ["GITHUB_REPOSITORY"] = claims["repository"],
            ["GITHUB_REPOSITORY_ID"] = claims["repository_id"],
            ["GITHUB_REPOSITORY_OWNER"] = claims["repository_owner"],
            ["GITHUB_REPOSITORY_OWNER_ID"] = claims["repository_owner_id"],
            ["GITHUB_ACTOR"] = claims["actor"],
            ["GITHUB_ACTOR_ID"] = claims["actor_id"],
            ["GITHUB_EVENT_NAME"] = claims["event_name"],
            ["GITHUB_REF"] = claims["ref"],
            ["GITHUB_REF_NAME"] = RefName(claims["ref"]),
            ["GITHUB_REF_TYPE"] = claims["ref_type"],
            ["GITHUB_REF_PROTECTED"] = claims["ref_protected"],
            ["GITHUB_SHA"] = claims["sha"],
            ["GITHUB_WORKFLOW"] = claims["workflow"],
            ["GITHUB_WORKFLOW_REF"] = claims["workflow_ref"],
            ["GITHUB_WORKFLOW_SHA"] = claims["workflow_sha"],
            ["GITHUB_RUN_ID"] = claims["run_id"],
            ["GITHUB_RUN_NUMBER"] = claims["run_number"],
            ["GITHUB_RUN_ATTEMPT"] = claims["run_attempt"],
            ["GITHUB_HEAD_REF"] = claims["head_ref"],
            ["GITHUB_BASE_REF"] = claims["base_ref"],
            ["RUNNER_ENVIRONMENT"] = claims["runner_environment"],
        };

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
