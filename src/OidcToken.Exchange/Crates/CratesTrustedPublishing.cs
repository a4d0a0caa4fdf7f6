using System.Net.Http.Headers;
using System.Text.Json;
using OidcToken.Exchange.Common;
using OidcToken.Http;

namespace OidcToken.Exchange;

/// <summary>
/// Trades a GitHub ID token for a short-lived crates.io publish token
/// (<c>POST {registry}/api/v1/trusted_publishing/tokens</c> with <c>{"jwt":"&lt;JWT&gt;"}</c>), and revokes it
/// (<c>DELETE</c> on the same path with the token as bearer). Use the token as <c>CARGO_REGISTRY_TOKEN</c>; it expires
/// after about 30 minutes, and revoking it when the job is done is good practice.
/// </summary>
/// <remarks>
/// Every attempt gets a fresh GitHub token; only network errors, 408, 429 and 5xx are retried. The registry's refusals
/// (<c>{"errors":[{"detail":"…"}]}</c>) become <see cref="OidcTokenErrorCode.ExchangeRefused"/> with its text and the token's claims.
/// </remarks>
public static class CratesTrustedPublishing
{
    /// <summary>The error for a missing registry URL (a contract: tests and the command line rely on it).</summary>
    internal const string MissingUrlMessage =
        "crates.io trusted publishing needs the registry's URL (CratesTrustedPublishingOptions.RegistryUrl, --endpoint); OidcToken names no " +
        "registry, so it must be given. Take it from the crates.io trusted publishing documentation.";

    private const string Target = "The crate registry";
    private const string Options = nameof(CratesTrustedPublishingOptions);
    private const string TokensPath = "api/v1/trusted_publishing/tokens";

    /// <summary>Gets a short-lived publish token.</summary>
    /// <param name="source">Where the GitHub ID token comes from, for example <see cref="IdTokenSources.Runner"/>; called once per attempt.</param>
    /// <param name="options">The registry URL.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The token (the registry does not say when it expires).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The registry URL is missing, or an option is invalid.</exception>
    /// <exception cref="OidcTokenException">
    /// The registry refused (<see cref="OidcTokenErrorCode.ExchangeRefused"/>), could not be reached or kept failing
    /// (<see cref="OidcTokenErrorCode.ExchangeFailed"/>), answered with something unusable
    /// (<see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/>), or no GitHub ID token could be had (its own code).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<TrustedPublishingToken> ExchangeAsync(IdTokenSource source, CratesTrustedPublishingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var registry = Prepare(options);
        var url = EndpointRules.Combine(registry, TokensPath);
        var audience = options.Audience ?? AudienceOf(registry);
        using var session = new ExchangeSession(Target, "the exchange", registry, Options + ".RegistryUrl", options);
        return await session.RunAsync(
            async ct =>
            {
                var jwt = await session.GetIdTokenAsync(source, audience, ct).ConfigureAwait(false);
                using var request = new HttpRequestMessage(HttpMethod.Post, url)
                {
                    Content = JsonBody.Create(writer => writer.WriteString("jwt", jwt)),
                };
                var response = await session.SendAsync(request, ct).ConfigureAwait(false);
                ThrowOnError(session, response, revoking: false);
                using var document = JsonAnswers.RequireObject(response);
                var token = JsonAnswers.RequireString(document.RootElement, "token", "the answer", response);
                return new TrustedPublishingToken("crates.io", token, null);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes a token <see cref="ExchangeAsync"/> returned (<c>DELETE {registry}/api/v1/trusted_publishing/tokens</c>).</summary>
    /// <param name="token">The token to revoke.</param>
    /// <param name="options">The registry URL and retry settings (the audience is not used).</param>
    /// <param name="cancellationToken">Cancels the revocation.</param>
    /// <returns>A task that completes when the registry has revoked the token.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="token"/> is empty, or an option is invalid.</exception>
    /// <exception cref="OidcTokenException">
    /// The registry refused, for example because the token has expired or was already revoked (<see cref="OidcTokenErrorCode.ExchangeRefused"/>),
    /// could not be reached (<see cref="OidcTokenErrorCode.ExchangeFailed"/>), or answered with something unusable.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task RevokeAsync(string token, CratesTrustedPublishingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        if (token.Any(c => char.IsControl(c) || c > 126 || c == ' '))
        {
            throw new ArgumentException("The token contains characters a header cannot carry.", nameof(token));
        }

        var registry = Prepare(options);
        var url = EndpointRules.Combine(registry, TokensPath);
        using var session = new ExchangeSession(Target, "the revocation", registry, Options + ".RegistryUrl", options, secret: token);
        await session.RunAsync<bool>(
            async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var response = await session.SendAsync(request, ct).ConfigureAwait(false);
                ThrowOnError(session, response, revoking: true);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The official action's audience: the registry URL without <c>https://</c> or <c>http://</c> and without a trailing <c>/</c>.</summary>
    internal static string AudienceOf(Uri registry)
    {
        var text = registry.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return text[(registry.Scheme.Length + 3)..];
    }

    private static Uri Prepare(CratesTrustedPublishingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateCommon(Options);
        return EndpointRules.Check(options.RegistryUrl, Options + ".RegistryUrl", MissingUrlMessage);
    }

    private static void ThrowOnError(ExchangeSession session, ExchangeResponse response, bool revoking)
    {
        if (response.IsSuccess)
        {
            return;
        }

        var text = JsonAnswers.ErrorText(response, DetailsOf);
        if (HttpStatusRules.IsTransient(response.StatusCode))
        {
            throw ExchangeFailure.Transient(session.ServerSaid(response, text), response);
        }

        var fix = revoking
            ? "a token that has expired or was already revoked cannot be revoked again (nothing is left to clean up); otherwise check " + Options + ".RegistryUrl."
            : response.StatusCode == 404
                ? $"check {Options}.RegistryUrl: the registry has no trusted publishing endpoint there."
                : "add a trusted publisher to the crate on the registry whose repository owner, repository, workflow file and environment " +
                  $"match the token's claims; leave {Options}.Audience null so the registry's audience (its URL without the scheme) is requested.";
        throw ExchangeFailure.Refused(session.ServerSaid(response, text), fix, response);
    }

    /// <summary>The registry's <c>{"errors":[{"detail":"…"}]}</c>, joined.</summary>
    private static string? DetailsOf(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var joined = string.Join("; ", errors.EnumerateArray().Select(e => JsonAnswers.OptionalString(e, "detail")).Where(d => !string.IsNullOrWhiteSpace(d)));
        return joined.Length == 0 ? null : joined;
    }
}
