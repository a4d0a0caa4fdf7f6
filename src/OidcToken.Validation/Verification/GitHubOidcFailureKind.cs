namespace OidcToken.Validation;

/// <summary>Whether a validation failed because of the token, or because what is needed to judge it (keys, the replay store) was unavailable.</summary>
public enum GitHubOidcFailureKind
{
    /// <summary>The token is valid.</summary>
    None = 0,

    /// <summary>The token is not acceptable: reject it (HTTP 401/403 for a service).</summary>
    Invalid = 1,

    /// <summary>
    /// Discovery or the JWKS could not be fetched or was not trustworthy, and no cached key applies: the token was
    /// not judged. Treat as a temporary server-side problem (HTTP 503), not as a bad token.
    /// </summary>
    KeysUnavailable = 2,

    /// <summary>
    /// The token passed every other check but the replay store (<see cref="GitHubOidcValidationOptions.ReplayStore"/>)
    /// could not record its id: it threw or did not answer in time. The token was not accepted, and not judged a replay;
    /// treat as a temporary server-side problem (HTTP 503).
    /// </summary>
    ReplayStoreUnavailable = 3,
}
