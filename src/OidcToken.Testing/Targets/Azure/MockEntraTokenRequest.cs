namespace OidcToken.Testing;

/// <summary>
/// One request <see cref="MockEntraId"/> received at its token endpoint. It never holds the client assertion or an
/// access token: only the assertion's non-secret claims.
/// </summary>
public sealed class MockEntraTokenRequest : MockHttpTargetRequest
{
    internal MockEntraTokenRequest(
        MockHttpTargetRequest facts, string tenant, string? clientId, string? scope, string? grantType, string? clientAssertionType,
        bool hadAssertion, string? assertionIssuer, string? assertionSubject, string? assertionAudience,
        string? assertionId, int? aadstsCode)
        : base(facts)
    {
        Tenant = tenant;
        ClientId = clientId;
        Scope = scope;
        GrantType = grantType;
        ClientAssertionType = clientAssertionType;
        HadAssertion = hadAssertion;
        AssertionIssuer = assertionIssuer;
        AssertionSubject = assertionSubject;
        AssertionAudience = assertionAudience;
        AssertionId = assertionId;
        AadstsCode = aadstsCode;
    }

    /// <summary>The tenant segment of the path (<c>/{tenant}/oauth2/v2.0/token</c>).</summary>
    public string Tenant { get; }

    /// <summary>The <c>client_id</c> form field, or <see langword="null"/> when absent.</summary>
    public string? ClientId { get; }

    /// <summary>The <c>scope</c> form field, or <see langword="null"/> when absent.</summary>
    public string? Scope { get; }

    /// <summary>The <c>grant_type</c> form field, or <see langword="null"/> when absent.</summary>
    public string? GrantType { get; }

    /// <summary>The <c>client_assertion_type</c> form field, or <see langword="null"/> when absent.</summary>
    public string? ClientAssertionType { get; }

    /// <summary>Whether a <c>client_assertion</c> was sent (its value is never kept).</summary>
    public bool HadAssertion { get; }

    /// <summary>The assertion's <c>iss</c>, when it was a readable JWT.</summary>
    public string? AssertionIssuer { get; }

    /// <summary>The assertion's <c>sub</c>, when it was a readable JWT.</summary>
    public string? AssertionSubject { get; }

    /// <summary>The assertion's <c>aud</c> values joined with a space, when it was a readable JWT.</summary>
    public string? AssertionAudience { get; }

    /// <summary>The assertion's <c>jti</c>, when present: distinct values prove distinct (fresh) GitHub tokens.</summary>
    public string? AssertionId { get; }

    /// <summary>The AADSTS code of the error answered, or <see langword="null"/> on success.</summary>
    public int? AadstsCode { get; }
}
