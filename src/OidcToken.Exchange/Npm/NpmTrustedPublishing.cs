using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using OidcToken.Exchange.Common;
using OidcToken.Http;

namespace OidcToken.Exchange;

/// <summary>
/// Trades a GitHub ID token for a short-lived npm publish token:
/// <c>POST {registry}/-/npm/v1/oidc/token/exchange/package/{name}</c> with <c>Authorization: Bearer &lt;JWT&gt;</c> and no body,
/// where a scoped name is escaped as npm does (<c>@scope%2fname</c>). Use the token as the registry's <c>_authToken</c>.
/// </summary>
/// <remarks>
/// Every attempt gets a fresh GitHub token; only network errors, 408, 429 and 5xx are retried. The registry's refusals
/// (<c>{"message":"…"}</c>, e.g. 404 <c>OIDC token exchange error - package not found</c>) become
/// <see cref="OidcTokenErrorCode.ExchangeRefused"/> with its message and the token's claims.
/// </remarks>
public static partial class NpmTrustedPublishing
{
    /// <summary>The error for a missing registry URL (a contract: tests and the command line rely on it).</summary>
    internal const string MissingUrlMessage =
        "npm trusted publishing needs the registry's URL (NpmTrustedPublishingOptions.RegistryUrl, --endpoint); OidcToken names no " +
        "registry, so it must be given. Take it from the npm trusted publishing documentation.";

    private const string Target = "The npm registry";
    private const string Options = nameof(NpmTrustedPublishingOptions);

    /// <summary>Gets a short-lived publish token for one package.</summary>
    /// <param name="source">Where the GitHub ID token comes from, for example <see cref="IdTokenSources.Runner"/>; called once per attempt.</param>
    /// <param name="options">The registry URL and package name.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The token (npm does not say when it expires).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The registry URL or the package is missing or invalid, or another option is invalid.</exception>
    /// <exception cref="OidcTokenException">
    /// The registry refused (<see cref="OidcTokenErrorCode.ExchangeRefused"/>), could not be reached or kept failing
    /// (<see cref="OidcTokenErrorCode.ExchangeFailed"/>), answered with something unusable
    /// (<see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/>), or no GitHub ID token could be had (its own code).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<TrustedPublishingToken> ExchangeAsync(IdTokenSource source, NpmTrustedPublishingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateCommon(Options);
        var registry = EndpointRules.Check(options.RegistryUrl, Options + ".RegistryUrl", MissingUrlMessage);
        var escaped = EscapePackageName(options.Package);
        var url = EndpointRules.Combine(registry, "-/npm/v1/oidc/token/exchange/package/" + escaped);
        var audience = options.Audience ?? "npm:" + registry.Host;
        var package = options.Package!;
        using var session = new ExchangeSession(Target, "the exchange", registry, Options + ".RegistryUrl", options);
        return await session.RunAsync(
            async ct =>
            {
                var jwt = await session.GetIdTokenAsync(source, audience, ct).ConfigureAwait(false);
                using var request = new HttpRequestMessage(HttpMethod.Post, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
                var response = await session.SendAsync(request, ct).ConfigureAwait(false);
                if (!response.IsSuccess)
                {
                    var text = JsonAnswers.ErrorText(response, root => JsonAnswers.OptionalString(root, "message") ?? JsonAnswers.OptionalString(root, "error"));
                    if (HttpStatusRules.IsTransient(response.StatusCode))
                    {
                        throw ExchangeFailure.Transient(session.ServerSaid(response, text), response);
                    }

                    throw ExchangeFailure.Refused(session.ServerSaid(response, text), FixFor(response.StatusCode, package), response);
                }

                using var document = JsonAnswers.RequireObject(response);
                var token = JsonAnswers.RequireString(document.RootElement, "token", "the answer", response);
                return new TrustedPublishingToken("npm", token, null);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>npm's escaped package name: <c>@scope/name</c> → <c>@scope%2fname</c>; an unscoped name is unchanged.</summary>
    internal static string EscapePackageName(string? package)
    {
        if (string.IsNullOrWhiteSpace(package))
        {
            throw new ArgumentException($"{Options}.Package is required: the package name as in package.json, 'name' or '@scope/name' (--package).", "options");
        }

        if (package.Length > 214 || !PackagePattern().IsMatch(package))
        {
            throw new ArgumentException(
                $"{Options}.Package '{package}' is not a valid npm package name: 'name' or '@scope/name', at most 214 characters of " +
                "letters, digits, '-', '.', '_' and '~', not starting with '.' or '_'.",
                "options");
        }

        return package.Replace("/", "%2f", StringComparison.Ordinal);
    }

    private static string FixFor(int status, string package) => status switch
    {
        404 => $"the package '{package}' must already exist on the registry and have a trusted publisher naming this repository and " +
            $"workflow file; check the name ({Options}.Package) and the package's trusted publisher settings against the token's claims.",
        403 => "the package's trusted publisher settings do not allow this run: check the repository, workflow file and environment they name " +
            "against the token's claims (trusted publishing works only on GitHub-hosted runners).",
        401 => $"the registry did not accept the GitHub token: leave {Options}.Audience null so npm's audience (npm:<registry host>) is requested.",
        _ => $"check {Options}.RegistryUrl and the package's trusted publisher settings against the npm trusted publishing documentation.",
    };

    [GeneratedRegex(@"^(@[A-Za-z0-9\-~][A-Za-z0-9\-._~]*/)?[A-Za-z0-9\-~][A-Za-z0-9\-._~]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PackagePattern();
}
