namespace OidcToken.Testing;

/// <summary>
/// One request a mock target received (targets with more to record use a derived type). It never holds a token, a credential or a request body: only the
/// non-secret facts a test asserts on (the presented GitHub token's <c>aud</c> and <c>jti</c> are claims, not secrets).
/// </summary>
public class MockHttpTargetRequest
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

    /// <summary>Copies the common facts of <paramref name="facts"/>, for a target's own kind of entry.</summary>
    /// <param name="facts">The entry the host recorded.</param>
    private protected MockHttpTargetRequest(MockHttpTargetRequest facts)
        : this(
            facts.Method, facts.Path, facts.StatusCode, facts.HasAuthorization, facts.Audience, facts.TokenId, facts.UserAgent, facts.ContentType,
            facts.Fault, facts.ReceivedAt)
    {
    }

    /// <summary>An entry whose common facts are filled in later by <see cref="CopyFacts"/>.</summary>
    private protected MockHttpTargetRequest()
    {
        Method = string.Empty;
        Path = string.Empty;
    }

    /// <summary>The HTTP method.</summary>
    public string Method { get; private set; }

    /// <summary>The path exactly as sent (percent-escapes kept), without the query.</summary>
    public string Path { get; private set; }

    /// <summary>The status the mock answered with (0 when it dropped the connection).</summary>
    public int StatusCode { get; private set; }

    /// <summary>Whether an <c>Authorization</c> (or <c>X-Vault-Token</c>) header was sent.</summary>
    public bool HasAuthorization { get; private set; }

    /// <summary>The <c>aud</c> of the GitHub ID token the request carried, or <see langword="null"/> when it carried none that could be decoded.</summary>
    public string? Audience { get; private set; }

    /// <summary>The <c>jti</c> of the GitHub ID token the request carried, or <see langword="null"/>.</summary>
    public string? TokenId { get; private set; }

    /// <summary>The <c>User-Agent</c> header, or <see langword="null"/>.</summary>
    public string? UserAgent { get; private set; }

    /// <summary>The <c>Content-Type</c> header, or <see langword="null"/>.</summary>
    public string? ContentType { get; private set; }

    /// <summary>The injected fault this request received, or <see langword="null"/>.</summary>
    public MockHttpTargetFault? Fault { get; private set; }

    /// <summary>When the request arrived, by the target's clock.</summary>
    public DateTimeOffset ReceivedAt { get; private set; }

    /// <summary>Describes the request without any secret.</summary>
    /// <returns>Method, path, audience and status.</returns>
    public override string ToString() =>
        $"{Method} {Path} aud={Audience ?? "none"} -> {StatusCode}{(Fault is null ? string.Empty : " (" + Fault + ")")}";

    /// <summary>Takes the common facts the host recorded.</summary>
    internal void CopyFacts(MockHttpTargetRequest facts)
    {
        (Method, Path, StatusCode, HasAuthorization, Audience, TokenId) = (facts.Method, facts.Path, facts.StatusCode, facts.HasAuthorization, facts.Audience, facts.TokenId);
        (UserAgent, ContentType, Fault, ReceivedAt) = (facts.UserAgent, facts.ContentType, facts.Fault, facts.ReceivedAt);
    }
}
