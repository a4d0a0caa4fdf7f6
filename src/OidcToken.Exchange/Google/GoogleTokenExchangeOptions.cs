namespace OidcToken.Exchange;

/// <summary>
/// What <see cref="GoogleTokenExchange.GetTokenAsync"/> mints, and from which workload identity provider. The retry,
/// deadline, clock and logging settings are <see cref="ExchangeOptions"/>'; <see cref="ExchangeOptions.Audience"/>, when
/// set, overrides <see cref="GoogleCredentialConfiguration.Audience"/>.
/// </summary>
public sealed class GoogleTokenExchangeOptions : ExchangeOptions
{
    /// <summary>The longest <see cref="AccessTokenLifetime"/> Google allows (with the lifetime-extension organization policy): 12 hours.</summary>
    public static readonly TimeSpan MaxAccessTokenLifetime = TimeSpan.FromHours(12);

    /// <summary>
    /// The provider, service account and endpoints: the same object that writes the credential-configuration file, so the
    /// token minted here proves that file works. Required.
    /// </summary>
    /// <value>Default <see langword="null"/> (an <see cref="ArgumentException"/> when the exchange starts).</value>
    public GoogleCredentialConfiguration? Configuration { get; set; }

    /// <summary>Which token to mint.</summary>
    /// <value>Default <see cref="GoogleTokenFormat.AccessToken"/>.</value>
    public GoogleTokenFormat TokenFormat { get; set; } = GoogleTokenFormat.AccessToken;

    /// <summary>
    /// The OAuth scopes of an access token. Empty means <c>https://www.googleapis.com/auth/cloud-platform</c>. Without a
    /// service account they are STS's <c>scope</c>; with one, <c>generateAccessToken</c>'s (STS then gets cloud-platform,
    /// which impersonation needs).
    /// </summary>
    public IList<string> Scopes { get; } = new List<string>();

    /// <summary>
    /// The lifetime of an impersonated access token (<c>generateAccessToken</c>'s <c>lifetime</c>); needs a service account.
    /// More than 1 hour needs the organization policy <c>constraints/iam.allowServiceAccountCredentialLifetimeExtension</c>.
    /// </summary>
    /// <value>1 second to 12 hours, or <see langword="null"/> (the default) for Google's default of 1 hour.</value>
    public TimeSpan? AccessTokenLifetime { get; set; }

    /// <summary>
    /// The delegation chain for impersonation (<c>delegates</c>): service accounts, by email or as
    /// <c>projects/-/serviceAccounts/&lt;email&gt;</c>, each granting <c>roles/iam.serviceAccountTokenCreator</c> on the
    /// next, the last on <see cref="GoogleCredentialConfiguration.ServiceAccount"/>. Needs a service account.
    /// </summary>
    public IList<string> Delegates { get; } = new List<string>();

    /// <summary>The <c>aud</c> of a minted ID token (<see cref="GoogleTokenFormat.IdToken"/>): required for it, for example a Cloud Run service's URL.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? IdTokenAudience { get; set; }

    /// <summary>Whether a minted ID token carries the service account's <c>email</c> and <c>email_verified</c> claims (<c>includeEmail</c>).</summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool IncludeEmail { get; set; }
}
