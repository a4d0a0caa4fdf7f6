using System.Globalization;

namespace OidcToken;

/// <summary>
/// A GitHub Actions ID token as received from the runner. The raw JWT is available only through
/// <see cref="Reveal"/>, never a property, so loggers and serializers that walk properties see nothing;
/// <see cref="ToString"/> is redacted.
/// </summary>
public sealed class IdToken
{
    private readonly string _value;

    internal IdToken(string value, GitHubActionsClaims claims, DateTimeOffset receivedAt)
    {
        _value = value;
        UnverifiedClaims = claims;
        ReceivedAt = receivedAt;
        ExpiresAt = claims.ExpiresAt ?? receivedAt;
        IssuedAt = claims.IssuedAt ?? receivedAt;
    }

    /// <summary>When the token expires (<c>exp</c>).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>When GitHub issued the token (<c>iat</c>), by GitHub's clock.</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>When this process received the token, by the client's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The token's audience (<c>aud</c>).</summary>
    public string? Audience => UnverifiedClaims.Audience;

    /// <summary>
    /// The token's claims, decoded but <b>not verified</b>: use them to show or route, never to decide
    /// trust. A relying party verifies with <c>OidcToken.Validation</c>.
    /// </summary>
    public GitHubActionsClaims UnverifiedClaims { get; }

    /// <summary>Returns the raw JWT. Treat it as a secret: never log or print it.</summary>
    /// <returns>The compact-serialized JWT.</returns>
    public string Reveal() => _value;

    /// <summary>A redacted description: audience, subject and expiry, never the token.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"IdToken(aud={Audience}, sub={UnverifiedClaims.Subject}, expires={ExpiresAt:O}, value=[redacted])");
}
