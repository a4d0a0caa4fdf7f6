using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace OidcToken.Testing;

/// <summary>
/// A test double of HashiCorp Vault's JWT auth method on 127.0.0.1: <c>POST /v1/auth/{mount}/login</c> with
/// <c>{"role","jwt"}</c> answering Vault's <c>{"auth":{…}}</c>, and <c>POST /v1/auth/token/revoke-self</c>. Errors use
/// Vault's <c>{"errors":["…"]}</c> shape and texts (unknown role, audience mismatch, bound subject mismatch, unmounted
/// path, permission denied). Presented GitHub tokens are decoded, not signature-checked.
/// </summary>
public sealed class MockVault : MockHttpTarget<MockHttpTargetRequest>
{
    private readonly ConcurrentDictionary<string, bool> _tokens = new(StringComparer.Ordinal);

    private MockVault(string role, string boundAudience, string mountPath, string? vaultNamespace)
    {
        Role = role;
        BoundAudience = boundAudience;
        BoundAudiences = [boundAudience];
        MountPath = mountPath;
        Namespace = vaultNamespace;
    }

    /// <summary>The only role that exists (also the <c>default_role</c>).</summary>
    public string Role { get; }

    /// <summary>The audience the mock was started with: the first of <see cref="BoundAudiences"/> until they are changed.</summary>
    public string BoundAudience { get; }

    /// <summary>The role's <c>bound_audiences</c>: a presented token's <c>aud</c> must be one of them. Default: <see cref="BoundAudience"/> alone.</summary>
    public IReadOnlyList<string> BoundAudiences { get; set; }

    /// <summary>
    /// The role's <c>bound_claims</c> (with <c>bound_claims_type</c> <c>string</c>): for each claim, the values it may have
    /// (a string claim compared exactly; any other claim by its raw JSON). A token without the claim gets Vault's
    /// <c>claim "…" is missing</c>, another value <c>claim "…" does not match any associated bound claim values</c>.
    /// Null (default): no bound claims.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? BoundClaims { get; set; }

    /// <summary>The role's <c>user_claim</c>: a token without it gets Vault's <c>claim "…" not found in token</c>. Null (default): <c>sub</c>, which every token has.</summary>
    public string? UserClaim { get; set; }

    /// <summary>Where the JWT auth method is mounted (default <c>jwt</c>).</summary>
    public string MountPath { get; }

    /// <summary>The namespace the auth method lives in; requests must send it as <c>X-Vault-Namespace</c>. Null: none.</summary>
    public string? Namespace { get; }

    /// <summary>The role's <c>bound_subject</c>; null (default) accepts any <c>sub</c>.</summary>
    public string? BoundSubject { get; set; }

    /// <summary>The policies a login gets. Default <c>default</c> and <c>ci</c>.</summary>
    public IReadOnlyList<string> Policies { get; set; } = ["default", "ci"];

    /// <summary>The lease a login gets. Default one hour.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many client tokens were issued.</summary>
    public int IssuedTokenCount => _tokens.Count;

    /// <summary>How many issued client tokens were revoked.</summary>
    public int RevokedTokenCount => _tokens.Count(t => t.Value);

    /// <summary>Starts a mock Vault on 127.0.0.1.</summary>
    /// <param name="boundAudience">The role's <c>bound_audiences</c> (for GitHub's default, <see cref="MockGitHubOidcIssuer.DefaultAudience"/>).</param>
    /// <param name="role">The role name. Default <c>ci</c>.</param>
    /// <param name="mountPath">The auth mount path. Default <c>jwt</c>.</param>
    /// <param name="vaultNamespace">The namespace requests must name, or null for none.</param>
    /// <param name="port">The port; 0 (default) picks a free one.</param>
    /// <param name="timeProvider">The clock for token expiry checks; null for the system clock.</param>
    /// <returns>The running mock; dispose it to stop.</returns>
    /// <exception cref="ArgumentException"><paramref name="boundAudience"/>, <paramref name="role"/> or <paramref name="mountPath"/> is empty.</exception>
    [RequiresUnreferencedCode("WireMock.Net uses reflection that trimming can break.")]
    [RequiresDynamicCode("WireMock.Net needs run-time code generation.")]
    public static MockVault Start(string boundAudience, string role = "ci", string mountPath = "jwt", string? vaultNamespace = null, int port = 0, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(boundAudience);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        ArgumentException.ThrowIfNullOrWhiteSpace(mountPath);
        var mock = new MockVault(role, boundAudience, mountPath.Trim('/'), vaultNamespace?.Trim('/'));
        mock.Host = HttpTargetHost.Start(port, timeProvider, mock.Handle);
        return mock;
    }

