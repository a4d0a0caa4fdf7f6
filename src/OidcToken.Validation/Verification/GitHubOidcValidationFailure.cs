namespace OidcToken.Validation;

/// <summary>Why a token was not accepted. Values are explicit and never renumbered.</summary>
public enum GitHubOidcValidationFailure
{
    /// <summary>The token is valid.</summary>
    None = 0,

    /// <summary>Not a JWS compact token: not three base64url segments, or header/payload not a JSON object, or duplicate member names.</summary>
    Malformed = 1,

    /// <summary>Longer than <see cref="GitHubOidcValidationOptions.MaxTokenLength"/>.</summary>
    TooLarge = 2,

    /// <summary>Five segments: an encrypted JWE, which GitHub never issues.</summary>
    Encrypted = 3,

    /// <summary>The header's <c>alg</c> is not <c>RS256</c> (including <c>none</c>, <c>HS256</c>, <c>RS384</c>, <c>PS256</c>).</summary>
    AlgorithmNotAllowed = 4,

    /// <summary>The header carries <c>crit</c>, <c>jwk</c>, <c>jku</c>, <c>x5u</c> or <c>x5c</c>; key material from a token is never trusted.</summary>
    ForbiddenHeader = 5,

    /// <summary>The header has no <c>kid</c>.</summary>
    MissingKeyId = 6,

    /// <summary>The <c>kid</c> is not in the issuer's JWKS, also after a refresh.</summary>
    UnknownKey = 7,

    /// <summary>The signature does not verify with the key named by <c>kid</c>.</summary>
    InvalidSignature = 8,

    /// <summary><c>iss</c> is not the configured issuer.</summary>
    InvalidIssuer = 9,

    /// <summary><c>aud</c> is not one of the configured audiences.</summary>
    InvalidAudience = 10,

    /// <summary><c>exp</c> plus the clock skew is in the past.</summary>
    Expired = 11,

    /// <summary><c>nbf</c> minus the clock skew is in the future.</summary>
    NotYetValid = 12,

    /// <summary>The token has no <c>exp</c>.</summary>
    MissingExpiration = 13,

    /// <summary>The token was issued longer ago than <see cref="GitHubOidcValidationOptions.MaxTokenAge"/>.</summary>
    TooOld = 14,

    /// <summary>A claim does not satisfy the <see cref="GitHubClaimPolicy"/>.</summary>
    PolicyViolation = 15,

    /// <summary>The token's <c>jti</c> was seen before (or is missing) while the replay guard is on.</summary>
    Replayed = 16,

    /// <summary>Discovery or the JWKS could not be fetched or was not trustworthy; see <see cref="GitHubOidcFailureKind.KeysUnavailable"/>.</summary>
    KeysUnavailable = 17,

    /// <summary>
    /// A segment is base64url with unused low bits set in its last character: the same bytes could be written as
    /// different text, which would let one signed token pass text-based deduplication or replay checks in several forms.
    /// </summary>
    NonCanonicalEncoding = 18,

    /// <summary>The replay store could not record the token's <c>jti</c>; see <see cref="GitHubOidcFailureKind.ReplayStoreUnavailable"/>.</summary>
    ReplayStoreUnavailable = 19,
}
