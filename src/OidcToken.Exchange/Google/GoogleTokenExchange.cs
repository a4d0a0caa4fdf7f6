using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using OidcToken.Claims;
using OidcToken.Exchange.Common;
using OidcToken.Failures;
using OidcToken.Http;

namespace OidcToken.Exchange;

/// <summary>
/// Mints one Google token from a GitHub ID token over plain HTTP (no Google SDK, AOT-safe): a token exchange at Google's
/// Security Token Service (RFC 8693, <c>POST {token_url}</c>) and, with a service account, IAM Credentials
/// <c>generateAccessToken</c> or <c>generateIdToken</c> — what google-github-actions/auth does for <c>token_format</c>.
/// <c>oidc-token exchange gcp</c> runs it once to prove a configuration before handing the credential file on.
/// </summary>
/// <remarks>
/// <para>
/// For a credential that refreshes itself in a .NET process, use <c>OidcToken.Google</c>'s <c>GitHubGoogleCredential</c>
/// (Google.Apis.Auth); both read the same <see cref="GoogleCredentialConfiguration"/>.
/// </para>
/// <para>
/// Refusals (any 4xx but 408 and 429) are final: <see cref="OidcTokenErrorCode.ExchangeRefused"/> with Google's code and
/// description, the likely cause, the fix and the GitHub token's claims. 408, 429, 5xx and network errors are retried
/// within <see cref="ExchangeOptions.MaxAttempts"/> and <see cref="ExchangeOptions.Deadline"/>; one GitHub token serves every attempt.
/// </para>
/// </remarks>
public static class GoogleTokenExchange
{
    /// <summary>The scope used when none is given: <c>https://www.googleapis.com/auth/cloud-platform</c>.</summary>
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    private const string Options = nameof(GoogleTokenExchangeOptions);
    private const string StsTarget = "Google's Security Token Service";
    private const string IamTarget = "Google's IAM Credentials API";
    private const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    private const string TokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange";

    /// <summary>Gets a GitHub ID token from <paramref name="source"/> and mints the Google token the options ask for.</summary>
    /// <param name="source">Where the GitHub ID token comes from, for example <see cref="IdTokenSources.Runner"/>.</param>
    /// <param name="options">The configuration and what to mint.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The token and its expiry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// An option is missing or invalid: no configuration, an ID token without a service account or <see cref="GoogleTokenExchangeOptions.IdTokenAudience"/>,
    /// a lifetime or delegates without a service account, a blank scope (the message names the option and the rule).
    /// </exception>
    /// <exception cref="OidcTokenException">
    /// Google refused (<see cref="OidcTokenErrorCode.ExchangeRefused"/>), could not be reached or kept failing
    /// (<see cref="OidcTokenErrorCode.ExchangeFailed"/>), answered with something unusable
    /// (<see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/>), or no GitHub ID token could be had (its own code).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<GoogleToken> GetTokenAsync(IdTokenSource source, GoogleTokenExchangeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var (configuration, scopes, delegates) = Prepare(options);
        var account = configuration.ServiceAccount;
        var audience = options.Audience ?? configuration.GitHubAudience;
        var stsScopes = account is null ? scopes : [CloudPlatformScope];

        string? jwt = null;
        (string Token, DateTimeOffset ExpiresAt) federated;
        using (var sts = new ExchangeSession(StsTarget, "the token exchange", configuration.EffectiveTokenUrl, "GoogleCredentialConfiguration.TokenUrl", options))
        {
            federated = await sts.RunAsync(
                async ct =>
                {
                    // STS accepts a GitHub token more than once: one token serves every attempt.
                    jwt ??= await sts.GetIdTokenAsync(source, audience, ct).ConfigureAwait(false);
                    using var request = new HttpRequestMessage(HttpMethod.Post, configuration.EffectiveTokenUrl)
                    {
                        Content = new FormUrlEncodedContent(
                        [
                            new("grant_type", TokenExchangeGrant),
                            new("audience", configuration.StsAudience),
                            new("scope", string.Join(' ', stsScopes)),
                            new("requested_token_type", AccessTokenType),
                            new("subject_token_type", GoogleCredentialConfiguration.SubjectTokenType),
                            new("subject_token", jwt),
                        ]),
                    };
                    var response = await sts.SendAsync(request, ct).ConfigureAwait(false);
                    ThrowOnError(sts, response, fromIam: false, configuration, options);
                    return ReadStsAnswer(response, sts.Time);
                },
                cancellationToken).ConfigureAwait(false);
        }

        if (account is null)
        {
            return new GoogleToken(federated.Token, GoogleTokenFormat.AccessToken, federated.ExpiresAt, null);
        }

