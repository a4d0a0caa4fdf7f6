using System.CommandLine;
using OidcToken.Exchange;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// The package registries' trusted publishing exchanges: <c>nuget</c>, <c>pypi</c>, <c>npm</c> and <c>crates</c>.
/// OidcToken names no registry, so each registry's URL (and for NuGet the audience and user) is a required input, taken
/// from the registry's own trusted publishing documentation; a missing one is a usage error that names it.
/// </summary>
internal static class RegistryTargets
{
    private const string NuGetDocs = "the NuGet gallery's trusted publishing documentation";
    private const string PyPIDocs = "PyPI's trusted publishing documentation (or your package index's)";
    private const string NpmDocs = "npm's trusted publishing documentation (or your registry's)";
    private const string CratesDocs = "the crates.io trusted publishing documentation (or your registry's)";

    internal static Command CreateNuGet(CliContext context)
    {
        var user = new Option<string?>("--user")
        {
            Description = "The gallery profile name (not e-mail) of the user who created the trusted publishing policy. Required.",
        };
        return ExchangeCommand.CreateTarget(
            "nuget",
            "A short-lived NuGet API key through the gallery's trusted publishing: exports NUGET_API_KEY (for dotnet nuget push --api-key). " +
            "--endpoint, --audience and --user are required; take the first two from " + NuGetDocs + ".",
            context,
            "The gallery's trusted publishing token service URL. Required; see " + NuGetDocs + ".",
            "The audience the gallery validates the GitHub token's aud against. Required; see " + NuGetDocs + ".",
            [user],
            (parseResult, inputs) =>
            {
                var userValue = NonEmpty(parseResult.GetValue(user));
                ExchangeCommand.RequireRegistryInputs(
                    inputs.Problems,
                    "NuGet",
                    NuGetDocs,
                    ("--endpoint", "the gallery's token service URL", !inputs.EndpointGiven),
                    ("--audience", "the audience the gallery expects", inputs.Audience is null),
                    ("--user", "the profile name of the policy's creator", userValue is null));
                if (inputs.Endpoint is null || inputs.Audience is null || userValue is null)
                {
                    return null;
                }

                var options = new NuGetTrustedPublishingOptions { TokenServiceUrl = inputs.Endpoint, Audience = inputs.Audience, User = userValue };
                return async (source, cancellationToken) =>
                {
                    var key = await NuGetTrustedPublishing.ExchangeAsync(source, options, cancellationToken).ConfigureAwait(false);
                    return Outcome(key, [new OutputVariable("NUGET_API_KEY", key.RevealToken(), secret: true)]);
                };
            });
    }

    internal static Command CreatePyPI(CliContext context) => ExchangeCommand.CreateTarget(
        "pypi",
        "A short-lived upload token through a Python package index's trusted publishing: exports TWINE_USERNAME=__token__ and TWINE_PASSWORD. " +
        "--endpoint (the index's upload URL) is required; take it from " + PyPIDocs + ".",
        context,
        "The index's upload URL (what twine's --repository-url takes). Required; see " + PyPIDocs + ".",
        "The aud of the GitHub token. Default: what the index announces.",
        [],
        (parseResult, inputs) =>
        {
            ExchangeCommand.RequireRegistryInputs(
                inputs.Problems, "PyPI", PyPIDocs, ("--endpoint", "the index's upload URL", !inputs.EndpointGiven));
            if (inputs.Endpoint is null)
            {
                return null;
            }

            var options = new PyPITrustedPublishingOptions { RepositoryUrl = inputs.Endpoint, Audience = inputs.Audience };
            return async (source, cancellationToken) =>
            {
                var token = await PyPITrustedPublishing.ExchangeAsync(source, options, cancellationToken).ConfigureAwait(false);
                return Outcome(
                    token,
                    [
                        new OutputVariable("TWINE_USERNAME", "__token__", secret: false),
                        new OutputVariable("TWINE_PASSWORD", token.RevealToken(), secret: true),
                    ]);
            };
        });

