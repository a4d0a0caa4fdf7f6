using System.Runtime.CompilerServices;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace OidcToken.Validation;

/// <summary>
/// Accepts a discovery document only when its <c>issuer</c> equals the configured issuer, its <c>jwks_uri</c> is on the
/// issuer's host (https, or http for a loopback issuer) and the JWKS holds at least one usable RS256 key. A refusal is
/// recorded as the retriever's <see cref="GuardedDocumentRetriever.LastProblem"/>, so that one field always holds the
/// cause of the latest failed attempt, whichever step failed.
/// </summary>
internal sealed class DiscoveryValidator(string issuer, Uri issuerUri, GuardedDocumentRetriever retriever) : IConfigurationValidator<OpenIdConnectConfiguration>
{
    private readonly ConditionalWeakTable<OpenIdConnectConfiguration, KeySnapshot> _snapshots = new();

    /// <summary>The usable keys of an accepted configuration (built once per configuration object).</summary>
    public KeySnapshot SnapshotOf(OpenIdConnectConfiguration configuration) =>
        _snapshots.GetValue(configuration, static c => KeySnapshot.From(c.JsonWebKeySet, c));

    public ConfigurationValidationResult Validate(OpenIdConnectConfiguration configuration)
    {
        var problem = Check(configuration);
        if (problem is not null)
        {
            retriever.LastProblem = problem;
            return new ConfigurationValidationResult { Succeeded = false, ErrorMessage = problem };
        }

        return new ConfigurationValidationResult { Succeeded = true };
    }

    public string? Check(OpenIdConnectConfiguration? configuration)
    {
        if (configuration is null)
        {
            return "the discovery document is empty";
        }

        if (!string.Equals(configuration.Issuer, issuer, StringComparison.Ordinal))
        {
            return $"the discovery document's issuer is '{Text.Quote(configuration.Issuer)}', expected '{issuer}': the configured Issuer does not match the server (check GitHubIssuers for the right value)";
        }

        if (string.IsNullOrEmpty(configuration.JwksUri) || !Uri.TryCreate(configuration.JwksUri, UriKind.Absolute, out var jwks))
        {
            return "the discovery document has no valid jwks_uri";
        }

        if (!IssuerAddress.IsSameOriginAllowed(jwks, issuerUri, out var problem))
        {
            return "the discovery document's jwks_uri " + problem;
        }

        var usable = SnapshotOf(configuration).Count;
        return usable == 0 ? "the JWKS holds no usable RS256 signing key (RSA, 2048 bits or more, with a kid)" : null;
    }
}
