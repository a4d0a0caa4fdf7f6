using System.Globalization;
using System.Net.Http.Headers;
using OidcToken.Exchange.Common;
using OidcToken.Http;

namespace OidcToken.Exchange;

/// <summary>
/// Trades a GitHub ID token for a short-lived NuGet API key through the gallery's trusted publishing token service
/// (<c>POST</c> with <c>Authorization: Bearer &lt;JWT&gt;</c> and <c>{"username","tokenType":"ApiKey"}</c>).
/// </summary>
/// <example>
/// <code>
/// var key = await NuGetTrustedPublishing.ExchangeAsync(IdTokenSources.Runner, new NuGetTrustedPublishingOptions
/// {
///     TokenServiceUrl = new Uri(tokenServiceUrlFromTheGalleryDocs),
///     Audience = audienceFromTheGalleryDocs,
///     User = "policy-creator",
/// });
/// // dotnet nuget push *.nupkg --api-key &lt;key.RevealToken()&gt; --source &lt;feed&gt;
/// </code>
/// </example>
/// <remarks>
/// The gallery accepts each GitHub token once, so every attempt gets a fresh one; only network errors, 408, 429 and
/// 5xx are retried. Its refusals (<c>{"error":"…"}</c> with 400, 401, 404 or 415) become
/// <see cref="OidcTokenErrorCode.ExchangeRefused"/> with the gallery's message and the token's claims.
/// </remarks>
public static class NuGetTrustedPublishing
{
    /// <summary>The error for missing inputs (a contract: tests and the command line rely on it).</summary>
    internal const string MissingInputsMessage =
        "NuGet trusted publishing needs the gallery's token service URL (NuGetTrustedPublishingOptions.TokenServiceUrl, --endpoint) " +
        "and the audience it expects (NuGetTrustedPublishingOptions.Audience, --audience); OidcToken names no gallery, so both must be given. " +
        "Take them from the NuGet gallery's trusted publishing documentation.";

    private const string Target = "The NuGet gallery";
    private const string Options = nameof(NuGetTrustedPublishingOptions);

    /// <summary>Gets a short-lived API key.</summary>
    /// <param name="source">Where the GitHub ID token comes from, for example <see cref="IdTokenSources.Runner"/>; called once per attempt.</param>
    /// <param name="options">The token service URL, audience and user.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The API key and when it expires.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The token service URL, the audience or the user is missing, or an option is invalid.</exception>
    /// <exception cref="OidcTokenException">
    /// The gallery refused (<see cref="OidcTokenErrorCode.ExchangeRefused"/>), could not be reached or kept failing
    /// (<see cref="OidcTokenErrorCode.ExchangeFailed"/>), answered with something unusable
    /// (<see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/>), or no GitHub ID token could be had (its own code).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<TrustedPublishingToken> ExchangeAsync(IdTokenSource source, NuGetTrustedPublishingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TokenServiceUrl is null || string.IsNullOrWhiteSpace(options.Audience))
        {
            throw new ArgumentException(MissingInputsMessage, nameof(options));
        }

        options.ValidateCommon(Options);
        var url = EndpointRules.Check(options.TokenServiceUrl, Options + ".TokenServiceUrl", MissingInputsMessage);
        var user = options.User;
        if (string.IsNullOrWhiteSpace(user) || user.Any(char.IsControl))
        {
            throw new ArgumentException(
                $"{Options}.User is required: the gallery profile name of the user who created the trusted publishing policy (--user).",
                nameof(options));
        }

        var audience = options.Audience;
        using var session = new ExchangeSession(Target, "the exchange", url, Options + ".TokenServiceUrl", options);
        return await session.RunAsync(
            async ct =>
            {
                // One GitHub token, one API key: the gallery refuses a token it has seen, so every attempt gets a new one.
                var jwt = await session.GetIdTokenAsync(source, audience, ct).ConfigureAwait(false);
                using var request = new HttpRequestMessage(HttpMethod.Post, url)
                {
                    Content = JsonBody.Create(writer =>
                    {
                        writer.WriteString("username", user);
                        writer.WriteString("tokenType", "ApiKey");
                    }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
                var response = await session.SendAsync(request, ct).ConfigureAwait(false);
                if (!response.IsSuccess)
                {
                    var text = JsonAnswers.ErrorText(response, root => JsonAnswers.OptionalString(root, "error"));
                    if (HttpStatusRules.IsTransient(response.StatusCode))
                    {
                        throw ExchangeFailure.Transient(session.ServerSaid(response, text), response);
                    }

                    throw ExchangeFailure.Refused(session.ServerSaid(response, text), FixFor(text ?? string.Empty, response.StatusCode, user), response);
                }

                using var document = JsonAnswers.RequireObject(response);
                var root = document.RootElement;
                var key = JsonAnswers.RequireString(root, "apiKey", "the answer", response);
                DateTimeOffset? expires = null;
                if (JsonAnswers.OptionalString(root, "expires") is { } text2)
                {
                    if (!DateTimeOffset.TryParse(text2, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
                    {
                        throw ExchangeFailure.Invalid(JsonAnswers.Status(response) + " with an \"expires\" that is not an ISO 8601 time", response);
                    }

                    expires = parsed;
                }

                return new TrustedPublishingToken("NuGet", key, expires);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static string FixFor(string text, int status, string user)
    {
        if (text.Contains("trust policy", StringComparison.OrdinalIgnoreCase) || text.Contains("owned by user", StringComparison.OrdinalIgnoreCase))
        {
            return $"{Options}.User ('{user}') must be the gallery profile name of the user who created the trusted publishing policy, " +
                "not the package owner or organization; and the policy's repository owner, repository and workflow file must match the token's claims.";
        }

        if (text.Contains("already been used", StringComparison.OrdinalIgnoreCase))
        {
            return "each GitHub token can be exchanged once: give the exchange a token source that returns a fresh token each call " +
                "(IdTokenSources.Runner or FromClient, not a fixed token).";
        }

        if (text.Contains("expired", StringComparison.OrdinalIgnoreCase))
        {
            return "a trusted publishing policy that was never used expires after 7 days; re-create or re-activate it on the gallery.";
        }

        if (text.Contains("mismatch", StringComparison.OrdinalIgnoreCase) || text.Contains("not allowed", StringComparison.OrdinalIgnoreCase))
        {
            return "make the policy's repository owner, repository, workflow file and environment match the token's claims (or change the workflow).";
        }

        return status switch
        {
            404 => $"check {Options}.TokenServiceUrl: the gallery answered 404, so it is not the token service or trusted publishing is disabled there.",
            415 => "the gallery did not accept the request's content type; check that nothing between this machine and the gallery rewrites requests.",
            _ => $"check the trusted publishing policy on the gallery and {Options}.User, Audience and TokenServiceUrl against the gallery's " +
                "trusted publishing documentation.",
        };
    }
}
