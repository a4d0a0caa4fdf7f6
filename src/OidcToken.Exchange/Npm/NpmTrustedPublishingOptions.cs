namespace OidcToken.Exchange;

/// <summary>
/// Inputs of the npm registry's trusted publishing exchange. <see cref="ExchangeOptions.Audience"/> overrides the audience
/// npm derives from the registry, <c>npm:&lt;registry host name&gt;</c>.
/// </summary>
public sealed class NpmTrustedPublishingOptions : ExchangeOptions
{
    /// <summary>
    /// The registry's URL (npm's <c>registry</c> setting). Required: OidcToken names no registry; take it from the npm
    /// trusted publishing documentation. https, or plain http to a loopback address only.
    /// </summary>
    /// <value>Default <see langword="null"/> (must be set).</value>
    public Uri? RegistryUrl { get; set; }

    /// <summary>
    /// The package to publish, as in <c>package.json</c>: <c>name</c> or <c>@scope/name</c>. It must already exist on the
    /// registry with a trusted publisher for this repository and workflow. Required.
    /// </summary>
    /// <value>Default <see langword="null"/> (must be set). At most 214 characters, URL-safe.</value>
    public string? Package { get; set; }
}
