namespace OidcToken.Testing;

/// <summary>
/// One request a mock exchange target received. It never holds a token, a credential or a request body: only the
/// non-secret facts a test asserts on (the presented GitHub token's <c>aud</c> and <c>jti</c> are claims, not secrets).
/// </summary>
public sealed class MockHttpTargetRequest
{
    internal MockHttpTargetRequest(
        string method, string path, int statusCode, bool hasAuthorization, string? audience, string? tokenId, string? userAgent, string? contentType,
        MockHttpTargetFault? fault, DateTimeOffset receivedAt)
    {
        Method = method;
        Path = path;
        StatusCode = statusCode;
        HasAuthorization = hasAuthorization;
        Audience = audience;
        TokenId = tokenId;
        UserAgent = userAgent;
        ContentType = contentType;
        Fault = fault;
        ReceivedAt = receivedAt;
    }

    /// <summary>The HTTP method.</summary>
    public string Method { get; }

    /// <summary>The path exactly as sent (percent-escapes kept), without the query.</summary>
    public string Path { get; }

    /// <summary>The status the mock answered with (0 when it dropped the connection).</summary>
    public int StatusCode { get; }

    /// <summary>Whether an <c>Authorization</c> (or <c>X-Vault-Token</c>) header was sent.</summary>
    public bool HasAuthorization { get; }

    /// <summary>The <c>aud</c> of the GitHub ID token the request carried, or <see langword="null"/> when it carried none that could be decoded.</summary>
    public string? Audience { get; }

    /// <summary>The <c>jti</c> of the GitHub ID token the request carried, or <see langword="null"/>.</summary>
    public string? TokenId { get; }

    /// <summary>The <c>User-Agent</c> header, or <see langword="null"/>.</summary>
    public string? UserAgent { get; }

    /// <summary>The <c>Content-Type</c> header, or <see langword="null"/>.</summary>
    public string? ContentType { get; }

    /// <summary>The injected fault this request received, or <see langword="null"/>.</summary>
    public MockHttpTargetFault? Fault { get; }

    /// <summary>When the request arrived, by the target's clock.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Describes the request without any secret.</summary>
    /// <returns>Method, path, audience and status.</returns>
    public override string ToString() =>
        $"{Method} {Path} aud={Audience ?? "none"} -> {StatusCode}{(Fault is null ? string.Empty : " (" + Fault + ")")}";
}
