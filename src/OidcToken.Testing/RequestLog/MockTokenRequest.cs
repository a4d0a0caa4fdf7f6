namespace OidcToken.Testing;

/// <summary>
/// One request the token endpoint received, as recorded by <see cref="MockGitHubOidcIssuer.TokenRequests"/>.
/// It never holds the bearer value: only whether one was sent and whether it was the right one.
/// </summary>
public sealed class MockTokenRequest
{
    internal MockTokenRequest(
        string method,
        string rawQuery,
        string? audience,
        bool hasAuthorizationHeader,
        bool hadValidBearer,
        string? userAgent,
        string? accept,
        int statusCode,
        MockHttpTargetFault? fault,
        DateTimeOffset receivedAt)
    {
        Method = method;
        RawQuery = rawQuery;
        Audience = audience;
        HasAuthorizationHeader = hasAuthorizationHeader;
        HadValidBearer = hadValidBearer;
        UserAgent = userAgent;
        Accept = accept;
        StatusCode = statusCode;
        Fault = fault;
        ReceivedAt = receivedAt;
    }

    /// <summary>The HTTP method, for example <c>GET</c>.</summary>
    public string Method { get; }

    /// <summary>The query string exactly as sent, including the leading <c>?</c> (for example <c>?api-version=2.0&amp;audience=sts.amazonaws.com</c>).</summary>
    public string RawQuery { get; }

    /// <summary>The first <c>audience</c> query parameter, percent-decoded (<c>+</c> read as a space); <see langword="null"/> when absent. An empty string means <c>audience=</c> was sent.</summary>
    public string? Audience { get; }

    /// <summary>Whether the request had an <c>Authorization</c> header at all.</summary>
    public bool HasAuthorizationHeader { get; }

    /// <summary>Whether the request had <c>Authorization: Bearer &lt;the issuer's request token&gt;</c> (scheme in any case).</summary>
    public bool HadValidBearer { get; }

    /// <summary>The <c>User-Agent</c> header, or <see langword="null"/>.</summary>
    public string? UserAgent { get; }

    /// <summary>The <c>Accept</c> header, or <see langword="null"/>.</summary>
    public string? Accept { get; }

    /// <summary>The status code the mock answered with (for <see cref="MockHttpTargetFault.Delay(TimeSpan)"/>, the one it answers with after the wait).</summary>
    public int StatusCode { get; }

    /// <summary>The injected fault this request received, or <see langword="null"/> when it was served normally.</summary>
    public MockHttpTargetFault? Fault { get; }

    /// <summary>When the request arrived, by the issuer's <see cref="MockGitHubOidcIssuerOptions.TimeProvider"/>.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Describes the request without any secret.</summary>
    /// <returns>Method, query, bearer validity and status.</returns>
    public override string ToString() =>
        $"{Method} {RawQuery} bearer={(HadValidBearer ? "valid" : HasAuthorizationHeader ? "invalid" : "none")} -> {StatusCode}{(Fault is null ? string.Empty : " (" + Fault + ")")}";
}
