using System.Globalization;

namespace OidcToken.Google;

/// <summary>
/// A Google Cloud OAuth 2 access token obtained through workload identity federation (a federated token, or a service
/// account's token when impersonating). The token itself comes only from <see cref="RevealToken"/>, never from a property,
/// so loggers and serializers that walk properties see nothing; <see cref="ToString"/> is redacted.
/// </summary>
public sealed class GoogleAccessToken
{
    private readonly string _token;

    internal GoogleAccessToken(string token, DateTimeOffset? expiresAt, string workloadIdentityProvider, string? serviceAccount, IReadOnlyList<string> scopes)
    {
        _token = token;
        ExpiresAt = expiresAt;
        WorkloadIdentityProvider = workloadIdentityProvider;
        ServiceAccount = serviceAccount;
        Scopes = scopes;
    }

    /// <summary>When the token expires (from Google's <c>expires_in</c> or <c>expireTime</c>), or <see langword="null"/> when Google did not say.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The workload identity provider the GitHub token was exchanged at.</summary>
    public string WorkloadIdentityProvider { get; }

    /// <summary>The impersonated service account, or <see langword="null"/> for a federated token used directly.</summary>
    public string? ServiceAccount { get; }

    /// <summary>The OAuth scopes requested.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>Returns the access token, for an <c>Authorization: Bearer</c> header. Never log it.</summary>
    /// <returns>The token.</returns>
    public string RevealToken() => _token;

    /// <summary>Describes the token without revealing it.</summary>
    /// <returns>Expiry, provider and service account; the token is shown as <c>[redacted]</c>.</returns>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"GoogleAccessToken {{ Token = [redacted], ExpiresAt = {ExpiresAt?.ToString("O", CultureInfo.InvariantCulture) ?? "unknown"}, ServiceAccount = {ServiceAccount ?? "(none: federated token)"}, Provider = {WorkloadIdentityProvider} }}");
}
