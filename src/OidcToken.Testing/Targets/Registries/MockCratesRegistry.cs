using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace OidcToken.Testing;

/// <summary>
/// A test double of crates.io's trusted publishing tokens endpoint on 127.0.0.1: <c>POST /api/v1/trusted_publishing/tokens</c>
/// with <c>{"jwt"}</c> answering <c>{"token"}</c>, and <c>DELETE</c> on the same path with the token as bearer to revoke it.
/// Errors use <c>{"errors":[{"detail":"…"}]}</c>. The audience must be the registry URL without the scheme
/// (<c>127.0.0.1:&lt;port&gt;</c>); a reused <c>jti</c> is refused. Presented tokens are decoded, not signature-checked.
/// </summary>
public sealed class MockCratesRegistry : MockHttpTarget<MockHttpTargetRequest>
{
    private const string TokensPath = "/api/v1/trusted_publishing/tokens";
    private readonly ConcurrentDictionary<string, bool> _tokens = new(StringComparer.Ordinal);

    private MockCratesRegistry()
    {
    }

    /// <summary>The registry URL to give an exchange: <see cref="MockHttpTarget.BaseAddress"/>.</summary>
    public Uri RegistryUrl => BaseAddress;

    /// <summary>The audience the registry requires: its URL without the scheme, <c>127.0.0.1:&lt;port&gt;</c>.</summary>
    public string Audience => BaseAddress.Authority;

    /// <summary>The trusted publisher's repository (<c>owner/repo</c>); null (default) accepts any.</summary>
    public string? PublisherRepository { get; set; }

    /// <summary>How many tokens were issued.</summary>
    public int IssuedTokenCount => _tokens.Count;

    /// <summary>How many issued tokens were revoked.</summary>
    public int RevokedTokenCount => _tokens.Count(t => t.Value);

    /// <summary>Starts the mock registry on 127.0.0.1.</summary>
    /// <param name="port">The port; 0 (default) picks a free one.</param>
    /// <param name="timeProvider">The clock for expiry checks; null for the system clock.</param>
    /// <returns>The running mock; dispose it to stop.</returns>
    [RequiresUnreferencedCode("WireMock.Net uses reflection that trimming can break.")]
    [RequiresDynamicCode("WireMock.Net needs run-time code generation.")]
    public static MockCratesRegistry Start(int port = 0, TimeProvider? timeProvider = null)
    {
        var mock = new MockCratesRegistry();
        mock.Host = HttpTargetHost.Start(port, timeProvider, mock.Handle);
        return mock;
    }

    /// <summary>The registry's error shape: <paramref name="statusCode"/> with <c>{"errors":[{"detail":"…"}]}</c>.</summary>
    /// <param name="statusCode">The status.</param>
    /// <param name="detail">The detail text.</param>
    /// <returns>A fault for <see cref="MockHttpTarget.FailNextRequests"/>.</returns>
    public static MockHttpTargetFault Error(int statusCode, string detail) => MockHttpTargetFault.Status(statusCode, ErrorBody(detail));

    /// <summary>Whether <paramref name="token"/> was issued by this mock and then revoked.</summary>
    /// <param name="token">A token.</param>
    /// <returns>True when revoked.</returns>
    public bool IsRevoked(string token) => _tokens.TryGetValue(token, out var revoked) && revoked;

    /// <summary>Whether <paramref name="token"/> was issued by this mock and is not revoked.</summary>
    /// <param name="token">A token.</param>
    /// <returns>True when usable.</returns>
    public bool IsActive(string token) => _tokens.TryGetValue(token, out var revoked) && !revoked;

    private static string ErrorBody(string detail) => HttpTargetHost.Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("errors");
        w.WriteStartObject();
        w.WriteString("detail", detail);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static TargetAnswer Fail(int status, string detail) => TargetAnswer.Json(status, ErrorBody(detail));

    private TargetAnswer Handle(TargetCall call)
    {
        if (call.Path != TokensPath)
        {
            return Fail(404, "Not Found");
        }

        if (call.Method == "DELETE")
        {
            var bearer = call.Bearer();
            if (bearer is null || !_tokens.TryGetValue(bearer, out var revoked) || revoked)
            {
                return Fail(401, "authentication failed");
            }

            _tokens[bearer] = true;
            return TargetAnswer.Empty(204);
        }

        if (call.Method != "POST")
        {
            return Fail(405, "Method Not Allowed");
        }

        var jwt = call.JsonObject() is { } body && body.TryGetProperty("jwt", out var j) && j.ValueKind == JsonValueKind.String ? j.GetString() : null;
        if (string.IsNullOrEmpty(jwt))
        {
            return Fail(400, "Failed to deserialize the JSON body into the target type: missing field `jwt`");
        }

        var presented = call.ReadToken(jwt);
        if (presented is null || presented.IsExpired(call.Now) || presented.Audience != Audience)
        {
            return Fail(401, "Failed to decode JWT");
        }

        if (!Host.FirstUse(presented.TokenId))
        {
            return Fail(401, "JWT has already been used");
        }

        if (PublisherRepository is { } repository && !string.Equals(presented.Repository, repository, StringComparison.OrdinalIgnoreCase))
        {
            return Fail(400, "No matching Trusted Publishing config found");
        }

        var token = HttpTargetHost.NewSecret("cio", 32);
        _tokens[token] = false;
        return TargetAnswer.Json(200, HttpTargetHost.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("token", token);
            w.WriteEndObject();
        }));
    }
}
