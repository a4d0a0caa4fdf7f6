namespace OidcToken.Exchange;

/// <summary>
/// Inputs of a Python package index's trusted publishing exchange (the protocol of PEP 807). <see cref="ExchangeOptions.Audience"/>
/// overrides the audience the index announces at <c>/_/oidc/audience</c>; leave it <see langword="null"/> to ask the index.
/// </summary>
public sealed class PyPITrustedPublishingOptions : ExchangeOptions
{
    /// <summary>
    /// The index's upload URL (what twine's <c>--repository-url</c> takes); only its scheme, host and port are used, for
    /// <c>/_/oidc/audience</c> and <c>/_/oidc/mint-token</c>. Required: OidcToken names no index; take it from the index's
    /// trusted publishing documentation. https, or plain http to a loopback address only.
    /// </summary>
    /// <value>Default <see langword="null"/> (must be set).</value>
    public Uri? RepositoryUrl { get; set; }
}
