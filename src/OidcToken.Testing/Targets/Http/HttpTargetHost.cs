using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WireMock;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.ResponseBuilders;

namespace OidcToken.Testing;

/// <summary>A request as a mock target's handler sees it; the handler records the presented token's claims on it.</summary>
internal sealed class TargetCall(
    string method, string path, IHeaderDictionary headers, string body, DateTimeOffset now, Uri baseAddress, Uri? requestUri, Func<TargetCall, MockHttpTargetFault?> takeFault)
{
    private bool _faultTaken;

    public string Method { get; } = method;

    /// <summary>The raw path, escapes kept, no query.</summary>
    public string Path { get; } = path;

    public IHeaderDictionary Headers { get; } = headers;

    public string Body { get; } = body;

    public DateTimeOffset Now { get; } = now;

    /// <summary>The host's <see cref="HttpTargetHost.BaseAddress"/>.</summary>
    public Uri BaseAddress { get; } = baseAddress;

    /// <summary>The full request URI when the request came in process (it may name another host); null over the network.</summary>
    public Uri? RequestUri { get; } = requestUri;

    /// <summary>The fault this request took, once <see cref="TakeFault"/> ran.</summary>
    public MockHttpTargetFault? Fault { get; private set; }

    /// <summary>Builds the target's own log entry from the common facts; null logs the common entry.</summary>
    public Func<MockHttpTargetRequest, MockHttpTargetRequest>? Entry { get; set; }

    /// <summary>Whether the request stays out of the request log (a target's side endpoint, such as Entra's instance discovery).</summary>
    public bool Unlogged { get; set; }

    public string? Audience { get; set; }

    public string? TokenId { get; set; }

    /// <summary>
    /// Takes the next queued fault that applies to this request (at most once per request); the handler calls it where
    /// the real service would first fail, then returns null to answer with the fault.
    /// </summary>
    public MockHttpTargetFault? TakeFault()
    {
        if (!_faultTaken)
        {
            _faultTaken = true;
            Fault = takeFault(this);
        }

        return Fault;
    }

    public string? Header(string name) => Headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    /// <summary>The value after <c>Bearer </c> in the single Authorization header, or null.</summary>
    public string? Bearer()
    {
        if (!Headers.TryGetValue("Authorization", out var values) || values.Count != 1 || values[0] is not { } value)
        {
            return null;
        }

        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value["Bearer ".Length..].Trim() : null;
    }

    /// <summary>The body as a JSON object, or null.</summary>
    public JsonElement? JsonObject()
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Decodes a GitHub ID token (no signature check) and records its <c>aud</c> and <c>jti</c> on this call.</summary>
    public PresentedToken? ReadToken(string? jwt)
    {
        var token = PresentedToken.TryRead(jwt);
        if (token is not null)
        {
            Audience = token.Audience;
            TokenId = token.TokenId;
        }

        return token;
    }
}

/// <summary>The claims of a presented GitHub ID token that the mocks check. Decoded, not verified.</summary>
internal sealed class PresentedToken
{
    public string? Audience { get; private init; }

    public string? TokenId { get; private init; }

    public string? Subject { get; private init; }

    public string? Repository { get; private init; }

    public DateTimeOffset? ExpiresAt { get; private init; }

    /// <summary>Every claim: a string claim's value, or the raw JSON of any other (what Vault's bound_claims compare).</summary>
    public IReadOnlyDictionary<string, string> Claims { get; private init; } = new Dictionary<string, string>();

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } exp && exp <= now;

    public static PresentedToken? TryRead(string? jwt)
    {
        var parts = jwt?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(parts[1]);
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? audience = null;
            if (root.TryGetProperty("aud", out var aud))
            {
                audience = aud.ValueKind == JsonValueKind.String ? aud.GetString()
                    : aud.ValueKind == JsonValueKind.Array && aud.GetArrayLength() == 1 && aud[0].ValueKind == JsonValueKind.String ? aud[0].GetString()
                    : null;
            }

            return new PresentedToken
            {
                Audience = audience,
                TokenId = String(root, "jti"),
                Subject = String(root, "sub"),
                Repository = String(root, "repository"),
                ExpiresAt = root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null,
                Claims = root.EnumerateObject()
                    .DistinctBy(p => p.Name, StringComparer.Ordinal)
                    .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal),
            };
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>What a mock target answers.</summary>
internal sealed class TargetAnswer(int statusCode, string? body, string? contentType = null)
{
    public int StatusCode { get; } = statusCode;

    public string? Body { get; } = body;

