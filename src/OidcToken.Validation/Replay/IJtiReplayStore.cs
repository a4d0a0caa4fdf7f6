namespace OidcToken.Validation;

/// <summary>
/// Remembers token ids (<c>jti</c>) until the token expires, so each token is accepted once. Implement it over a shared
/// cache (Redis, a database) when several instances validate tokens; <see cref="InMemoryJtiReplayStore"/> serves one process.
/// </summary>
public interface IJtiReplayStore
{
    /// <summary>Records <paramref name="jti"/> of <paramref name="issuer"/> until <paramref name="expiresAt"/>, atomically.</summary>
    /// <param name="issuer">The token's issuer; ids are unique per issuer.</param>
    /// <param name="jti">The token id.</param>
    /// <param name="expiresAt">When the token expires (plus clock skew); the entry may be forgotten after this.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when the id was new and is now recorded; false when it was already present (a replay) or cannot be recorded.</returns>
    ValueTask<bool> TryAddAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
