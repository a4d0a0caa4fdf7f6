namespace OidcToken.Exchange;

/// <summary>
/// Where and how to log in to HashiCorp Vault with the JWT auth method. <see cref="ExchangeOptions.Audience"/> is the
/// <c>aud</c> to request: <see langword="null"/> requests GitHub's default audience (<c>https://github.com/&lt;owner&gt;</c>),
/// which is what Vault's documented GitHub setup puts in the role's <c>bound_audiences</c>.
/// </summary>
public sealed class VaultJwtLoginOptions : ExchangeOptions
{
    /// <summary>
    /// The Vault server's address (what <c>VAULT_ADDR</c> holds), for example <c>https://vault.example.com:8200</c>; a path
    /// prefix is kept. Required. https, or plain http to a loopback address only.
    /// </summary>
    /// <value>Default <see langword="null"/> (must be set).</value>
    public Uri? Address { get; set; }

    /// <summary>The JWT auth role to log in with. <see langword="null"/> uses the auth method's <c>default_role</c>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? Role { get; set; }

    /// <summary>The path the JWT auth method is mounted at (<c>vault auth enable -path=…</c>), without <c>auth/</c>.</summary>
    /// <value>Letters, digits, <c>_ . -</c> and inner <c>/</c>. Default <c>jwt</c>.</value>
    public string MountPath { get; set; } = "jwt";

    /// <summary>The Vault Enterprise namespace, sent as <c>X-Vault-Namespace</c>; <see langword="null"/> sends none.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? Namespace { get; set; }

    /// <summary>
    /// A PEM file of CA certificates to trust for the Vault server's TLS certificate <b>instead of</b> the system's
    /// trusted roots (a private CA). The host name is still checked. The file is read when the login starts; an unreadable
    /// file, or one without a certificate, is an <see cref="ArgumentException"/>.
    /// </summary>
    /// <value>Default <see langword="null"/>: the system's trusted roots.</value>
    public string? CaCertificateFile { get; set; }
}
