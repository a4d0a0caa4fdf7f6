using Azure.Core.Pipeline;
using Azure.Identity;
using OidcToken.Http;

namespace OidcToken.Azure;

/// <summary>
/// Settings for <see cref="GitHubActionsCredential"/>: the Entra tenant and app whose federated identity credential
/// trusts GitHub, the audience of the GitHub token, and where the GitHub token comes from. Everything Azure.Identity
/// offers for a <see cref="ClientAssertionCredential"/> (<c>AuthorityHost</c>, <c>Transport</c>, <c>Retry</c>,
/// <c>DisableInstanceDiscovery</c>, <c>AdditionallyAllowedTenants</c>, <c>Diagnostics</c>…) is inherited.
/// </summary>
/// <remarks>
/// <para>
/// Retries: <c>Retry.MaxRetries</c>, <c>Retry.Delay</c> and <c>Retry.MaxDelay</c> are applied by the credential itself
/// around each Entra token request (exponential backoff with jitter, <c>Retry-After</c> honoured, a 60-second overall
/// deadline), so every attempt carries a fresh GitHub token. Only Entra's transient answers are retried: network errors,
/// HTTP 408, 429 and 5xx, <c>temporarily_unavailable</c> and AADSTS90006/90024/90033/90090. For that reason this class
/// sets <c>RetryPolicy</c> to a no-retry policy for the Azure.Core pipeline; replacing it adds a second, inner layer
/// of retries that resend the same GitHub token. MSAL itself may also retry a 5xx answer once with the same request.
/// </para>
/// <para>
/// Transport: by default calls go through a handler that never follows redirects. <c>Retry.NetworkTimeout</c>
/// (default here 15 seconds) bounds each attempt.
/// </para>
/// </remarks>
public sealed class GitHubActionsCredentialOptions : ClientAssertionCredentialOptions
{
    /// <summary>The GitHub token audience Entra expects in the public cloud (azure/login's default).</summary>
    public const string DefaultAudience = "api://AzureADTokenExchange";

    /// <summary>The audience Entra expects in Azure Government (<c>login.microsoftonline.us</c>).</summary>
    public const string AzureGovernmentAudience = "api://AzureADTokenExchangeUSGov";

    /// <summary>The audience Entra expects in Azure operated by 21Vianet (<c>login.chinacloudapi.cn</c>).</summary>
    public const string AzureChinaAudience = "api://AzureADTokenExchangeChina";

    private static readonly Lazy<HttpPipelineTransport> RedirectFreeTransport = new(
        () => new HttpClientTransport(new HttpClient(SafeHttp.CreateHandler(), disposeHandler: true)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    private string? _audience;
    private IdTokenSource? _tokenSource;

    /// <summary>Creates options with the defaults described on each property.</summary>
    public GitHubActionsCredentialOptions()
    {
        Retry.MaxRetries = 2;
        Retry.Delay = TimeSpan.FromSeconds(0.8);
        Retry.MaxDelay = TimeSpan.FromSeconds(10);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(15);
        RetryPolicy = new RetryPolicy(maxRetries: 0);
        Transport = RedirectFreeTransport.Value;
    }

    /// <summary>
    /// The Microsoft Entra tenant (directory) id, or a verified domain. Required; only letters, digits, <c>.</c> and
    /// <c>-</c> are allowed.
    /// </summary>
    /// <value>No default: required.</value>
    public string? TenantId { get; set; }

    /// <summary>
    /// The application (client) id of the app registration, or the client id of the user-assigned managed identity,
    /// that holds the federated identity credential. Required.
    /// </summary>
    /// <value>No default: required.</value>
    public string? ClientId { get; set; }

    /// <summary>
    /// The <c>aud</c> to request for the GitHub token; it must equal the federated identity credential's audience.
    /// </summary>
    /// <value>
    /// When not set: <see cref="AzureGovernmentAudience"/> when <c>AuthorityHost</c> is
    /// <see cref="AzureAuthorityHosts.AzureGovernment"/>, <see cref="AzureChinaAudience"/> when it is
    /// <see cref="AzureAuthorityHosts.AzureChina"/>, otherwise <see cref="DefaultAudience"/>. Setting an
    /// empty string returns to that default.
    /// </value>
    public string Audience
    {
        get => string.IsNullOrEmpty(_audience) ? GetDefaultAudience(AuthorityHost) : _audience;
        set => _audience = value;
    }

    /// <summary>Where GitHub ID tokens come from; it is called for a fresh token each time Entra must be asked.</summary>
    /// <value>Default <see cref="IdTokenSources.Runner"/> (this process's runner variables).</value>
    public IdTokenSource TokenSource
    {
        get => _tokenSource ?? IdTokenSources.Runner;
        set => _tokenSource = value;
    }

    /// <summary>Returns the federated-credential audience Entra expects for the cloud of <paramref name="authorityHost"/>.</summary>
    /// <param name="authorityHost">The authority host, e.g. <see cref="AzureAuthorityHosts.AzurePublicCloud"/>.</param>
    /// <returns><see cref="AzureGovernmentAudience"/>, <see cref="AzureChinaAudience"/> or <see cref="DefaultAudience"/>.</returns>
    public static string GetDefaultAudience(Uri? authorityHost)
    {
        if (authorityHost is null)
        {
            return DefaultAudience;
        }

        if (string.Equals(authorityHost.Host, AzureAuthorityHosts.AzureGovernment.Host, StringComparison.OrdinalIgnoreCase))
        {
            return AzureGovernmentAudience;
        }

        return string.Equals(authorityHost.Host, AzureAuthorityHosts.AzureChina.Host, StringComparison.OrdinalIgnoreCase)
            ? AzureChinaAudience
            : DefaultAudience;
    }
}
