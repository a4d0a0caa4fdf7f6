namespace OidcToken.Testing;

/// <summary>
/// Settings for <see cref="MockGoogleCloud.Start(MockGoogleCloudOptions?)"/>: the workload identity provider it
/// pretends to be, what it accepts, and the lifetimes of the tokens it issues. Values are copied when the mock
/// starts; changing this object afterwards has no effect on a running mock.
/// </summary>
public sealed class MockGoogleCloudOptions
{
    /// <summary>The TCP port to listen on at 127.0.0.1. Default <c>0</c>: any free port.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The only provider STS knows, as <c>projects/&lt;number&gt;/locations/global/workloadIdentityPools/&lt;pool&gt;/providers/&lt;provider&gt;</c>;
    /// an exchange naming another answers Google's <c>invalid_target</c>. <see langword="null"/> (the default) accepts
    /// every well-formed provider name.
    /// </summary>
    public string? WorkloadIdentityProvider { get; set; }

    /// <summary>
    /// The provider's <c>allowed_audiences</c>: the GitHub token's <c>aud</c> must be one of them. Empty (the default) applies
    /// Google's rule for a provider without allowed audiences: <c>aud</c> must be the provider's full name with
    /// <c>https:</c> or without (<c>https://iam.googleapis.com/projects/…</c> or <c>//iam.googleapis.com/projects/…</c>).
    /// </summary>
    public IList<string> AllowedAudiences { get; } = new List<string>();

    /// <summary>
    /// The provider's attribute condition, as a predicate over the GitHub token's claims (each value is the claim's string,
    /// or its raw JSON for other types). <see langword="null"/> (the default) accepts every token. When it returns
    /// <see langword="false"/>, STS answers <c>unauthorized_client</c>, "The given credential is rejected by the attribute condition."
    /// </summary>
    public Func<IReadOnlyDictionary<string, string>, bool>? AttributeCondition { get; set; }

    /// <summary>
    /// The service accounts the federated principal may impersonate (emails, compared without case). Empty (the default)
    /// allows every one; another answers 403 <c>PERMISSION_DENIED</c>, as a missing <c>roles/iam.workloadIdentityUser</c> binding does.
    /// </summary>
    public ISet<string> ServiceAccounts { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The <c>expires_in</c> of federated (STS) access tokens. Must be positive. Default 1 hour, as Google's.</summary>
    public TimeSpan FederatedTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The longest lifetime of an impersonated access token; a request's <c>lifetime</c> is capped to it. Must be positive.
    /// Default 1 hour, as Google's without the lifetime-extension policy.
    /// </summary>
    public TimeSpan MaxImpersonatedTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The clock for token expiry and the request log. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
