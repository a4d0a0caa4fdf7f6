using System.Text.Json;

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
    /// Sets <see cref="AttributeCondition"/> and <see cref="AllowedAudiences"/> from a workload identity provider resource
    /// (what <c>oidc-token doctor --trust gcp --format json</c> prints): <c>attributeCondition</c>, CEL comparisons
    /// <c>assertion.CLAIM == 'value'</c> (or <c>!=</c>) joined by <c>&amp;&amp;</c>, the part of CEL the mock evaluates; and
    /// <c>oidc.allowedAudiences</c>, replacing the allowed audiences (none listed: Google's default rule). The
    /// <c>attributeMapping</c> is not evaluated.
    /// </summary>
    /// <param name="providerJson">The provider's JSON.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException">It is not a JSON object, or the condition uses more of CEL than the mock evaluates.</exception>
    public MockGoogleCloudOptions UseProvider(string providerJson)
    {
        ArgumentNullException.ThrowIfNull(providerJson);
        try
        {
            using var document = JsonDocument.Parse(providerJson);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("A workload identity provider is a JSON object.", nameof(providerJson));
            }

            AttributeCondition = root.TryGetProperty("attributeCondition", out var condition) && condition.GetString() is { Length: > 0 } expression
                ? CelCondition.Parse(expression)
                : null;
            AllowedAudiences.Clear();
            if (root.TryGetProperty("oidc", out var oidc) && oidc.TryGetProperty("allowedAudiences", out var audiences))
            {
                foreach (var audience in audiences.EnumerateArray())
                {
                    AllowedAudiences.Add(audience.GetString()!);
                }
            }

            return this;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw new ArgumentException("The workload identity provider is not valid JSON: " + exception.Message, nameof(providerJson), exception);
        }
    }

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
