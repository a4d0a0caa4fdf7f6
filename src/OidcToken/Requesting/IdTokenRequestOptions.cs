namespace OidcToken;

/// <summary>Per-call options for <see cref="GitHubOidcClient.GetTokenAsync(string?, IdTokenRequestOptions?, CancellationToken)"/>.</summary>
public sealed class IdTokenRequestOptions
{
    /// <summary>A shared instance that demands a fresh token.</summary>
    public static IdTokenRequestOptions Fresh { get; } = new() { ForceRefresh = true };

    /// <summary>
    /// When true, a new token is requested even if a cached one is still valid (single-use targets need this);
    /// the new token then replaces the cached one. The default value is <see langword="false"/>.
    /// </summary>
    public bool ForceRefresh { get; init; }
}
