using System.Text.Json;
using System.Text.RegularExpressions;
using OidcToken.Exchange.Common;
using OidcToken.Exchange.Vault;
using OidcToken.Http;

namespace OidcToken.Exchange;

/// <summary>
/// Logs in to HashiCorp Vault with a GitHub ID token through the JWT auth method
/// (<c>POST {address}/v1/auth/{mount}/login</c> with <c>{"role","jwt"}</c>), and revokes the token it got.
/// </summary>
/// <example>
/// <code>
/// var login = await VaultJwtLogin.LoginAsync(IdTokenSources.Runner, new VaultJwtLoginOptions
/// {
///     Address = new Uri(Environment.GetEnvironmentVariable("VAULT_ADDR")!),
///     Role = "ci",
/// });
/// // send login.RevealClientToken() as X-Vault-Token; when done:
/// await VaultJwtLogin.RevokeAsync(login.RevealClientToken(), options);
/// </code>
/// </example>
/// <remarks>
/// Vault's errors (<c>{"errors":[…]}</c>) other than 408, 412, 429 and 5xx are refusals
/// (<see cref="OidcTokenErrorCode.ExchangeRefused"/>, with Vault's text and the token's claims); those four are retried.
/// </remarks>
public static partial class VaultJwtLogin
{
    private const string Target = "Vault";
    private const string Options = nameof(VaultJwtLoginOptions);

