using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace OidcToken.Testing;

/// <summary>
/// A test double of a Python package index's trusted publishing endpoints on 127.0.0.1: <c>GET /_/oidc/audience</c>
/// (<c>{"audience"}</c>) and <c>POST /_/oidc/mint-token</c> (also the legacy <c>/_/oidc/github/mint-token</c>) with
/// <c>{"token"}</c>, answering <c>{"success":true,"token","expires"}</c>, or 422
/// <c>{"message":"Token request failed","errors":[{"code","description"}]}</c> with the index's codes
/// (<c>invalid-payload</c>, <c>not-enabled</c>, <c>invalid-token</c>, <c>invalid-publisher</c>, <c>invalid-reuse-token</c>).
/// A reused <c>jti</c> is refused. Presented tokens are decoded, not signature-checked.
/// </summary>
public sealed class MockPyPI : MockHttpTarget<MockHttpTargetRequest>
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);

    private MockPyPI(string audience) => Audience = audience;

    /// <summary>The upload URL to give an exchange: <see cref="MockHttpTarget.BaseAddress"/> + <c>legacy/</c>.</summary>
    public Uri RepositoryUrl => new(BaseAddress, "legacy/");

    /// <summary>The audience the index announces and requires.</summary>
    public string Audience { get; }

    /// <summary>Whether trusted publishing is enabled; when false the audience endpoint answers 403 and minting <c>not-enabled</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The registered publisher's repository (<c>owner/repo</c>); null (default) accepts any.</summary>
    public string? PublisherRepository { get; set; }

    /// <summary>How many upload tokens were minted.</summary>
    public int IssuedTokenCount => _tokens.Count;

    /// <summary>Starts the mock index on 127.0.0.1.</summary>
    /// <param name="audience">The audience it announces. Default <c>pypi</c>.</param>
    /// <param name="port">The port; 0 (default) picks a free one.</param>
    /// <param name="timeProvider">The clock for expiry; null for the system clock.</param>
    /// <returns>The running mock; dispose it to stop.</returns>
    /// <exception cref="ArgumentException"><paramref name="audience"/> is empty.</exception>
    [RequiresUnreferencedCode("WireMock.Net uses reflection that trimming can break.")]
    [RequiresDynamicCode("WireMock.Net needs run-time code generation.")]
    public static MockPyPI Start(string audience = "pypi", int port = 0, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(audience);
        var mock = new MockPyPI(audience);
        mock.Host = HttpTargetHost.Start(port, timeProvider, mock.Handle);
        return mock;
    }

    /// <summary>The index's 422 error shape with one error.</summary>
    /// <param name="code">The error code, e.g. <c>invalid-publisher</c>.</param>
    /// <param name="description">The description.</param>
    /// <returns>A fault for <see cref="MockHttpTarget.FailNextRequests"/>.</returns>
    public static MockHttpTargetFault Error(string code, string description) => MockHttpTargetFault.Status(422, ErrorBody(code, description));

    /// <summary>Whether <paramref name="token"/> was minted by this mock and has not expired.</summary>
    /// <param name="token">An upload token.</param>
    /// <returns>True when valid now.</returns>
    public bool IsValidToken(string token) => _tokens.TryGetValue(token, out var expires) && expires > Host.Time.GetUtcNow();

    private static string ErrorBody(string code, string description) => HttpTargetHost.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("message", "Token request failed");
        w.WriteStartArray("errors");
        w.WriteStartObject();
        w.WriteString("code", code);
        w.WriteString("description", description);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static TargetAnswer Fail(string code, string description) => TargetAnswer.Json(422, ErrorBody(code, description));

    private TargetAnswer Handle(TargetCall call)
    {
        if (call.Method == "GET" && call.Path == "/_/oidc/audience")
        {
            return Enabled
                ? TargetAnswer.Json(200, HttpTargetHost.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("audience", Audience);
                    w.WriteEndObject();
                }))
                : TargetAnswer.Json(403, "{\"message\":\"Trusted publishing functionality not enabled\"}");
        }

        if (call.Method != "POST" || (call.Path != "/_/oidc/mint-token" && call.Path != "/_/oidc/github/mint-token"))
        {
            return new TargetAnswer(404, "404 Not Found", "text/plain; charset=utf-8");
        }

        if (!Enabled)
        {
            return Fail("not-enabled", "Trusted publishing functionality not enabled");
        }

        var jwt = call.JsonObject() is { } body && body.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (string.IsNullOrEmpty(jwt))
        {
            return Fail("invalid-payload", "token is missing");
        }

        var presented = call.ReadToken(jwt);
        if (presented is null)
        {
            return Fail("invalid-payload", "malformed JWT");
        }

        if (presented.IsExpired(call.Now) || presented.Audience != Audience)
        {
            return Fail("invalid-token", "malformed or invalid token");
        }

        if (!Host.FirstUse(presented.TokenId))
        {
            return Fail("invalid-reuse-token", "invalid token: already used");
        }

        if (PublisherRepository is { } repository && !string.Equals(presented.Repository, repository, StringComparison.OrdinalIgnoreCase))
        {
            return Fail("invalid-publisher", "valid token, but no corresponding publisher (Publisher with matching claims was not found)");
        }

        var token = HttpTargetHost.NewSecret("pypi-", 120);
        var expires = call.Now.AddMinutes(15);
        _tokens[token] = expires;
        return TargetAnswer.Json(200, HttpTargetHost.Json(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("success", true);
            w.WriteString("token", token);
            w.WriteNumber("expires", expires.ToUnixTimeSeconds());
            w.WriteEndObject();
        }));
    }
}
