namespace OidcToken.Testing;

/// <summary>Which of the mock issuer's endpoints a <see cref="MockIssuerRequest"/> reached.</summary>
public enum MockIssuerEndpoint
{
    /// <summary>The runner's token endpoint (<c>ACTIONS_ID_TOKEN_REQUEST_URL</c>).</summary>
    Token,

    /// <summary>A discovery document (<c>&lt;issuer&gt;/.well-known/openid-configuration</c>).</summary>
    Discovery,

    /// <summary>The key set (<c>/.well-known/jwks</c>).</summary>
    Jwks,
}

/// <summary>
/// One request the mock issuer answered, as passed to <see cref="MockGitHubOidcIssuerOptions.RequestObserver"/>.
/// It holds no secret: neither the request token the caller sent nor the ID token it got.
/// </summary>
public sealed class MockIssuerRequest
{
    internal MockIssuerRequest(MockIssuerEndpoint endpoint, string method, string path, string? audience, int statusCode)
    {
        Endpoint = endpoint;
        Method = method;
        Path = path;
        Audience = audience;
        StatusCode = statusCode;
    }

    /// <summary>The endpoint the request reached.</summary>
    public MockIssuerEndpoint Endpoint { get; }

    /// <summary>The HTTP method, for example <c>GET</c>.</summary>
    public string Method { get; }

    /// <summary>The path, without the query string.</summary>
    public string Path { get; }

    /// <summary>
    /// For <see cref="MockIssuerEndpoint.Token"/>, the <c>audience</c> query parameter as sent (percent-decoded);
    /// <see langword="null"/> when the request named none (the token then gets <see cref="MockGitHubOidcIssuer.DefaultAudience"/>)
    /// and for the other endpoints.
    /// </summary>
    public string? Audience { get; }

    /// <summary>The status code the mock answered with; <c>0</c> when an injected fault reset the connection.</summary>
    public int StatusCode { get; }

    /// <summary>Describes the request without any secret.</summary>
    /// <returns>For example <c>token GET /123//idtoken/… audience=sts.amazonaws.com -> 200</c>.</returns>
    public override string ToString() =>
        $"{Endpoint.ToString().ToLowerInvariant()} {Method} {Path}"
        + (Endpoint == MockIssuerEndpoint.Token ? " audience=" + (Audience ?? "(none: default)") : string.Empty)
        + $" -> {StatusCode}";
}
