namespace OidcToken.Exchange;

/// <summary>Which Google token <see cref="GoogleTokenExchange"/> mints (google-github-actions/auth's <c>token_format</c>).</summary>
public enum GoogleTokenFormat
{
    /// <summary>
    /// An OAuth 2.0 access token: the federated token from STS, or, with a service account, one minted by IAM Credentials
    /// <c>generateAccessToken</c>.
    /// </summary>
    AccessToken = 0,

    /// <summary>A Google-signed OIDC ID token for a service account, minted by IAM Credentials <c>generateIdToken</c> (needs a service account).</summary>
    IdToken = 1,
}
