namespace OidcToken.Testing;

/// <summary>Which endpoint of <see cref="MockGoogleCloud"/> a request reached.</summary>
public enum MockGoogleEndpoint
{
    /// <summary>The Security Token Service, <c>POST /v1/token</c>.</summary>
    Sts = 0,

    /// <summary>IAM Credentials, <c>POST /v1/projects/-/serviceAccounts/{account}:generateAccessToken</c>.</summary>
    GenerateAccessToken = 1,

    /// <summary>IAM Credentials, <c>POST /v1/projects/-/serviceAccounts/{account}:generateIdToken</c>.</summary>
    GenerateIdToken = 2,
}

/// <summary>
/// One request <see cref="MockGoogleCloud"/> received. It never holds a token: only the non-secret parameters, the
/// subject token's audience claim, and the outcome.
/// </summary>
public sealed class MockGoogleRequest : MockHttpTargetRequest
{
    internal MockGoogleRequest(MockGoogleEndpoint endpoint) => Endpoint = endpoint;

    /// <summary>The endpoint.</summary>
    public MockGoogleEndpoint Endpoint { get; }

    /// <summary>For STS: <c>form</c> (RFC 8693 snake_case, what Google.Apis.Auth sends), <c>json</c> (camelCase, what the official action sends) or <c>other</c>.</summary>
    public string? BodyFormat { get; internal set; }

    /// <summary>For STS: the <c>audience</c> parameter.</summary>
    public string? StsAudience { get; internal set; }

    /// <summary>For STS: the <c>grant_type</c>.</summary>
    public string? GrantType { get; internal set; }

    /// <summary>The requested scopes (STS <c>scope</c>, space-separated; IAM <c>scope</c> array, joined with spaces).</summary>
    public string? Scope { get; internal set; }

    /// <summary>For STS: the subject token's <c>aud</c> claim, when it could be decoded.</summary>
    public string? SubjectTokenAudience { get; internal set; }

    /// <summary>For STS: the subject token's <c>jti</c> claim (its unique id, not a secret), when it could be decoded: tells fresh tokens from a reused one.</summary>
    public string? SubjectTokenId { get; internal set; }

    /// <summary>For <c>generateIdToken</c>: the requested <c>audience</c>.</summary>
    public string? IdTokenAudience { get; internal set; }

    /// <summary>For <c>generateIdToken</c>: the requested <c>includeEmail</c>.</summary>
    public bool IncludeEmail { get; internal set; }

    /// <summary>For IAM: the <c>delegates</c> sent, joined with spaces, or <see langword="null"/> when none were.</summary>
    public string? Delegates { get; internal set; }

    /// <summary>For STS: the subject token's <c>sub</c> claim, when it could be decoded.</summary>
    public string? SubjectTokenSubject { get; internal set; }

    /// <summary>For IAM: the service account in the path.</summary>
    public string? ServiceAccount { get; internal set; }

    /// <summary>For IAM: the requested <c>lifetime</c>, as sent (for example <c>3600s</c>).</summary>
    public string? Lifetime { get; internal set; }

    /// <summary>For IAM: whether the bearer was a live token this mock's STS issued.</summary>
    public bool HadValidBearer { get; internal set; }

    /// <summary>The error code answered (<c>invalid_grant</c>, <c>PERMISSION_DENIED</c>…), or <see langword="null"/> on success.</summary>
    public string? Error { get; internal set; }

    /// <summary>Describes the request without any secret.</summary>
    /// <returns>Endpoint, parameters and status.</returns>
    public override string ToString() =>
        $"{Endpoint} {BodyFormat} audience={StsAudience} account={ServiceAccount} -> {StatusCode}{(Error is null ? string.Empty : " " + Error)}{(Fault is null ? string.Empty : " (" + Fault + ")")}";
}