    public string ContentType { get; } = contentType ?? Responses.Json;

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>Drop the connection instead of answering (a network error for the client).</summary>
    public bool Reset { get; private init; }

    /// <summary>How WireMock.Net garbles the answer on the wire (an empty response, a malformed chunk), or none.</summary>
    public FaultType WireFault { get; private init; }

    /// <summary>How long to wait before sending the answer.</summary>
    public TimeSpan Delay { get; private init; }

    public static TargetAnswer Json(int statusCode, string json) => new(statusCode, json);

    public static TargetAnswer Empty(int statusCode) => new(statusCode, null);

    /// <summary>
    /// The answer a fault gives to <paramref name="call"/>: its own answer, or for a reshaping fault (see
    /// <see cref="MockHttpTargetFault.ReplacesAnswer"/>) the <paramref name="normal"/> answer the mock gave, reshaped.
    /// </summary>
    public static TargetAnswer FromFault(MockHttpTargetFault fault, TargetCall call, TargetAnswer? normal = null)
    {
        if (!fault.ReplacesAnswer)
        {
            return Reshape(fault, normal ?? Empty(500));
        }

        if (fault.Reset)
        {
            return new TargetAnswer(0, string.Empty) { Reset = true };
        }

        if (fault.Render is { } render)
        {
            return render(call);
        }

        var body = fault.Body;
        var looksJson = body is not null && (body.TrimStart().StartsWith('{') || body.TrimStart().StartsWith('['));
        var answer = new TargetAnswer(fault.StatusCode, body, fault.ContentType ?? (looksJson ? Responses.Json : "text/plain; charset=utf-8"));
        if (fault.RetryAfter is { } wait)
        {
            answer.With("Retry-After", ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        }

        if (fault.Location is { } location)
        {
            answer.With("Location", location.OriginalString);
        }

        return answer;
    }

    public TargetAnswer With(string header, string value)
    {
        Headers.Add(new(header, value));
        return this;
    }

    /// <summary>The WireMock.Net message for this answer (a reset is the host's to do: it aborts the connection).</summary>
    public ResponseMessage ToResponseMessage()
    {
        var response = Body is null ? Responses.Empty(StatusCode) : Responses.Text(StatusCode, Body, ContentType, WireFault);
        foreach (var (name, value) in Headers)
        {
            response.AddHeader(name, value);
        }

        return response;
    }

    /// <summary>
    /// Sends this answer over WireMock.Net: a reset aborts the connection, a delay is waited out first (ending early, with a
    /// 503 nobody reads, when the client goes away or <paramref name="disposing"/> fires).
    /// </summary>
    public async Task<IResponseMessage> SendAsync(HttpContext context, CancellationToken disposing)
    {
        if (Reset)
        {
            // A real connection reset: the client sees a network error, not an answer.
            context.Abort();
            return Responses.Text(500, string.Empty, Responses.Json, FaultType.MALFORMED_RESPONSE_CHUNK);
        }

        if (Delay > TimeSpan.Zero && !await WaitAsync(Delay, context.RequestAborted, disposing).ConfigureAwait(false))
        {
            // The client went away or the mock is shutting down; nobody reads this answer.
            return Responses.Empty(503);
        }

        return ToResponseMessage();
    }

    /// <summary>Waits out an injected delay; false when the client or the mock's disposal ended it early.</summary>
    public static async Task<bool> WaitAsync(TimeSpan delay, CancellationToken aborted, CancellationToken disposing)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, disposing);
        try
        {
            await Task.Delay(delay, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The generic reshaping faults, the same for every mock.</summary>
    private static TargetAnswer Reshape(MockHttpTargetFault fault, TargetAnswer normal)
    {
        switch (fault.Shape)
        {
            case MockHttpTargetFault.FaultShape.Delay:
                var delayed = new TargetAnswer(normal.StatusCode, normal.Body, normal.ContentType) { Reset = normal.Reset, WireFault = normal.WireFault, Delay = fault.Wait };
                delayed.Headers.AddRange(normal.Headers);
                return delayed;
            case MockHttpTargetFault.FaultShape.EmptyResponse:
                return new TargetAnswer(200, string.Empty, Responses.Json) { WireFault = FaultType.EMPTY_RESPONSE };
            case MockHttpTargetFault.FaultShape.MalformedChunk:
                return new TargetAnswer(200, normal.Body ?? string.Empty, normal.ContentType) { WireFault = FaultType.MALFORMED_RESPONSE_CHUNK };
            case MockHttpTargetFault.FaultShape.TruncatedBody:
                var whole = normal.Body ?? string.Empty;
                return new TargetAnswer(200, whole[..(whole.Length / 2)], normal.ContentType);
            case MockHttpTargetFault.FaultShape.OversizedBody:
                return new TargetAnswer(200, Pad(normal.Body ?? string.Empty, fault.Size), normal.ContentType);
            default:
                throw new InvalidOperationException($"Unknown fault shape {fault.Shape}.");
        }
    }

    /// <summary>Pads <paramref name="body"/> to <paramref name="size"/> UTF-8 bytes: a JSON object with a <c>padding</c> member, anything else with spaces.</summary>
    private static string Pad(string body, int size)
    {
        var end = body.LastIndexOf('}');
        if (body.TrimStart().StartsWith('{') && end > 0)
        {
            var head = body[..end] + (body[..end].TrimEnd().EndsWith('{') ? "\"padding\":\"" : ",\"padding\":\"");
            var tail = "\"" + body[end..];
            var padding = Math.Max(0, size - Encoding.UTF8.GetByteCount(head) - Encoding.UTF8.GetByteCount(tail));
            return head + new string('a', padding) + tail;
        }

        return body + new string(' ', Math.Max(0, size - Encoding.UTF8.GetByteCount(body)));
    }
}

/// <summary>
/// The host every mock target runs on: a WireMock.Net server on 127.0.0.1 (or, for a target whose clients insist on
/// https, an in-process <see cref="HttpMessageHandler"/>) whose requests all go to the target's handler, one queue of
/// faults, a request log without secrets, a replay set of seen <c>jti</c>s, and helpers for JSON and random credentials.
/// </summary>
internal sealed class HttpTargetHost : IDisposable
{
    private readonly WireMockServer? _server;
    private readonly Lock _lock = new();
    private readonly FaultQueue _faults = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly List<MockHttpTargetRequest> _log = [];
    private readonly HashSet<string> _seenTokenIds = new(StringComparer.Ordinal);
    private readonly Func<TargetCall, TargetAnswer?> _handler;
    private readonly bool _handlerTakesFaults;
    private int _disposed;

    private HttpTargetHost(WireMockServer? server, Uri baseAddress, TimeProvider time, Func<TargetCall, TargetAnswer?> handler, bool handlerTakesFaults)
    {
        _server = server;
        Time = time;
        _handler = handler;
        _handlerTakesFaults = handlerTakesFaults;
        BaseAddress = baseAddress;
        _server?
            .Given(Request.Create().WithPath(_ => true))
            .RespondWith(new DelegateResponseProvider(RespondAsync));
    }

    public Uri BaseAddress { get; }

    public TimeProvider Time { get; }

    public int RequestCount
    {
        get
        {
            lock (_lock)
            {
                return _log.Count;
            }
        }
    }

    public IReadOnlyList<MockHttpTargetRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return _log.ToArray();
            }
        }
    }

    /// <summary>
    /// Starts a WireMock.Net server on 127.0.0.1:<paramref name="port"/>. When <paramref name="handlerTakesFaults"/> is
    /// false, a queued fault is taken before the handler runs and answers instead of it; when true, the handler calls
    /// <see cref="TargetCall.TakeFault"/> itself (after reading what it logs) and returns null to answer with the fault.
    /// </summary>
    public static HttpTargetHost Start(int port, TimeProvider? time, Func<TargetCall, TargetAnswer?> handler, bool handlerTakesFaults = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")],
            StartAdminInterface = false,
            Logger = new WireMockNullLogger(),
            MaxRequestLogCount = 0,
        });
        try
        {
            var baseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{server.Ports[0]}/"));
            return new HttpTargetHost(server, baseAddress, time ?? TimeProvider.System, handler, handlerTakesFaults);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A host without a listener, reached through <see cref="CreateHandler"/> only: for a service whose clients refuse a
    /// non-https authority, so the client keeps its real https address and its HTTP pipeline is routed here in process.
    /// The handler takes faults itself, as with <see cref="Start"/>'s <c>handlerTakesFaults</c>.
    /// </summary>
    public static HttpTargetHost InProcess(Uri baseAddress, TimeProvider time, Func<TargetCall, TargetAnswer?> handler) =>
        new(null, baseAddress, time, handler, handlerTakesFaults: true);

    /// <summary>A handler that answers in process, exactly as the listener would; a reset fault throws <see cref="HttpRequestException"/>.</summary>
    public HttpMessageHandler CreateHandler() => new InProcessHandler(this);

    public void Enqueue(int count, MockHttpTargetFault fault)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(fault);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _faults.Enqueue(count, fault);
    }

    public void ResetLog()
    {
        lock (_lock)
        {
            _log.Clear();
        }
    }

    /// <summary>Remembers a <c>jti</c>; false when it was seen before (a replay).</summary>
    public bool FirstUse(string? tokenId)
    {
        if (tokenId is null)
        {
            return true;
        }

        lock (_lock)
        {
            return _seenTokenIds.Add(tokenId);
        }
    }

    /// <summary>A random credential: <paramref name="prefix"/> then <paramref name="length"/> characters of lower-case base32.</summary>
    public static string NewSecret(string prefix, int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var text = new StringBuilder(prefix, prefix.Length + length);
        for (var i = 0; i < length; i++)
        {
            text.Append(alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]);
        }

        var secret = text.ToString();
        SecretLedger.Register(secret, prefix.Length == 0 ? "exchanged credential" : "exchanged credential " + prefix);
        return secret;
    }

    /// <summary>Writes a JSON value with <see cref="Utf8JsonWriter"/>.</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _disposing.Cancel();
        _server?.Stop();
        _server?.Dispose();
    }

    /// <summary>The first queued fault whose path filter admits <paramref name="call"/>, counted down; entries for other paths keep waiting.</summary>
    private MockHttpTargetFault? TakeFault(TargetCall call) => _faults.TakeNext(call.Path);

    private TargetAnswer Process(TargetCall call)
    {
        TargetAnswer? answer = null;
        if (!_handlerTakesFaults && call.TakeFault() is { ReplacesAnswer: true })
        {
            call.ReadToken(call.Bearer());
        }
        else
        {
            answer = _handler(call);
        }

        if (call.Fault is { } fault)
        {
            answer = TargetAnswer.FromFault(fault, call, answer);
        }

        answer ??= TargetAnswer.Empty(500);
        if (call.Unlogged)
        {
            return answer;
        }

        var entry = new MockHttpTargetRequest(
            call.Method,
            call.Path,
            answer.Reset ? 0 : answer.StatusCode,
            call.Headers.ContainsKey("Authorization") || call.Headers.ContainsKey("X-Vault-Token"),
            call.Audience,
            call.TokenId,
            call.Header("User-Agent"),
            call.Header("Content-Type"),
            call.Fault,
            call.Now);
        if (call.Entry is { } make)
        {
            entry = make(entry);
        }

        lock (_lock)
        {
            _log.Add(entry);
        }

        return answer;
    }

    private async Task<IResponseMessage> RespondAsync(HttpContext context, IRequestMessage request)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? raw : raw[..query];
        var body = request.BodyData?.BodyAsString
            ?? (request.BodyData?.BodyAsBytes is { } bytes ? Encoding.UTF8.GetString(bytes) : string.Empty);
        var call = new TargetCall(request.Method, path, context.Request.Headers, body, Time.GetUtcNow(), BaseAddress, null, TakeFault);
        return await Process(call).SendAsync(context, _disposing.Token).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> RespondInProcessAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.ToArray();
        }

        var body = string.Empty;
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers)
            {
                headers[name] = values.ToArray();
            }

            body = Encoding.UTF8.GetString(await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        }

        var uri = request.RequestUri;
        var call = new TargetCall(request.Method.Method, uri?.AbsolutePath ?? "/", headers, body, Time.GetUtcNow(), BaseAddress, uri, TakeFault);
        var answer = Process(call);
        if (answer.Reset)
        {
            throw new HttpRequestException("Injected network failure (the mock dropped the connection).");
        }

        if (answer.Delay > TimeSpan.Zero && !await TargetAnswer.WaitAsync(answer.Delay, cancellationToken, _disposing.Token).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request };
        }

        var response = new HttpResponseMessage((HttpStatusCode)answer.StatusCode) { RequestMessage = request };
        var bytes = answer.Body is null ? [] : Encoding.UTF8.GetBytes(answer.Body);
        if (answer.WireFault == FaultType.MALFORMED_RESPONSE_CHUNK)
        {
            // As WireMock.Net does on the wire: the first half of the body, then 100–200 random bytes.
            bytes = [.. bytes.AsSpan(0, bytes.Length / 2), .. RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(100, 201))];
        }
        response.Content = new ByteArrayContent(bytes);
        if (answer.Body is not null)
        {
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(answer.ContentType);
        }

        foreach (var (name, value) in answer.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }

    private sealed class InProcessHandler(HttpTargetHost host) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            host.RespondInProcessAsync(request, cancellationToken);
    }
}
