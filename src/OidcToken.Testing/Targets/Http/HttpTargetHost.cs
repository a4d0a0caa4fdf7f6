using System.Buffers.Text;
using System.Globalization;
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
internal sealed class TargetCall(string method, string path, IHeaderDictionary headers, string body, DateTimeOffset now)
{
    public string Method { get; } = method;

    /// <summary>The raw path, escapes kept, no query.</summary>
    public string Path { get; } = path;

    public IHeaderDictionary Headers { get; } = headers;

    public string Body { get; } = body;

    public DateTimeOffset Now { get; } = now;

    public string? Audience { get; set; }

    public string? TokenId { get; set; }

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

    public static TargetAnswer Json(int statusCode, string json) => new(statusCode, json);

    public static TargetAnswer Empty(int statusCode) => new(statusCode, null);

    public TargetAnswer With(string header, string value)
    {
        Headers.Add(new(header, value));
        return this;
    }
}

/// <summary>
/// The WireMock.Net host every mock exchange target runs on: one catch-all route handed to the target's handler, queued
/// faults, a request log without secrets, a replay set of seen <c>jti</c>s, and helpers for JSON and random credentials.
/// </summary>
internal sealed class HttpTargetHost : IDisposable
{
    private readonly WireMockServer _server;
    private readonly Lock _lock = new();
    private readonly Queue<(MockHttpTargetFault Fault, int Remaining)> _faults = new();
    private readonly List<MockHttpTargetRequest> _log = [];
    private readonly HashSet<string> _seenTokenIds = new(StringComparer.Ordinal);
    private readonly Func<TargetCall, TargetAnswer> _handler;
    private int _disposed;

    private HttpTargetHost(WireMockServer server, TimeProvider time, Func<TargetCall, TargetAnswer> handler)
    {
        _server = server;
        Time = time;
        _handler = handler;
        BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{server.Ports[0]}/"));
        _server
            .Given(Request.Create().WithPath(_ => true))
            .RespondWith(new DelegateResponseProvider((context, request) => Task.FromResult(Respond(context, request))));
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

    public static HttpTargetHost Start(int port, TimeProvider? time, Func<TargetCall, TargetAnswer> handler)
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
            return new HttpTargetHost(server, time ?? TimeProvider.System, handler);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Enqueue(int count, MockHttpTargetFault fault)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(fault);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_lock)
        {
            _faults.Enqueue((fault, count));
        }
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

        _server.Stop();
        _server.Dispose();
    }

    private IResponseMessage Respond(HttpContext context, IRequestMessage request)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? raw : raw[..query];
        var body = request.BodyData?.BodyAsString
            ?? (request.BodyData?.BodyAsBytes is { } bytes ? Encoding.UTF8.GetString(bytes) : string.Empty);
        var call = new TargetCall(request.Method, path, context.Request.Headers, body, Time.GetUtcNow());
        MockHttpTargetFault? fault = null;
        lock (_lock)
        {
            if (_faults.TryPeek(out var next))
            {
                fault = next.Fault;
                _faults.Dequeue();
                if (next.Remaining > 1)
                {
                    // Keep the order: put the rest back in front by rebuilding the queue.
                    var rest = _faults.ToArray();
                    _faults.Clear();
                    _faults.Enqueue((next.Fault, next.Remaining - 1));
                    foreach (var item in rest)
                    {
                        _faults.Enqueue(item);
                    }
                }
            }
        }

        IResponseMessage message;
        int status;
        if (fault is not null)
        {
            call.ReadToken(call.Bearer());
            if (fault.Reset)
            {
                // A real connection reset: the client sees a network error, not an answer.
                context.Abort();
            }

            (message, status) = FromFault(fault);
        }
        else
        {
            var answer = _handler(call);
            status = answer.StatusCode;
            var response = Responses.Text(answer.StatusCode, answer.Body, answer.ContentType);
            foreach (var (name, value) in answer.Headers)
            {
                response.AddHeader(name, value);
            }

            message = response;
        }

        var entry = new MockHttpTargetRequest(
            call.Method,
            path,
            status,
            call.Headers.ContainsKey("Authorization") || call.Headers.ContainsKey("X-Vault-Token"),
            call.Audience,
            call.TokenId,
            call.Header("User-Agent"),
            call.Header("Content-Type"),
            fault,
            call.Now);
        lock (_lock)
        {
            _log.Add(entry);
        }

        return message;
    }

    private static (IResponseMessage Message, int Status) FromFault(MockHttpTargetFault fault)
    {
        if (fault.Reset)
        {
            return (Responses.Text(500, string.Empty, Responses.Json, FaultType.MALFORMED_RESPONSE_CHUNK), 0);
        }

        var body = fault.Body;
        var looksJson = body is not null && (body.TrimStart().StartsWith('{') || body.TrimStart().StartsWith('['));
        var message = Responses.Text(fault.StatusCode, body, looksJson ? Responses.Json : "text/plain; charset=utf-8");
        if (fault.RetryAfter is { } wait)
        {
            message.AddHeader("Retry-After", ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        }

        if (fault.Location is { } location)
        {
            message.AddHeader("Location", location.OriginalString);
        }

        return (message, fault.StatusCode);
    }
}
