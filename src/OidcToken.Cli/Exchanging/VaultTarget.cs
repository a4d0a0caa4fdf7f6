using System.CommandLine;
using OidcToken.Exchange;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>oidc-token exchange vault [--role R] [--path MOUNT] [--namespace NS] [--ca-file PEM]</c>: HashiCorp Vault's JWT
/// auth login (OidcToken.Exchange). Prints VAULT_TOKEN and VAULT_ADDR (and VAULT_NAMESPACE, VAULT_CACERT when given); the
/// step outputs <c>vault-policies</c>, <c>vault-lease-duration</c> and <c>vault-expiration</c> describe the token;
/// <c>oidc-token cleanup</c> revokes the token.
/// </summary>
internal static class VaultTarget
{
    internal static Command Create(CliContext context)
    {
        var role = new Option<string?>("--role") { Description = "The JWT auth role to log in with. Default: the auth method's default_role." };
        var path = new Option<string?>("--path") { Description = "The path the JWT auth method is mounted at (without auth/). Default: jwt." };
        var vaultNamespace = new Option<string?>("--namespace") { Description = "The Vault Enterprise namespace (X-Vault-Namespace). Default: VAULT_NAMESPACE, else none." };
        var caFile = new Option<string?>("--ca-file")
        {
            Description = "A PEM bundle of CA certificates to trust for Vault's TLS certificate instead of the system's. Default: VAULT_CACERT, else the system's roots.",
        };

        return ExchangeCommand.CreateTarget(
            "vault",
            "A HashiCorp Vault token through the JWT auth method: exports VAULT_TOKEN and VAULT_ADDR (VAULT_NAMESPACE, VAULT_CACERT when given). " +
            "'oidc-token cleanup' revokes the token at the end of the job.",
            context,
            "The Vault server's address, e.g. https://vault.example.com:8200 (https; http only to loopback). Default: VAULT_ADDR. Required one way or the other.",
            "The aud of the GitHub token; it must be in the role's bound_audiences. Default: GitHub's default audience, https://github.com/<owner>.",
            [role, path, vaultNamespace, caFile],
            (parseResult, inputs) =>
            {
                var environment = inputs.Context.Environment;
                var address = inputs.Endpoint;
                if (address is null && !inputs.EndpointGiven && NonEmpty(environment("VAULT_ADDR")) is { } fromEnvironment)
                {
                    if (!Uri.TryCreate(fromEnvironment, UriKind.Absolute, out address))
                    {
                        inputs.Problems.Add("VAULT_ADDR is not an absolute URL.");
                        return null;
                    }
                }

                if (address is null)
                {
                    if (!inputs.EndpointGiven)
                    {
                        inputs.Problems.Add("the Vault address is required: --endpoint URL, or VAULT_ADDR.");
                    }

                    return null;
                }

                var options = new VaultJwtLoginOptions
                {
                    Address = address,
                    Role = NonEmpty(parseResult.GetValue(role)),
                    Namespace = NonEmpty(parseResult.GetValue(vaultNamespace)) ?? NonEmpty(environment("VAULT_NAMESPACE")),
                    CaCertificateFile = NonEmpty(parseResult.GetValue(caFile)) ?? NonEmpty(environment("VAULT_CACERT")),
                    Audience = inputs.Audience,
                };
                if (NonEmpty(parseResult.GetValue(path)) is { } mount)
                {
                    options.MountPath = mount.Trim('/');
                }

                var addressText = address.OriginalString.Trim();
                return async (source, cancellationToken) =>
                {
                    var login = await VaultJwtLogin.LoginAsync(source, options, cancellationToken).ConfigureAwait(false);
                    var now = TimeProvider.System.GetUtcNow();
                    var token = login.RevealClientToken();
                    List<OutputVariable> variables =
                    [
                        new("VAULT_TOKEN", token, secret: true),
                        new("VAULT_ADDR", addressText, secret: false),
                    ];
                    if (options.Namespace is { } ns)
                    {
                        variables.Add(new("VAULT_NAMESPACE", ns, secret: false));
                    }

                    if (options.CaCertificateFile is { } ca)
                    {
                        variables.Add(new("VAULT_CACERT", Path.GetFullPath(ca), secret: false));
                    }

                    // The token's policies and lease as step outputs, for a later step's condition or log (never the token).
                    List<StepOutput> outputs =
                    [
                        new("vault-policies", string.Join(',', login.Policies)),
                        new("vault-lease-duration", ((long)login.LeaseDuration.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ];
                    if (login.LeaseDuration > TimeSpan.Zero)
                    {
                        outputs.Add(new("vault-expiration", ExchangeCommand.Instant(now + login.LeaseDuration)));
                    }

                    return new ExchangeOutcome(
                        variables,
                        json =>
                        {
                            json.WriteStartArray("policies");
                            foreach (var policy in login.Policies)
                            {
                                json.WriteStringValue(policy);
                            }

                            json.WriteEndArray();
                            json.WriteNumber("lease_duration_seconds", (long)login.LeaseDuration.TotalSeconds);
                            if (login.LeaseDuration > TimeSpan.Zero)
                            {
                                json.WriteString("expires_at", ExchangeCommand.Instant(now + login.LeaseDuration));
                            }

                            json.WriteBoolean("renewable", login.Renewable);
                        },
                        new CleanupEntry(
                            CleanupKind.Vault,
                            address.AbsoluteUri,
                            token,
                            options.Namespace,
                            options.CaCertificateFile is { } file ? Path.GetFullPath(file) : null),
                        outputs);
                };
            });
    }

    /// <summary>Revokes a token <c>exchange vault</c> recorded.</summary>
    internal static Task RevokeAsync(CleanupEntry entry, CancellationToken cancellationToken) =>
        VaultJwtLogin.RevokeAsync(
            entry.Token!,
            new VaultJwtLoginOptions
            {
                Address = new Uri(entry.Location, UriKind.Absolute),
                Namespace = entry.Namespace,
                CaCertificateFile = entry.CaFile,
            },
            cancellationToken);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