    /// <summary>
    /// Configures the role from the JSON body of <c>vault write auth/jwt/role/NAME @role.json</c> (what
    /// <c>oidc-token doctor --trust vault</c> prints): <c>bound_audiences</c>, <c>bound_subject</c>, <c>bound_claims</c> (each
    /// value a string or a list of strings), <c>user_claim</c>. Other fields are ignored; a field that is absent leaves its
    /// setting unchanged, except that <c>bound_claims</c> is replaced (cleared when absent).
    /// </summary>
    /// <param name="roleJson">The role's JSON.</param>
    /// <exception cref="ArgumentException">It is not a JSON object, <c>role_type</c> is not <c>jwt</c>, <c>bound_claims_type</c> is not
    /// <c>string</c> (the mock does not do <c>glob</c>), or a field has the wrong type.</exception>
    public void ApplyRole(string roleJson)
    {
        ArgumentNullException.ThrowIfNull(roleJson);
        try
        {
            using var document = JsonDocument.Parse(roleJson);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("The role must be a JSON object.", nameof(roleJson));
            }

            if (root.TryGetProperty("role_type", out var type) && type.GetString() != "jwt")
            {
                throw new ArgumentException("role_type must be jwt.", nameof(roleJson));
            }

            if (root.TryGetProperty("bound_claims_type", out var claimsType) && claimsType.GetString() != "string")
            {
                throw new ArgumentException("MockVault supports bound_claims_type string only.", nameof(roleJson));
            }

            if (root.TryGetProperty("bound_audiences", out var audiences))
            {
                BoundAudiences = Strings(audiences);
            }

            if (root.TryGetProperty("bound_subject", out var subject))
            {
                BoundSubject = subject.GetString();
            }

            if (root.TryGetProperty("user_claim", out var userClaim))
            {
                UserClaim = userClaim.GetString();
            }

            BoundClaims = root.TryGetProperty("bound_claims", out var claims)
                ? claims.EnumerateObject().ToDictionary(p => p.Name, p => Strings(p.Value), StringComparer.Ordinal)
                : null;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw new ArgumentException("The role is not a valid JSON role: " + exception.Message, nameof(roleJson), exception);
        }

