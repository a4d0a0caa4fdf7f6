using System.Globalization;

namespace OidcToken.Exchange;

/// <summary>
/// A token <see cref="GoogleTokenExchange"/> minted. The token is available only through <see cref="Reveal"/>;
/// <see cref="ToString"/> is redacted.
/// </summary>
public sealed class GoogleToken
{
    private readonly string _value;

    internal GoogleToken(string value, GoogleTokenFormat format, DateTimeOffset expiresAt, string? serviceAccount)
    {
        _value = value;
        Format = format;
        ExpiresAt = expiresAt;
        ServiceAccount = serviceAccount;
    }

    /// <summary>An access token or an ID token.</summary>
    public GoogleTokenFormat Format { get; }

    /// <summary>When the token expires: STS's <c>expires_in</c>, IAM's <c>expireTime</c>, or the ID token's <c>exp</c>.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The service account the token acts as, or <see langword="null"/> for a federated token (direct workload identity federation).</summary>
    public string? ServiceAccount { get; }

    /// <summary>Returns the token: send an access token as <c>Authorization: Bearer</c>. Treat it as a secret.</summary>
    /// <returns>The token.</returns>
    public string Reveal() => _value;

    /// <summary>A redacted description: format, service account and expiry, never the token.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"GoogleToken {{ Format = {Format}, ServiceAccount = {ServiceAccount ?? "(none: federated token)"}, ExpiresAt = {ExpiresAt:yyyy-MM-dd'T'HH:mm:ss'Z'}, Token = (redacted) }}");
}
