namespace OidcToken.Exchange;

/// <summary>
/// Inputs of the crates.io trusted publishing exchange. <see cref="ExchangeOptions.Audience"/> overrides the audience
/// derived from the registry, its URL without the scheme (as the official action computes it).
/// </summary>
public sealed class CratesTrustedPublishingOptions : ExchangeOptions
{
    /// <summary>
    /// The registry's URL. Required: OidcToken names no registry; take it from the crates.io trusted publishing
    /// documentation. https, or plain http to a loopback address only.
    /// </summary>
    /// <value>Default <see langword="null"/> (must be set).</value>
    public Uri? RegistryUrl { get; set; }
}
