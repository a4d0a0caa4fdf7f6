namespace OidcToken.Validation;

/// <summary>Offline mode: the keys given in <see cref="GitHubOidcValidationOptions.SigningKeys"/>, nothing fetched.</summary>
internal sealed class StaticKeySource(KeySnapshot keys) : IKeySource
{
    public ValueTask<KeyLookup> FindAsync(string keyId, DateTimeOffset? issuedAt, CancellationToken cancellationToken) =>
        ValueTask.FromResult(keys.TryGet(keyId, out var key)
            ? KeyLookup.Found(key)
            : KeyLookup.Unknown(
                $"the token's kid '{Text.Quote(keyId)}' is not among the {keys.Count} configured signing key(s); "
                + "the token was signed by another key: check the token comes from the expected issuer",
                nameof(GitHubOidcValidationOptions.SigningKeys),
                ", or update SigningKeys with the issuer's current JWKS"));

    public ValueTask<GitHubOidcKeyStatus> StatusAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new GitHubOidcKeyStatus(true, keys.Count, null));

    public void Dispose()
    {
    }
}
