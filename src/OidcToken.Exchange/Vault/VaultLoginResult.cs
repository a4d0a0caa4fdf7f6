using System.Globalization;

namespace OidcToken.Exchange;

/// <summary>
/// A Vault token from a JWT login (<c>auth</c> in Vault's answer). The token is available only through
/// <see cref="RevealClientToken"/>; <see cref="ToString"/> is redacted.
/// </summary>
public sealed class VaultLoginResult
{
    private readonly string _clientToken;

    internal VaultLoginResult(string clientToken, string? accessor, IReadOnlyList<string> policies, TimeSpan leaseDuration, bool renewable)
    {
        _clientToken = clientToken;
        Accessor = accessor;
        Policies = policies;
        LeaseDuration = leaseDuration;
        Renewable = renewable;
    }

    /// <summary>The token's accessor (<c>auth.accessor</c>), which can look the token up or revoke it but not use it; <see langword="null"/> when Vault sent none.</summary>
    public string? Accessor { get; }

    /// <summary>The policies attached to the token (<c>auth.policies</c>).</summary>
    public IReadOnlyList<string> Policies { get; }

    /// <summary>How long the token is valid from the login (<c>auth.lease_duration</c>); zero for a token that does not expire.</summary>
    public TimeSpan LeaseDuration { get; }

    /// <summary>Whether the token can be renewed (<c>auth.renewable</c>).</summary>
    public bool Renewable { get; }

    /// <summary>Returns the Vault token (<c>auth.client_token</c>), to send as <c>X-Vault-Token</c>. Treat it as a secret.</summary>
    /// <returns>The token.</returns>
    public string RevealClientToken() => _clientToken;

    /// <summary>A redacted description: policies, lease and renewability, never the token.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"VaultLoginResult(policies=[{string.Join(",", Policies)}], lease={(long)LeaseDuration.TotalSeconds}s, renewable={Renewable}, token=[redacted])");
}
