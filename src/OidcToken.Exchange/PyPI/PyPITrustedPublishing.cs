using System.Text.Json;
using System.Text;
using OidcToken.Exchange.Common;
using OidcToken.Http;

namespace OidcToken.Exchange;

/// <summary>
/// Trades a GitHub ID token for a short-lived upload token at a Python package index with trusted publishing:
/// <c>GET /_/oidc/audience</c> for the audience, then <c>POST /_/oidc/mint-token</c> with <c>{"token":"&lt;JWT&gt;"}</c>.
/// Upload with the username <c>__token__</c> and the token as password.
/// </summary>
/// <remarks>
/// The index accepts each GitHub token once (<c>invalid-reuse-token</c>), so every attempt gets a fresh one; only network
/// errors, 408, 429 and 5xx are retried. A 422 answer lists error codes (<c>invalid-publisher</c>, <c>invalid-token</c>,
/// <c>invalid-pending-publisher</c>, <c>invalid-reuse-token</c>, <c>not-enabled</c>, <c>invalid-payload</c>); they are shown
/// with the token's claims as <see cref="OidcTokenErrorCode.ExchangeRefused"/>.
/// </remarks>
public static class PyPITrustedPublishing
{
    /// <summary>The error for a missing repository URL (a contract: tests and the command line rely on it).</summary>
    internal const string MissingUrlMessage =
        "PyPI trusted publishing needs the index's upload URL (PyPITrustedPublishingOptions.RepositoryUrl, --endpoint); OidcToken names no " +
        "index, so it must be given. Take it from the index's trusted publishing documentation.";

    private const string Target = "The package index";
    private const string Options = nameof(PyPITrustedPublishingOptions);

    /// <summary>Gets a short-lived upload token.</summary>
    /// <param name="source">Where the GitHub ID token comes from, for example <see cref="IdTokenSources.Runner"/>; called once per attempt.</param>
    /// <param name="options">The index's upload URL and, optionally, the audience.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The upload token and when it expires.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The repository URL is missing, or an option is invalid.</exception>
    /// <exception cref="OidcTokenException">
    /// The index refused (<see cref="OidcTokenErrorCode.ExchangeRefused"/>), could not be reached or kept failing
    /// (<see cref="OidcTokenErrorCode.ExchangeFailed"/>), answered with something unusable
    /// (<see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/>), or no GitHub ID token could be had (its own code).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<TrustedPublishingToken> ExchangeAsync(IdTokenSource source, PyPITrustedPublishingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateCommon(Options);
        var repository = EndpointRules.Check(options.RepositoryUrl, Options + ".RepositoryUrl", MissingUrlMessage);
        var origin = new Uri(repository.GetLeftPart(UriPartial.Authority) + "/");
        var audienceUrl = new Uri(origin, "_/oidc/audience");
        var mintUrl = new Uri(origin, "_/oidc/mint-token");
        var audience = options.Audience;
        using var session = new ExchangeSession(Target, "the exchange", origin, Options + ".RepositoryUrl", options);
        return await session.RunAsync(
            async ct =>
            {
                audience ??= await DiscoverAudienceAsync(session, audienceUrl, ct).ConfigureAwait(false);

                // The index refuses a token it has seen (invalid-reuse-token), so every attempt gets a new one.
                var jwt = await session.GetIdTokenAsync(source, audience, ct).ConfigureAwait(false);
                using var request = new HttpRequestMessage(HttpMethod.Post, mintUrl)
                {
                    Content = JsonBody.Create(writer => writer.WriteString("token", jwt)),
                };
                var response = await session.SendAsync(request, ct).ConfigureAwait(false);
                if (!response.IsSuccess)
                {
                    var (text, codes) = ReadErrors(response);
                    if (HttpStatusRules.IsTransient(response.StatusCode))
                    {
                        throw ExchangeFailure.Transient(session.ServerSaid(response, text), response);
                    }

                    throw ExchangeFailure.Refused(session.ServerSaid(response, text), FixFor(codes, response.StatusCode), response);
                }

                using var document = JsonAnswers.RequireObject(response);
                var root = document.RootElement;
                if (!root.TryGetProperty("success", out var success) || success.ValueKind != JsonValueKind.True)
                {
                    throw ExchangeFailure.Invalid(JsonAnswers.Status(response) + " without \"success\": true", response);
                }

                var token = JsonAnswers.RequireString(root, "token", "the answer", response);
                DateTimeOffset? expires = null;
                if (root.TryGetProperty("expires", out var expiresValue) && expiresValue.ValueKind != JsonValueKind.Null)
                {
                    if (expiresValue.ValueKind != JsonValueKind.Number || !expiresValue.TryGetInt64(out var seconds) || seconds is < 0 or > 253402300799)
                    {
                        throw ExchangeFailure.Invalid(JsonAnswers.Status(response) + " with an \"expires\" that is not a Unix time in seconds", response);
                    }

                    expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
                }

                return new TrustedPublishingToken("PyPI", token, expires);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> DiscoverAudienceAsync(ExchangeSession session, Uri audienceUrl, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, audienceUrl);
        var response = await session.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            var text = JsonAnswers.ErrorText(response, root => JsonAnswers.OptionalString(root, "message"));
            if (HttpStatusRules.IsTransient(response.StatusCode))
            {
                throw ExchangeFailure.Transient(session.ServerSaid(response, text) + " (audience discovery)", response);
            }

            var fix = response.StatusCode switch
            {
                403 => "trusted publishing is not enabled on this index; check that it supports trusted publishing, or set " +
                    $"{Options}.Audience if it announces its audience elsewhere.",
                404 => $"this index has no trusted publishing endpoint at /_/oidc/audience: check {Options}.RepositoryUrl against the index's trusted publishing documentation.",
                _ => $"check {Options}.RepositoryUrl against the index's trusted publishing documentation.",
            };
            throw ExchangeFailure.Refused(session.ServerSaid(response, text) + " when asked for its audience", fix, response);
        }

        using var document = JsonAnswers.RequireObject(response);
        var audience = JsonAnswers.RequireString(document.RootElement, "audience", "the audience answer", response);
        if (audience.Length > 1024)
        {
            throw ExchangeFailure.Invalid(JsonAnswers.Status(response) + " with an over-long \"audience\"", response);
        }

        return audience;
    }