    /// <summary>Logs in and returns the Vault token.</summary>
    /// <param name="source">Where the GitHub ID token comes from, for example <see cref="IdTokenSources.Runner"/>.</param>
    /// <param name="options">The server, role and transport settings.</param>
    /// <param name="cancellationToken">Cancels the login.</param>
    /// <returns>The token, its accessor, policies and lease.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is missing or invalid (the message names it and the rule).</exception>
    /// <exception cref="OidcTokenException">
    /// Vault refused (<see cref="OidcTokenErrorCode.ExchangeRefused"/>), could not be reached or kept failing
    /// (<see cref="OidcTokenErrorCode.ExchangeFailed"/>), answered with something unusable
    /// (<see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/>), or no GitHub ID token could be had (its own code).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<VaultLoginResult> LoginAsync(IdTokenSource source, VaultJwtLoginOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var (address, mount, handler) = Prepare(options);
        var url = EndpointRules.Combine(address, "v1/auth/" + mount + "/login");
        var role = options.Role;
        var vaultNamespace = NormalizeNamespace(options.Namespace);
        var audience = options.Audience ?? string.Empty;
        using var session = new ExchangeSession(Target, "the login", address, Options + ".Address", options, handler: handler);
        string? jwt = null;
        return await session.RunAsync(
            async ct =>
            {
                // Vault accepts a GitHub token more than once: one token serves every attempt.
                jwt ??= await session.GetIdTokenAsync(source, audience, ct).ConfigureAwait(false);
                using var request = new HttpRequestMessage(HttpMethod.Post, url)
                {
                    Content = JsonBody.Create(writer =>
                    {
                        if (role is not null)
                        {
                            writer.WriteString("role", role);
                        }

                        writer.WriteString("jwt", jwt);
                    }),
                };
                AddNamespace(request, vaultNamespace);
                var response = await session.SendAsync(request, ct).ConfigureAwait(false);
                ThrowOnError(session, response, role, mount);
                return ReadLogin(response);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Revokes a Vault token (<c>POST {address}/v1/auth/token/revoke-self</c> with <c>X-Vault-Token</c>), for example the
    /// one <see cref="LoginAsync"/> returned, once the job no longer needs it.
    /// </summary>
    /// <param name="clientToken">The token to revoke.</param>
    /// <param name="options">The server and transport settings (<see cref="VaultJwtLoginOptions.Address"/>,
    /// <see cref="VaultJwtLoginOptions.Namespace"/>, <see cref="VaultJwtLoginOptions.CaCertificateFile"/>, retries); the role and mount are not used.</param>
    /// <param name="cancellationToken">Cancels the revocation.</param>
    /// <returns>A task that completes when Vault has revoked the token.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="clientToken"/> is empty, or an option is invalid.</exception>
    /// <exception cref="OidcTokenException">
    /// Vault refused, for example because the token has already expired or been revoked (<see cref="OidcTokenErrorCode.ExchangeRefused"/>),
    /// could not be reached (<see cref="OidcTokenErrorCode.ExchangeFailed"/>), or answered with something unusable.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task RevokeAsync(string clientToken, VaultJwtLoginOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientToken);
        if (clientToken.Any(c => char.IsControl(c) || c > 126))
        {
            throw new ArgumentException("The Vault token contains characters a header cannot carry.", nameof(clientToken));
        }

        var (address, _, handler) = Prepare(options);
        var url = EndpointRules.Combine(address, "v1/auth/token/revoke-self");
        var vaultNamespace = NormalizeNamespace(options.Namespace);
        using var session = new ExchangeSession(Target, "the revocation", address, Options + ".Address", options, secret: clientToken, handler: handler);
        await session.RunAsync<bool>(
            async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url);
                request.Headers.TryAddWithoutValidation("X-Vault-Token", clientToken);
                AddNamespace(request, vaultNamespace);
                var response = await session.SendAsync(request, ct).ConfigureAwait(false);
                if (response.IsSuccess)
                {
                    return true;
                }

                var text = JsonAnswers.ErrorText(response, ErrorsOf);
                if (IsTransient(response.StatusCode))
                {
                    throw ExchangeFailure.Transient(session.ServerSaid(response, text), response);
                }

                throw ExchangeFailure.Refused(
                    session.ServerSaid(response, text),
                    "a token that has expired or was already revoked cannot be revoked again (nothing is left to clean up); otherwise check " +
                    $"{Options}.Address and {Options}.Namespace.",
                    response);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static (Uri Address, string Mount, SocketsHttpHandler? Handler) Prepare(VaultJwtLoginOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateCommon(Options);
        var address = EndpointRules.Check(
            options.Address,
            Options + ".Address",
            $"{Options}.Address is required: set it to the Vault server's address (the VAULT_ADDR value), for example https://vault.example.com:8200.");
        var mount = (options.MountPath ?? string.Empty).Trim('/');
        if (!MountPattern().IsMatch(mount) || mount.Split('/').Any(segment => segment is "." or ".."))
        {
            throw new ArgumentException(
                $"{Options}.MountPath '{mount}' is not a valid auth mount path: use letters, digits, '_', '.', '-' and inner '/' (default 'jwt'), without 'auth/'.",
                nameof(options));
        }

        if (options.Role is { } role && (string.IsNullOrWhiteSpace(role) || role.Any(char.IsControl)))
        {
            throw new ArgumentException($"{Options}.Role must be null (the auth method's default_role) or a non-blank name without control characters.", nameof(options));
        }

        NormalizeNamespace(options.Namespace);
        var handler = options.CaCertificateFile is { } file
            ? CaBundle.CreateHandler(CaBundle.Load(file, Options + ".CaCertificateFile"))
            : null;
        return (address, mount, handler);
    }

    private static string? NormalizeNamespace(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var trimmed = value.Trim().Trim('/');
        if (trimmed.Length == 0 || trimmed.Any(c => c <= ' ' || c > '~'))
        {
            throw new ArgumentException($"{Options}.Namespace must be null or a namespace path of visible ASCII characters, for example 'admin/team-a'.", "options");
        }

        return trimmed;
    }

    private static void AddNamespace(HttpRequestMessage request, string? vaultNamespace)
    {
        if (vaultNamespace is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Vault-Namespace", vaultNamespace);
        }
    }

    private static bool IsTransient(int status) => HttpStatusRules.IsTransient(status) || status == 412;

    private static void ThrowOnError(ExchangeSession session, ExchangeResponse response, string? role, string mount)
    {
        if (response.IsSuccess)
        {
            return;
        }

        var text = JsonAnswers.ErrorText(response, ErrorsOf);
        if (IsTransient(response.StatusCode))
        {
            throw ExchangeFailure.Transient(session.ServerSaid(response, text), response);
        }

        throw ExchangeFailure.Refused(session.ServerSaid(response, text), FixFor(text ?? string.Empty, response.StatusCode, role, mount), response);
    }

    private static string FixFor(string text, int status, string? role, string mount)
    {
        var shownRole = role is null ? "the auth method's default_role" : $"role '{role}'";
        if (text.Contains("audience", StringComparison.OrdinalIgnoreCase))
        {
            return $"make {shownRole}'s bound_audiences contain the token's aud, or request the audience the role expects ({Options}.Audience; " +
                "null asks GitHub for its default, https://github.com/<owner>, which Vault's GitHub setup binds).";
        }

        if (text.Contains("role", StringComparison.OrdinalIgnoreCase) && (text.Contains("not found", StringComparison.OrdinalIgnoreCase) || text.Contains("could not be found", StringComparison.OrdinalIgnoreCase)))
        {
            return $"check {Options}.Role and that the JWT auth method is mounted at '{mount}' ({Options}.MountPath) in the right namespace ({Options}.Namespace).";
        }

        if (text.Contains("claim", StringComparison.OrdinalIgnoreCase) || text.Contains("subject", StringComparison.OrdinalIgnoreCase))
        {
            return $"make {shownRole}'s bound_subject / bound_claims match the token's claims below (prefer repository_id or repository_owner_id; " +
                "job_workflow_ref for reusable workflows).";
        }

        if (status is 404 or 405)
        {
            return $"check {Options}.Address and that the JWT auth method is mounted at '{mount}' ({Options}.MountPath).";
        }

        return $"check {shownRole} (bound_audiences, bound_subject / bound_claims) and the auth method's bound_issuer " +
            "(https://token.actions.githubusercontent.com) against the token's claims.";
    }

    /// <summary>Vault's <c>{"errors":["…", …]}</c>, joined.</summary>
    private static string? ErrorsOf(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var texts = errors.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()).Where(t => !string.IsNullOrWhiteSpace(t));
        var joined = string.Join("; ", texts);
        return joined.Length == 0 ? null : joined;
    }

    private static VaultLoginResult ReadLogin(ExchangeResponse response)
    {
        using var document = JsonAnswers.RequireObject(response);
        if (!document.RootElement.TryGetProperty("auth", out var auth) || auth.ValueKind != JsonValueKind.Object)
        {
            throw ExchangeFailure.Invalid(JsonAnswers.Status(response) + " without an \"auth\" object", response);
        }

        var token = JsonAnswers.RequireString(auth, "client_token", "\"auth\"", response);
        var accessor = JsonAnswers.OptionalString(auth, "accessor");
        var policies = new List<string>();
        if (auth.TryGetProperty("policies", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            policies.AddRange(list.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString()!));
        }

        var lease = TimeSpan.Zero;
        if (auth.TryGetProperty("lease_duration", out var leaseValue))
        {
            if (leaseValue.ValueKind != JsonValueKind.Number || !leaseValue.TryGetInt64(out var seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                throw ExchangeFailure.Invalid(JsonAnswers.Status(response) + " with an \"auth.lease_duration\" that is not a number of seconds", response);
            }

            lease = TimeSpan.FromSeconds(seconds);
        }

        var renewable = auth.TryGetProperty("renewable", out var renewableValue) && renewableValue.ValueKind == JsonValueKind.True;
        return new VaultLoginResult(token, accessor, policies.AsReadOnly(), lease, renewable);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex MountPattern();
}
