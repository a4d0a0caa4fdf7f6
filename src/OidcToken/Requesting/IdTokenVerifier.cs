namespace OidcToken;

/// <summary>
/// A check the client runs on every freshly received token before returning or caching it, for example
/// the signature and claim-policy verifier that <c>OidcToken.Validation</c> provides.
/// </summary>
public abstract class IdTokenVerifier
{
    /// <summary>Verifies <paramref name="token"/>; completes normally when it is acceptable.</summary>
    /// <param name="token">The token just received.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the token is accepted.</returns>
    /// <exception cref="OidcTokenException">
    /// The token is not acceptable (use <see cref="OidcTokenErrorCode.TokenVerificationFailed"/>), or the keys
    /// needed to check it could not be fetched.
    /// </exception>
    public abstract ValueTask VerifyAsync(IdToken token, CancellationToken cancellationToken);
}