    /// <summary>The index's <c>{"message","errors":[{"code","description"}]}</c> as "message: code: description; …", and the codes.</summary>
    private static (string? Text, IReadOnlyList<string> Codes) ReadErrors(ExchangeResponse response)
    {
        var codes = new List<string>();
        var text = JsonAnswers.ErrorText(response, root =>
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var builder = new StringBuilder(JsonAnswers.OptionalString(root, "message") ?? string.Empty);
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var error in errors.EnumerateArray())
                {
                    var code = JsonAnswers.OptionalString(error, "code");
                    var description = JsonAnswers.OptionalString(error, "description");
                    if (code is not null)
                    {
                        codes.Add(code);
                    }

                    builder.Append(builder.Length == 0 ? string.Empty : "; ").Append(code ?? "(no code)");
                    if (description is not null)
                    {
                        builder.Append(": ").Append(description);
                    }
                }
            }

            return builder.Length == 0 ? null : builder.ToString();
        });
        return (text, codes);
    }

    private static string FixFor(IReadOnlyList<string> codes, int status)
    {
        if (codes.Contains("invalid-reuse-token"))
        {
            return "each GitHub token can be exchanged once: give the exchange a token source that returns a fresh token each call " +
                "(IdTokenSources.Runner or FromClient, not a fixed token).";
        }

        if (codes.Contains("invalid-publisher"))
        {
            return "add a trusted publisher to the project on the index whose owner, repository, workflow file name and environment match " +
                "the token's claims (for a reusable workflow, the calling workflow's file), or run the workflow the publisher names.";
        }

        if (codes.Contains("invalid-pending-publisher"))
        {
            return "the project already exists, so a pending publisher cannot create it: add a trusted publisher to the existing project instead.";
        }

        if (codes.Contains("not-enabled"))
        {
            return "trusted publishing is disabled on this index (or for this issuer); publish with another credential or ask the index's administrators.";
        }

        if (codes.Contains("invalid-token") || codes.Contains("invalid-payload"))
        {
            return $"the index could not use the token: leave {Options}.Audience null so the index's own audience is requested, " +
                "make sure the token comes from GitHub Actions, and use it within its 5-minute lifetime.";
        }

        return status == 404
            ? $"check {Options}.RepositoryUrl: the index has no mint-token endpoint there."
            : $"check the project's trusted publishers on the index and {Options}.RepositoryUrl against the index's trusted publishing documentation.";
    }
}
