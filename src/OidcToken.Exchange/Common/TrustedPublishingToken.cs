using System.Globalization;

namespace OidcToken.Exchange;

/// <summary>
/// A short-lived publishing credential from a package registry's trusted publishing exchange (a NuGet API key, a PyPI
/// upload token, an npm token, a crates.io token). The secret is available only through <see cref="RevealToken"/>,
/// never a property, so loggers and serializers that walk properties see nothing; <see cref="ToString"/> is redacted.
/// </summary>
public sealed class TrustedPublishingToken
{
    private readonly string _token;

    internal TrustedPublishingToken(string registry, string token, DateTimeOffset? expiresAt)
    {
        Registry = registry;
        _token = token;
        ExpiresAt = expiresAt;
    }

    /// <summary>Which registry issued it: <c>NuGet</c>, <c>PyPI</c>, <c>npm</c> or <c>crates.io</c>.</summary>
    public string Registry { get; }

    /// <summary>When the credential expires, as the registry said; <see langword="null"/> when the registry does not say (npm, crates.io).</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Returns the credential. Treat it as a secret: never log or print it; mask it in workflow logs.</summary>
    /// <returns>The API key or token, exactly as the registry returned it.</returns>
    public string RevealToken() => _token;

    /// <summary>A redacted description: registry and expiry, never the credential.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"TrustedPublishingToken(registry={Registry}, expires={(ExpiresAt is { } at ? at.ToString("O", CultureInfo.InvariantCulture) : "unknown")}, value=[redacted])");
}
