using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace OidcToken.Testing;

/// <summary>
/// A test double of the NuGet gallery's trusted publishing token service on 127.0.0.1 (<c>POST /api/v2/token</c>): it
/// requires one <c>Authorization: Bearer &lt;GitHub JWT&gt;</c>, a <c>User-Agent</c>, <c>Content-Type: application/json</c> and
/// <c>{"username","tokenType":"ApiKey"}</c>, checks the token's audience and expiry, refuses a token whose <c>jti</c> it has
/// seen (as the gallery does), and answers <c>{"tokenType":"ApiKey","expires","apiKey"}</c>. Errors are the gallery's
/// <c>{"error":"…"}</c> with its texts. Presented tokens are decoded, not signature-checked.
/// </summary>
public sealed class MockNuGetTokenService : MockHttpTarget<MockHttpTargetRequest>
{
    /// <summary>The gallery's replay refusal text.</summary>
    public const string ReplayMessage = "This bearer token has already been used. A new bearer token must be used for each request.";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _keys = new(StringComparer.Ordinal);

    private MockNuGetTokenService(string audience, string user)
    {
        Audience = audience;
        User = user;
    }

    /// <summary>The token service URL: <see cref="MockHttpTarget.BaseAddress"/> + <c>api/v2/token</c>.</summary>
    public Uri TokenServiceUrl => new(BaseAddress, "api/v2/token");

    /// <summary>The audience the service validates <c>aud</c> against.</summary>
    public string Audience { get; }

    /// <summary>The profile name of the policy's creator: the only accepted <c>username</c>.</summary>
    public string User { get; }

    /// <summary>The policy's repository (<c>owner/repo</c>); null (default) accepts any.</summary>
    public string? PolicyRepository { get; set; }

    /// <summary>How long issued keys live. Default one hour.</summary>
    public TimeSpan KeyLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many API keys were issued.</summary>
    public int IssuedKeyCount => _keys.Count;

    /// <summary>Starts the mock token service on 127.0.0.1.</summary>
    /// <param name="audience">The audience it expects.</param>
    /// <param name="user">The policy creator's profile name. Default <c>octo-publisher</c>.</param>
    /// <param name="port">The port; 0 (default) picks a free one.</param>
    /// <param name="timeProvider">The clock for expiry; null for the system clock.</param>
    /// <returns>The running mock; dispose it to stop.</returns>
    /// <exception cref="ArgumentException"><paramref name="audience"/> or <paramref name="user"/> is empty.</exception>
    [RequiresUnreferencedCode("WireMock.Net uses reflection that trimming can break.")]
    [RequiresDynamicCode("WireMock.Net needs run-time code generation.")]
    public static MockNuGetTokenService Start(string audience, string user = "octo-publisher", int port = 0, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(audience);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var mock = new MockNuGetTokenService(audience, user);
        mock.Host = HttpTargetHost.Start(port, timeProvider, mock.Handle);
        return mock;
    }

    /// <summary>The gallery's error shape: <paramref name="statusCode"/> with <c>{"error":"…"}</c>.</summary>
    /// <param name="statusCode">The status, e.g. 400, 401, 404, 415, 503.</param>
    /// <param name="message">The gallery's message.</param>
    /// <returns>A fault for <see cref="MockHttpTarget.FailNextRequests"/>.</returns>
    public static MockHttpTargetFault Error(int statusCode, string message) => MockHttpTargetFault.Status(statusCode, ErrorBody(message));

    /// <summary>Whether <paramref name="apiKey"/> was issued by this mock and has not expired.</summary>
    /// <param name="apiKey">An API key.</param>
    /// <returns>True when the key is valid now.</returns>
    public bool IsValidKey(string apiKey) => _keys.TryGetValue(apiKey, out var expires) && expires > Host.Time.GetUtcNow();

    private static string ErrorBody(string message) => HttpTargetHost.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    });

    private static TargetAnswer Fail(int status, string message)
    {
        var answer = TargetAnswer.Json(status, ErrorBody(message));
        return status == 401 ? answer.With("WWW-Authenticate", "Bearer") : answer;
    }

    private TargetAnswer Handle(TargetCall call)
    {
        if (call.Path != "/api/v2/token")
        {
            return TargetAnswer.Json(404, ErrorBody("Not found."));
        }

        if (call.Method != "POST")
        {
            return TargetAnswer.Empty(405);
        }

        if (!call.Headers.TryGetValue("Authorization", out var authorization) || authorization.Count == 0)
        {
            return Fail(401, "The Authorization header is missing.");
        }

        if (authorization.Count > 1)
        {
            return Fail(401, "Only one Authorization header is allowed.");
        }

        if (call.Bearer() is not { Length: > 0 } jwt)
        {
            return Fail(401, "The Authorization header value must start with 'Bearer '.");
        }

        if (string.IsNullOrWhiteSpace(call.Header("User-Agent")))
        {
            return Fail(400, "A User-Agent header is required.");
        }

        if (call.Header("Content-Type") is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(415, "The request content type must be application/json.");
        }

        var body = call.JsonObject();
        var username = body is { } b && b.TryGetProperty("username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
        if (string.IsNullOrEmpty(username))
        {
            return Fail(400, "The username property in the request body is required.");
        }

        var tokenType = body!.Value.TryGetProperty("tokenType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (tokenType != "ApiKey")
        {
            return Fail(400, "The tokenType property in the request body is required and must set to 'ApiKey'.");
        }

        var presented = call.ReadToken(jwt);
        if (presented is null || presented.IsExpired(call.Now) || presented.Audience != Audience)
        {
            return Fail(401, "The bearer token could not be validated.");
        }

        if (!Host.FirstUse(presented.TokenId))
        {
            return Fail(401, ReplayMessage);
        }

        if (!string.Equals(username, User, StringComparison.OrdinalIgnoreCase)
            || (PolicyRepository is { } repository && !string.Equals(presented.Repository, repository, StringComparison.OrdinalIgnoreCase)))
        {
            return Fail(401, $"No matching federated credential trust policy owned by user '{username}' was found.");
        }

        var key = HttpTargetHost.NewSecret("oy2", 43);
        var expires = call.Now + KeyLifetime;
        _keys[key] = expires;
        return TargetAnswer.Json(200, HttpTargetHost.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("tokenType", "ApiKey");
            w.WriteString("expires", expires.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("apiKey", key);
            w.WriteEndObject();
        }));
    }
}