        var idToken = options.TokenFormat == GoogleTokenFormat.IdToken;
        var url = configuration.ServiceAccountImpersonationUrl!;
        if (idToken)
        {
            url = new Uri(url.AbsoluteUri[..url.AbsoluteUri.LastIndexOf(':')] + ":generateIdToken");
        }

        var lifetime = options.AccessTokenLifetime;
        var idTokenAudience = options.IdTokenAudience;
        var includeEmail = options.IncludeEmail;
        using var iam = new ExchangeSession(
            IamTarget, idToken ? "generateIdToken" : "generateAccessToken", url, "GoogleCredentialConfiguration.ImpersonationUrlBase", options, secret: federated.Token);

        // The same GitHub token again, so a refusal names the claims the IAM binding's principal set compares.
        await iam.GetIdTokenAsync(IdTokenSources.FromToken(jwt!), audience, cancellationToken).ConfigureAwait(false);
        return await iam.RunAsync(
            async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url)
                {
                    Content = JsonBody.Create(json =>
                    {
                        if (delegates.Length > 0)
                        {
                            json.WriteStartArray("delegates");
                            foreach (var delegated in delegates)
                            {
                                json.WriteStringValue(delegated);
                            }

                            json.WriteEndArray();
                        }

                        if (idToken)
                        {
                            json.WriteString("audience", idTokenAudience);
                            json.WriteBoolean("includeEmail", includeEmail);
                            return;
                        }

                        json.WriteStartArray("scope");
                        foreach (var scope in scopes)
                        {
                            json.WriteStringValue(scope);
                        }

                        json.WriteEndArray();
                        if (lifetime is { } value)
                        {
                            json.WriteString("lifetime", ((long)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s");
                        }
                    }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", federated.Token);
                var response = await iam.SendAsync(request, ct).ConfigureAwait(false);
                ThrowOnError(iam, response, fromIam: true, configuration, options);
                return idToken ? ReadIdToken(response, account, iam.Time) : ReadAccessToken(response, account);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static (GoogleCredentialConfiguration Configuration, string[] Scopes, string[] Delegates) Prepare(GoogleTokenExchangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateCommon(Options);
        var configuration = options.Configuration
            ?? throw new ArgumentException($"{Options}.Configuration is required: the provider, service account and endpoints (a GoogleCredentialConfiguration).", nameof(options));
        if (options.TokenFormat is not (GoogleTokenFormat.AccessToken or GoogleTokenFormat.IdToken))
        {
            throw new ArgumentException($"{Options}.TokenFormat must be AccessToken or IdToken.", nameof(options));
        }

        var noAccount = configuration.ServiceAccount is null;
        if (options.TokenFormat == GoogleTokenFormat.IdToken)
        {
            if (noAccount)
            {
                throw new ArgumentException(
                    "An ID token is minted for a service account (IAM Credentials generateIdToken): set GoogleCredentialConfiguration.ServiceAccount.", "ServiceAccount");
            }

            if (string.IsNullOrWhiteSpace(options.IdTokenAudience) || options.IdTokenAudience.Any(char.IsControl))
            {
                throw new ArgumentException(
                    "IdTokenAudience is required for an ID token: the aud the receiving service expects (for example a Cloud Run service's URL).", "IdTokenAudience");
            }
        }

        if (options.AccessTokenLifetime is { } lifetime && (lifetime < TimeSpan.FromSeconds(1) || lifetime > GoogleTokenExchangeOptions.MaxAccessTokenLifetime))
        {
            throw new ArgumentException("AccessTokenLifetime must be from 1 second to 12 hours (more than 1 hour needs Google's lifetime-extension policy).", "AccessTokenLifetime");
        }

        if (noAccount && options.AccessTokenLifetime is not null)
        {
            throw new ArgumentException(
                "AccessTokenLifetime needs a service account: a federated token's lifetime is the provider's (1 hour). Set GoogleCredentialConfiguration.ServiceAccount, or leave the lifetime unset.",
                "AccessTokenLifetime");
        }

        if (noAccount && options.Delegates.Count > 0)
        {
            throw new ArgumentException("Delegates need a service account (they form its impersonation chain): set GoogleCredentialConfiguration.ServiceAccount.", "Delegates");
        }

        if (options.Scopes.Any(s => string.IsNullOrWhiteSpace(s) || s.Any(c => char.IsControl(c) || c == ' ')))
        {
            throw new ArgumentException("Scopes must be non-blank URLs or names without spaces or control characters, such as " + CloudPlatformScope + ".", "Scopes");
        }

        var delegates = options.Delegates.Select(d => d?.Trim() ?? string.Empty).ToArray();
        if (delegates.Any(d => d.Length == 0 || d.Any(c => char.IsControl(c) || c == ' ')))
        {
            throw new ArgumentException("Delegates must be service-account emails (or projects/-/serviceAccounts/<email>), without spaces.", "Delegates");
        }

        string[] scopes = options.Scopes.Count == 0 ? [CloudPlatformScope] : [.. options.Scopes.Select(s => s.Trim())];
        return (configuration, scopes, [.. delegates.Select(d => d.StartsWith("projects/", StringComparison.Ordinal) ? d : "projects/-/serviceAccounts/" + d)]);
    }

    private static void ThrowOnError(ExchangeSession session, ExchangeResponse response, bool fromIam, GoogleCredentialConfiguration configuration, GoogleTokenExchangeOptions options)
    {
        if (response.IsSuccess)
        {
            return;
        }

        var (error, description) = ReadError(response);
        var said = session.ServerSaid(response, error is null ? description : error + (string.IsNullOrEmpty(description) ? string.Empty : ": " + description));
        if (HttpStatusRules.IsTransient(response.StatusCode))
        {
            throw ExchangeFailure.Transient(said, response);
        }

        var (cause, fix) = GoogleRefusals.Explain(
            error ?? string.Empty, description ?? string.Empty, fromIam, configuration.WorkloadIdentityProvider, configuration.ServiceAccount, $"{Options}.Audience");
        var facts = " (STS audience '" + configuration.StsAudience + "'" +
                    (configuration.ServiceAccount is { } account ? ", service account '" + account + "'" : ", no service account: direct federation") +
                    (fromIam && options.TokenFormat == GoogleTokenFormat.IdToken ? ", ID token audience '" + session.Scrub(options.IdTokenAudience ?? string.Empty) + "'" : string.Empty) +
                    ")";
        throw ExchangeFailure.Refused(said + ". Likely cause: " + cause.TrimEnd('.') + facts, fix, response);
    }

    /// <summary>Google's OAuth error (<c>error</c>, <c>error_description</c>) or API error (<c>error.status</c>, <c>error.message</c>).</summary>
    private static (string? Error, string? Description) ReadError(ExchangeResponse response)
    {
        using var document = response.TryParseJson();
        if (document is null)
        {
            var text = response.BodyText().Trim();
            return (null, text.Length == 0 ? null : text);
        }

        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.String)
            {
                return (error.GetString(), JsonAnswers.OptionalString(root, "error_description"));
            }

            if (error.ValueKind == JsonValueKind.Object)
            {
                return (JsonAnswers.OptionalString(error, "status"), JsonAnswers.OptionalString(error, "message"));
            }
        }

        return (null, null);
    }

    private static (string Token, DateTimeOffset ExpiresAt) ReadStsAnswer(ExchangeResponse response, TimeProvider time)
    {
        using var document = JsonAnswers.RequireObject(response);
        var root = document.RootElement;
        var token = JsonAnswers.RequireString(root, "access_token", "the answer", response);
        if (!root.TryGetProperty("expires_in", out var expiresIn) || expiresIn.ValueKind != JsonValueKind.Number
            || !expiresIn.TryGetInt64(out var seconds) || seconds <= 0 || seconds > 30 * 24 * 3600)
        {
            throw ExchangeFailure.Invalid(JsonAnswers.Status(response) + " without a positive number \"expires_in\"", response);
        }

        return (token, time.GetUtcNow().AddSeconds(seconds));
    }

    private static GoogleToken ReadAccessToken(ExchangeResponse response, string account)
    {
        using var document = JsonAnswers.RequireObject(response);
        var root = document.RootElement;
        var token = JsonAnswers.RequireString(root, "accessToken", "the answer", response);
        var expireTime = JsonAnswers.OptionalString(root, "expireTime");
        if (expireTime is null
            || !DateTimeOffset.TryParse(expireTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expiresAt))
        {
            throw ExchangeFailure.Invalid(JsonAnswers.Status(response) + " without an RFC 3339 \"expireTime\"", response);
        }

        return new GoogleToken(token, GoogleTokenFormat.AccessToken, expiresAt, account);
    }

    private static GoogleToken ReadIdToken(ExchangeResponse response, string account, TimeProvider time)
    {
        using var document = JsonAnswers.RequireObject(response);
        var token = JsonAnswers.RequireString(document.RootElement, "token", "the answer", response);

        // Google's ID tokens live 1 hour; the exp claim says so exactly when the token is a readable JWT.
        var expiresAt = JwtPayloadReader.TryRead(token, out _)?.ExpiresAt ?? time.GetUtcNow().AddHours(1);
        return new GoogleToken(token, GoogleTokenFormat.IdToken, expiresAt, account);
    }
}