    internal static Command CreateNpm(CliContext context)
    {
        var package = new Option<string?>("--package")
        {
            Description = "The package to publish, as in package.json (name or @scope/name); it must already have a trusted publisher. Required.",
        };
        return ExchangeCommand.CreateTarget(
            "npm",
            "A short-lived npm token through the registry's trusted publishing: exports NODE_AUTH_TOKEN. " +
            "--endpoint (the registry URL) and --package are required; see " + NpmDocs + ".",
            context,
            "The registry's URL (npm's registry setting). Required; see " + NpmDocs + ".",
            "The aud of the GitHub token. Default: npm:<registry host name>.",
            [package],
            (parseResult, inputs) =>
            {
                var packageValue = NonEmpty(parseResult.GetValue(package));
                ExchangeCommand.RequireRegistryInputs(
                    inputs.Problems,
                    "npm",
                    NpmDocs,
                    ("--endpoint", "the registry URL", !inputs.EndpointGiven),
                    ("--package", "the package name from package.json", packageValue is null));
                if (inputs.Endpoint is null || packageValue is null)
                {
                    return null;
                }

                var options = new NpmTrustedPublishingOptions { RegistryUrl = inputs.Endpoint, Package = packageValue, Audience = inputs.Audience };
                return async (source, cancellationToken) =>
                {
                    var token = await NpmTrustedPublishing.ExchangeAsync(source, options, cancellationToken).ConfigureAwait(false);
                    return Outcome(token, [new OutputVariable("NODE_AUTH_TOKEN", token.RevealToken(), secret: true)]);
                };
            });
    }

    internal static Command CreateCrates(CliContext context) => ExchangeCommand.CreateTarget(
        "crates",
        "A short-lived crates.io publish token through trusted publishing: exports CARGO_REGISTRY_TOKEN. --endpoint (the registry URL) is required; " +
        "see " + CratesDocs + ". 'oidc-token cleanup' revokes the token at the end of the job.",
        context,
        "The registry's URL. Required; see " + CratesDocs + ".",
        "The aud of the GitHub token. Default: the registry URL without its scheme.",
        [],
        (parseResult, inputs) =>
        {
            ExchangeCommand.RequireRegistryInputs(
                inputs.Problems, "crates.io", CratesDocs, ("--endpoint", "the registry URL", !inputs.EndpointGiven));
            if (inputs.Endpoint is null)
            {
                return null;
            }

            var options = new CratesTrustedPublishingOptions { RegistryUrl = inputs.Endpoint, Audience = inputs.Audience };
            return async (source, cancellationToken) =>
            {
                var token = await CratesTrustedPublishing.ExchangeAsync(source, options, cancellationToken).ConfigureAwait(false);
                return Outcome(
                    token,
                    [new OutputVariable("CARGO_REGISTRY_TOKEN", token.RevealToken(), secret: true)],
                    new CleanupEntry(CleanupKind.Crates, inputs.Endpoint.AbsoluteUri, token.RevealToken()));
            };
        });

    /// <summary>Revokes a token <c>exchange crates</c> recorded.</summary>
    internal static Task RevokeCratesAsync(CleanupEntry entry, CancellationToken cancellationToken) =>
        CratesTrustedPublishing.RevokeAsync(
            entry.Token!,
            new CratesTrustedPublishingOptions { RegistryUrl = new Uri(entry.Location, UriKind.Absolute) },
            cancellationToken);

    private static ExchangeOutcome Outcome(TrustedPublishingToken token, IReadOnlyList<OutputVariable> variables, CleanupEntry? cleanup = null) =>
        new(
            variables,
            json =>
            {
                json.WriteString("registry", token.Registry);
                if (token.ExpiresAt is { } expires)
                {
                    json.WriteString("expires_at", ExchangeCommand.Instant(expires));
                }
            },
            cleanup);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
