namespace OidcToken.Exchange;

/// <summary>
/// Inputs of the NuGet gallery's trusted publishing exchange. <see cref="TokenServiceUrl"/>, <see cref="ExchangeOptions.Audience"/>
/// and <see cref="User"/> are all required: OidcToken names no gallery, so take both values from the NuGet gallery's
/// trusted publishing documentation (the audience is the one the gallery validates the GitHub token's <c>aud</c> against).
/// </summary>
public sealed class NuGetTrustedPublishingOptions : ExchangeOptions
{
    /// <summary>The gallery's token service URL (it ends in <c>/api/v2/token</c>). Required. https, or plain http to a loopback address only.</summary>
    /// <value>Default <see langword="null"/> (must be set).</value>
    public Uri? TokenServiceUrl { get; set; }

    /// <summary>
    /// The gallery profile name (not e-mail) of the user who <b>created</b> the trusted publishing policy, sent as
    /// <c>username</c>; for a policy owned by an organization it is still the creator's name, not the organization's. Required.
    /// </summary>
    /// <value>Default <see langword="null"/> (must be set).</value>
    public string? User { get; set; }
}