        static IReadOnlyList<string> Strings(JsonElement value) => value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => v.GetString()!).ToArray()
            : [value.GetString()!];
    }

    /// <summary>Vault's error shape: <paramref name="statusCode"/> with <c>{"errors":[…]}</c>.</summary>
    /// <param name="statusCode">The status, e.g. 400, 403, 412, 503.</param>
    /// <param name="errors">The error texts.</param>
    /// <returns>A fault for <see cref="MockHttpTarget.FailNextRequests"/>.</returns>
    public static MockHttpTargetFault Error(int statusCode, params string[] errors) =>
        MockHttpTargetFault.Status(statusCode, ErrorBody(errors));

    /// <summary>Whether <paramref name="clientToken"/> was issued by this mock and then revoked.</summary>
    /// <param name="clientToken">A client token.</param>
    /// <returns>True when revoked.</returns>
    public bool IsRevoked(string clientToken) => _tokens.TryGetValue(clientToken, out var revoked) && revoked;

    /// <summary>Whether <paramref name="clientToken"/> was issued by this mock and is not revoked.</summary>
    /// <param name="clientToken">A client token.</param>
    /// <returns>True when usable.</returns>
    public bool IsActive(string clientToken) => _tokens.TryGetValue(clientToken, out var revoked) && !revoked;

    private static string ErrorBody(params string[] errors) => HttpTargetHost.Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("errors");
        foreach (var error in errors)
        {
            w.WriteStringValue(error);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static TargetAnswer Fail(int status, string error) => TargetAnswer.Json(status, ErrorBody(error));

    private TargetAnswer Handle(TargetCall call)
    {
        var loginPath = "/v1/auth/" + MountPath + "/login";
        if (call.Method == "POST" && call.Path == "/v1/auth/token/revoke-self")
        {
            var token = call.Header("X-Vault-Token");
            if (token is null || !_tokens.TryGetValue(token, out var revoked) || revoked)
            {
                return Fail(403, "permission denied");
            }

            _tokens[token] = true;
            return TargetAnswer.Empty(204);
        }

        if (call.Method != "POST" || call.Path != loginPath || !string.Equals(call.Header("X-Vault-Namespace")?.Trim('/'), Namespace, StringComparison.Ordinal))
        {
            var route = call.Path.StartsWith("/v1/", StringComparison.Ordinal) ? call.Path["/v1/".Length..] : call.Path.TrimStart('/');
            return Fail(404, $"no handler for route \"{route}\". route entry not found.");
        }

        if (call.JsonObject() is not { } body)
        {
            return Fail(400, "failed to parse JSON input: unexpected end of JSON input");
        }

        var jwt = body.TryGetProperty("jwt", out var j) && j.ValueKind == JsonValueKind.String ? j.GetString() : null;
        if (string.IsNullOrEmpty(jwt))
        {
            return Fail(400, "missing token");
        }

        var role = body.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        if (!string.IsNullOrEmpty(role) && role != Role)
        {
            return Fail(400, $"role \"{role}\" could not be found");
        }

        var presented = call.ReadToken(jwt);
        if (presented is null)
        {
            return Fail(400, "error validating token: malformed token");
        }

        if (presented.IsExpired(call.Now))
        {
            return Fail(400, "error validating token: token is expired (exp)");
        }

        if (presented.Audience is null || !BoundAudiences.Contains(presented.Audience, StringComparer.Ordinal))
        {
            return Fail(400, "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience");
        }

        if (BoundSubject is { } subject && presented.Subject != subject)
        {
            return Fail(400, "error validating claims: claim \"sub\" does not match any associated bound claim values");
        }

        foreach (var (claim, values) in BoundClaims ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            if (!presented.Claims.TryGetValue(claim, out var value))
            {
                return Fail(400, "error validating claims: claim \"" + claim + "\" is missing");
            }

            if (!values.Contains(value, StringComparer.Ordinal))
            {
                return Fail(400, "error validating claims: claim \"" + claim + "\" does not match any associated bound claim values");
            }
        }

        if (UserClaim is { } user && !presented.Claims.ContainsKey(user))
        {
            return Fail(400, "claim \"" + user + "\" not found in token");
        }

        var clientToken = HttpTargetHost.NewSecret("hvs.", 90);
        _tokens[clientToken] = false;
        var policies = Policies;
        var lease = (long)LeaseDuration.TotalSeconds;
        return TargetAnswer.Json(200, HttpTargetHost.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("request_id", Guid.NewGuid().ToString("D"));
            w.WriteString("lease_id", string.Empty);
            w.WriteBoolean("renewable", false);
            w.WriteNumber("lease_duration", 0);
            w.WriteNull("data");
            w.WriteNull("wrap_info");
            w.WriteNull("warnings");
            w.WriteStartObject("auth");
            w.WriteString("client_token", clientToken);
            w.WriteString("accessor", HttpTargetHost.NewSecret(string.Empty, 24));
            WriteList(w, "policies", policies);
            WriteList(w, "token_policies", policies);
            w.WriteStartObject("metadata");
            w.WriteString("role", Role);
            w.WriteEndObject();
            w.WriteNumber("lease_duration", lease);
            w.WriteBoolean("renewable", true);
            w.WriteString("entity_id", Guid.NewGuid().ToString("D"));
            w.WriteString("token_type", "service");
            w.WriteBoolean("orphan", true);
            w.WriteNull("mfa_requirement");
            w.WriteNumber("num_uses", 0);
            w.WriteEndObject();
            w.WriteEndObject();
        }));
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
