using System.Globalization;

namespace OidcToken.Azure;

/// <summary>
/// An Entra access token obtained with a GitHub ID token, from
/// <see cref="GitHubActionsCredential.GetTokenAsync(IdTokenSource, GitHubActionsCredentialOptions, string[], CancellationToken)"/>.
/// The token itself comes only from <see cref="RevealToken"/>, never a property, so loggers and serializers that walk
/// properties see nothing; <see cref="ToString"/> is redacted.
/// </summary>
public sealed class AzureAccessToken
{
    private readonly string _token;

    internal AzureAccessToken(string token, string tokenType, DateTimeOffset expiresOn, DateTimeOffset? refreshOn, IReadOnlyList<string> scopes, string tenantId, string clientId)
    {
        _token = token;
        TokenType = tokenType;
        ExpiresOn = expiresOn;
        RefreshOn = refreshOn;
        Scopes = scopes;
        TenantId = tenantId;
        ClientId = clientId;
    }

    /// <summary>The token type for the <c>Authorization</c> header, normally <c>Bearer</c>.</summary>
    public string TokenType { get; }

    /// <summary>When the access token expires.</summary>
    public DateTimeOffset ExpiresOn { get; }

    /// <summary>When Entra suggests refreshing it, if it said.</summary>
    public DateTimeOffset? RefreshOn { get; }

    /// <summary>The scopes it was requested for, e.g. <c>https://management.azure.com/.default</c>.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>The tenant that issued it.</summary>
    public string TenantId { get; }

    /// <summary>The app (client) id it was issued to.</summary>
    public string ClientId { get; }

    /// <summary>Returns the access token. It is a secret: never log it.</summary>
    /// <returns>The raw access token.</returns>
    public string RevealToken() => _token;

    /// <summary>Describes the token without revealing it.</summary>
    /// <returns>The token type, scopes, tenant, client and expiry, with the token redacted.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"AzureAccessToken {{ TokenType = {TokenType}, Scopes = {string.Join(' ', Scopes)}, TenantId = {TenantId}, ClientId = {ClientId}, ExpiresOn = {ExpiresOn:O}, Token = [redacted] }}");
}
