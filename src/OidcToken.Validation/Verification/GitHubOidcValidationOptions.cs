using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace OidcToken.Validation;

/// <summary>
/// Settings of a <see cref="GitHubOidcTokenValidator"/>. Plain properties; the validator checks them once when it is
/// constructed and reports every problem in one <see cref="ArgumentException"/>. Changing the object afterwards has no effect.
/// </summary>
public sealed class GitHubOidcValidationOptions
{
    /// <summary>The issuer to trust: matched exactly against the token's <c>iss</c> and discovery's <c>issuer</c>.</summary>
    /// <value>
    /// Default <see cref="GitHubIssuers.GitHubCom"/>. An absolute https URL; plain http only when the host is loopback
    /// (an IP literal in 127.0.0.0/8, <c>::1</c>, or exactly <c>localhost</c>). See <see cref="GitHubIssuers"/>.
    /// </value>
    public string Issuer { get; set; } = GitHubIssuers.GitHubCom;

    /// <summary>
    /// Also accept <c>iss</c> equal to <see cref="Issuer"/> + <c>/</c> + one enterprise slug segment (letters, digits, '-'),
    /// the form GitHub uses when an enterprise enables its unique issuer. Discovery and keys are still read from <see cref="Issuer"/>.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool AcceptEnterpriseSlugIssuer { get; set; }

    /// <summary>The audiences this service accepts; the token's <c>aud</c> must equal one of them exactly (ordinal).</summary>
    /// <value>Default empty, which is refused: at least one entry is required, none empty or whitespace.</value>
    public IList<string> Audiences { get; set; } = new List<string>();

    /// <summary>
    /// Allows an audience shaped like GitHub's default (<c>https://github.com/&lt;owner&gt;</c>, or on GitHub Enterprise
    /// Server <c>https://&lt;host&gt;/&lt;owner&gt;</c>). Such an audience is shared by every service in the organization,
    /// so a token meant for any of them would be accepted here; prefer a custom audience.
    /// </summary>
    /// <value>Default <see langword="false"/>: such an audience is refused at construction.</value>
    public bool AllowDefaultAudience { get; set; }

    /// <summary>The claim policy every token must satisfy, built with <see cref="GitHubClaimPolicy.CreateBuilder"/>.</summary>
    /// <value>Default null, which is refused: a policy is required.</value>
    public GitHubClaimPolicy? Policy { get; set; }

    /// <summary>Tolerance for clock differences when checking <c>exp</c>, <c>nbf</c> and <see cref="MaxTokenAge"/>.</summary>
    /// <value>Default 60 seconds; range 0 to 5 minutes.</value>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>When set, a token whose <c>iat</c> is longer ago than this (plus <see cref="ClockSkew"/>) is refused as too old.</summary>
    /// <value>Default null (no limit beyond <c>exp</c>); when set, greater than zero.</value>
    public TimeSpan? MaxTokenAge { get; set; }

    /// <summary>Tokens longer than this many characters are refused before any parsing.</summary>
    /// <value>Default 16384 (16 KiB); range 1024 to 65536.</value>
    public int MaxTokenLength { get; set; } = 16 * 1024;

    /// <summary>Offline mode: validate with these keys only; no discovery and no network access.</summary>
    /// <value>Default null (keys come from the issuer's discovery document and JWKS). When set, must contain at least one key.</value>
    public JsonWebKeySet? SigningKeys { get; set; }

    /// <summary>The least time between two fetches of the JWKS caused by tokens with an unknown <c>kid</c>.</summary>
    /// <value>Default 60 seconds; range 1 to 60 seconds. A rotated key is accepted at most this long after it is published.</value>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often discovery and the JWKS are fetched again on schedule.</summary>
    /// <value>Default 1 hour; range 5 minutes to 24 hours.</value>
    public TimeSpan AutomaticRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The client for discovery and JWKS requests. It should not follow redirects (the validator's own handler does not);
    /// response bodies are capped at 64 KiB either way. The validator does not dispose a client it was given.
    /// </summary>
    /// <value>Default null: the validator uses its own redirect-free <see cref="System.Net.Http.SocketsHttpHandler"/>.</value>
    public HttpClient? HttpClient { get; set; }

    /// <summary>The clock for lifetime checks and replay-store expiry.</summary>
    /// <value>Default null, meaning <see cref="System.TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where the validator logs key fetches and refusals (never a token).</summary>
    /// <value>Default null: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Turns on the <c>jti</c> replay guard: each token is accepted once; a token without <c>jti</c> is refused.</summary>
    /// <value>Default null (off). Use <see cref="InMemoryJtiReplayStore"/> for one process, or a shared store for several.</value>
    public IJtiReplayStore? ReplayStore { get; set; }
}
