namespace OidcToken;

/// <summary>
/// Supplies a GitHub ID token for an audience. Credential exchanges take one instead of a client, so they work
/// with the runner, a token given on stdin, or any other source. Exchanges call it for every attempt at a
/// single-use target and for every credential refresh, so a source should return a fresh token each call.
/// </summary>
/// <param name="audience">The audience (<c>aud</c>) the target requires.</param>
/// <param name="cancellationToken">Cancels the request.</param>
/// <returns>The raw JWT.</returns>
public delegate ValueTask<string> IdTokenSource(string audience, CancellationToken cancellationToken);

/// <summary>Ready-made <see cref="IdTokenSource"/>s.</summary>
public static class IdTokenSources
{
    private static readonly Lazy<GitHubOidcClient> SharedClient = new(() => new GitHubOidcClient(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The runner of this process: a fresh token from <c>ACTIONS_ID_TOKEN_REQUEST_URL</c> on every call.</summary>
    public static IdTokenSource Runner { get; } = FromClient(SharedClient.Value);

    /// <summary>A fresh token from <paramref name="client"/> on every call (it still shares in-flight requests and masks).</summary>
    /// <param name="client">The client.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public static IdTokenSource FromClient(GitHubOidcClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return async (audience, cancellationToken) =>
            (await client.GetTokenAsync(audience, IdTokenRequestOptions.Fresh, cancellationToken).ConfigureAwait(false)).Reveal();
    }

    /// <summary>
    /// Always the same token, whatever audience is asked for (for example one read from stdin). The target checks its
    /// audience; single-use targets accept it once, so a retry after the target has seen it fails there.
    /// </summary>
    /// <param name="token">The raw JWT.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException"><paramref name="token"/> is empty.</exception>
    public static IdTokenSource FromToken(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        var trimmed = token.Trim();
        return (_, _) => ValueTask.FromResult(trimmed);
    }
}
