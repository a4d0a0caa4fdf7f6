using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OidcToken.Validation;

namespace OidcToken.AspNetCore;

/// <summary>
/// Settings of the GitHub OIDC authentication scheme. The validator settings carry the names and defaults of
/// <see cref="GitHubOidcValidationOptions"/> and are checked the same way, once, when the application starts
/// (<c>ValidateOnStart</c>): a wrong setting stops the start with every problem listed. They can be set in code or bound
/// from configuration (<c>Authentication:Schemes:GitHubOidc</c>; see the package README for the keys).
/// </summary>
public sealed class GitHubOidcAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <inheritdoc cref="GitHubOidcValidationOptions.Issuer"/>
    public string Issuer { get; set; } = GitHubIssuers.GitHubCom;

    /// <inheritdoc cref="GitHubOidcValidationOptions.AcceptEnterpriseSlugIssuer"/>
    public bool AcceptEnterpriseSlugIssuer { get; set; }

    /// <inheritdoc cref="GitHubOidcValidationOptions.Audiences"/>
    public IList<string> Audiences { get; set; } = new List<string>();

    /// <inheritdoc cref="GitHubOidcValidationOptions.AllowDefaultAudience"/>
    public bool AllowDefaultAudience { get; set; }

    /// <inheritdoc cref="GitHubOidcValidationOptions.Policy"/>
    public GitHubClaimPolicy? Policy { get; set; }

    /// <inheritdoc cref="GitHubOidcValidationOptions.ClockSkew"/>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <inheritdoc cref="GitHubOidcValidationOptions.MaxTokenAge"/>
    public TimeSpan? MaxTokenAge { get; set; }

    /// <inheritdoc cref="GitHubOidcValidationOptions.MaxTokenLength"/>
    public int MaxTokenLength { get; set; } = 16 * 1024;

    /// <inheritdoc cref="GitHubOidcValidationOptions.SigningKeys"/>
    public JsonWebKeySet? SigningKeys { get; set; }

    /// <inheritdoc cref="GitHubOidcValidationOptions.RefreshInterval"/>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <inheritdoc cref="GitHubOidcValidationOptions.AutomaticRefreshInterval"/>
    public TimeSpan AutomaticRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <inheritdoc cref="GitHubOidcValidationOptions.HttpClient"/>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// Turns on the <c>jti</c> replay guard: each token is accepted once, across every instance that shares the store.
    /// When the store cannot record a token's id (unreachable, too slow) the request is answered 503, never accepted
    /// unguarded.
    /// </summary>
    /// <value>
    /// Default null (off). <see cref="InMemoryJtiReplayStore"/> serves one instance; several instances behind a load
    /// balancer need a shared store such as <c>RedisJtiReplayStore</c> (package <c>OidcToken.Validation.Redis</c>).
    /// </value>
    public IJtiReplayStore? ReplayStore { get; set; }

    /// <summary>The <c>Retry-After</c> sent with a 503 answer (keys or replay store unavailable).</summary>
    /// <value>Default 30 seconds; 1 second to 1 hour.</value>
    public TimeSpan RetryAfter { get; set; } = DefaultRetryAfter;

    /// <summary>The default <see cref="RetryAfter"/>, also what the JwtBearer bridge sends.</summary>
    internal static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>The validator settings these options describe (the scheme's clock and logging included).</summary>
    internal GitHubOidcValidationOptions ToValidationOptions(Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory) => new()
    {
        Issuer = Issuer,
        AcceptEnterpriseSlugIssuer = AcceptEnterpriseSlugIssuer,
        Audiences = Audiences,
        AllowDefaultAudience = AllowDefaultAudience,
        Policy = Policy,
        ClockSkew = ClockSkew,
        MaxTokenAge = MaxTokenAge,
        MaxTokenLength = MaxTokenLength,
        SigningKeys = SigningKeys,
        RefreshInterval = RefreshInterval,
        AutomaticRefreshInterval = AutomaticRefreshInterval,
        HttpClient = HttpClient,
        TimeProvider = TimeProvider,
        LoggerFactory = loggerFactory,
        ReplayStore = ReplayStore,
    };
}
