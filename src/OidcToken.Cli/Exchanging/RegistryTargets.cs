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
                    return Outcome("nuget", key, [new OutputVariable("NUGET_API_KEY", key.RevealToken(), secret: true)]);
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
                    "pypi",
                    token,
                    [
                        new OutputVariable("TWINE_USERNAME", "__token__", secret: false),
                        new OutputVariable("TWINE_PASSWORD", token.RevealToken(), secret: true),
                    ]);
            };
        });

    internal static Command CreateNpm(CliContext context)
    {
        var package = new Option<string[]>("--package")
        {
            Description = "A package to publish, as in package.json (name or @scope/name); it must already have a trusted publisher. Required; repeat it for " +
                          "several packages: one exchange each, and each token in its own variable, NODE_AUTH_TOKEN_<NAME> (the name upper-cased, '@' " +
                          "dropped, every other character but letters and digits as '_': @octo/pkg gives NODE_AUTH_TOKEN_OCTO_PKG). If one exchange " +
                          "fails, nothing is handed on and the exit code is that failure's.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        return ExchangeCommand.CreateTarget(
            "npm",
            "Short-lived npm tokens through the registry's trusted publishing: exports NODE_AUTH_TOKEN for one --package, NODE_AUTH_TOKEN_<NAME> " +
            "for each of several. --endpoint (the registry URL) and --package are required; see " + NpmDocs + ".",
            context,
            "The registry's URL (npm's registry setting). Required; see " + NpmDocs + ".",
            "The aud of the GitHub token. Default: npm:<registry host name>.",
            [package],
            (parseResult, inputs) =>
            {
                var packages = (parseResult.GetValue(package) ?? []).Select(NonEmpty).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
                ExchangeCommand.RequireRegistryInputs(
                    inputs.Problems,
                    "npm",
                    NpmDocs,
                    ("--endpoint", "the registry URL", !inputs.EndpointGiven),
                    ("--package", "the package name from package.json", packages.Length == 0));
                var variables = packages.Length == 1 ? ["NODE_AUTH_TOKEN"] : packages.Select(NpmVariable).ToArray();
                foreach (var clash in packages.Zip(variables).GroupBy(p => p.Second, StringComparer.Ordinal).Where(g => g.Count() > 1))
                {
                    inputs.Problems.Add("--package " + string.Join(" and --package ", clash.Select(p => "'" + Output.TextFormat.Safe(p.First) + "'")) +
                                        " would share the variable " + clash.Key + ": exchange them in separate steps.");
                }

                if (inputs.Endpoint is null || packages.Length == 0 || inputs.Problems.Count > 0)
                {
                    return null;
                }

                return async (source, cancellationToken) =>
                {
                    // One after another: each exchange gets its own fresh GitHub token (npm's are single-use), and nothing
                    // is handed on until every package has its token, so a failure leaves no half-set environment.
                    var handed = new List<OutputVariable>(packages.Length);
                    DateTimeOffset? expires = null;
                    for (var i = 0; i < packages.Length; i++)
                    {
                        var options = new NpmTrustedPublishingOptions { RegistryUrl = inputs.Endpoint, Package = packages[i], Audience = inputs.Audience };
                        TrustedPublishingToken token;
                        try
                        {
                            token = await NpmTrustedPublishing.ExchangeAsync(source, options, cancellationToken).ConfigureAwait(false);
                        }
                        catch (OidcTokenException failure) when (packages.Length > 1)
                        {
                            throw InPackage(failure, packages, i);
                        }

                        handed.Add(new OutputVariable(variables[i], token.RevealToken(), secret: true));
                        expires = token.ExpiresAt is { } at && (expires is null || at < expires) ? at : expires;
                    }

                    return Outcome("npm", "npm", expires, handed);
                };
            });
    }

    /// <summary>
    /// The variable for one of several npm packages: <c>NODE_AUTH_TOKEN_</c> and the name upper-cased, a leading <c>@</c>
    /// dropped and every character other than an ASCII letter or digit as <c>_</c> (<c>@octo/pkg</c> → <c>NODE_AUTH_TOKEN_OCTO_PKG</c>).
    /// </summary>
    internal static string NpmVariable(string package) =>
        "NODE_AUTH_TOKEN_" + string.Concat(package.TrimStart('@').Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));

    /// <summary>One package's failure among several: the same code and facts, its message led by which package failed and ended by what was handed on (nothing).</summary>
    private static OidcTokenException InPackage(OidcTokenException failure, string[] packages, int index)
    {
        var minted = index == 0
            ? string.Empty
            : " The tokens already issued for " + string.Join(", ", packages.Take(index).Select(p => "'" + p + "'")) + " were discarded (npm tokens expire on their own).";
        var message = $"npm package '{packages[index]}' ({index + 1} of {packages.Length}): " + failure.Message +
                      "\nNothing was handed on: no variable, output or file was written for any package." + minted +
                      " Fix this package and run the step again for all of them.";
        return new OidcTokenException(failure.ErrorCode, message, failure)
        {
            StatusCode = failure.StatusCode,
            Attempts = failure.Attempts,
            Elapsed = failure.Elapsed,
            RequestId = failure.RequestId,
            Setting = failure.Setting,
            SettingReference = failure.SettingReference,
        };
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
                    "crates",
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

    /// <summary>
    /// A registry's outcome: the variables, the registry and expiry in JSON, and the expiry, when the registry gave one, as
    /// the step output <c>&lt;target&gt;-expiration</c> (e.g. <c>nuget-expiration</c>).
    /// </summary>
    private static ExchangeOutcome Outcome(string target, TrustedPublishingToken token, IReadOnlyList<OutputVariable> variables, CleanupEntry? cleanup = null) =>
        Outcome(target, token.Registry, token.ExpiresAt, variables, cleanup);

    private static ExchangeOutcome Outcome(
        string target, string registry, DateTimeOffset? expiresAt, IReadOnlyList<OutputVariable> variables, CleanupEntry? cleanup = null) =>
        new(
            variables,
            json =>
            {
                json.WriteString("registry", registry);
                if (expiresAt is { } expires)
                {
                    json.WriteString("expires_at", ExchangeCommand.Instant(expires));
                }
            },
            cleanup,
            expiresAt is { } at ? [new StepOutput(target + "-expiration", ExchangeCommand.Instant(at))] : null);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
