using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OidcToken.Testing;

/// <summary>
/// A test double of Google Cloud workload identity federation on 127.0.0.1: the Security Token Service
/// (<c>POST /v1/token</c>, token exchange) and IAM Credentials (<c>POST /v1/projects/-/serviceAccounts/{account}:generateAccessToken</c>
/// and <c>:generateIdToken</c>),
/// answering with Google's response and error shapes. Point a credential-configuration file's <c>token_url</c> at
/// <see cref="TokenUrl"/> and its impersonation URL under <see cref="ImpersonationUrlBase"/>; its
/// <c>credential_source.url</c> stays the (mock) runner's token endpoint. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// STS accepts both encodings in use: the RFC 8693 form with snake_case names (what Google.Apis.Auth sends) and JSON with
/// camelCase names (what <c>google-github-actions/auth</c> sends). It checks <c>grant_type</c>, <c>requested_token_type</c>,
/// <c>subject_token_type</c>, the <c>audience</c> (the provider's full name without a scheme, else Google's
/// <c>Invalid value for "audience"</c> error), the GitHub token's <c>aud</c> and expiry, and the attribute condition.
/// It decodes the GitHub token but does not verify its signature (the real STS does, with the issuer's JWKS).
/// </para>
/// <para>
/// <c>generateIdToken</c> answers a JWT-shaped token that is <b>not</b> signed by anything real (header <c>alg</c> <c>none</c>,
/// an empty-looking random signature): its claims (<c>iss</c> https://accounts.google.com, <c>aud</c>, <c>sub</c> and, with
/// <c>includeEmail</c>, <c>email</c>, <c>iat</c>, <c>exp</c>) are readable, which is all a client that passes it on needs.
/// </para>
/// <para>
/// Error texts follow those reported by users of the real service; <c>invalid_grant</c> texts for malformed or expired
/// tokens are approximations. The mock never logs, prints or records a token: <see cref="MockHttpTarget{TRequest}.Requests"/> keeps only
/// non-secret parameters and outcomes.
/// </para>
/// </remarks>
public sealed partial class MockGoogleCloud : MockHttpTarget<MockGoogleRequest>
{
    /// <summary>The <c>grant_type</c> of a token exchange.</summary>
    public const string TokenExchangeGrantType = "urn:ietf:params:oauth:grant-type:token-exchange";

    /// <summary>The only <c>requested_token_type</c> STS issues.</summary>
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    private const string TokenPath = "/v1/token";
    private const string ImpersonationPrefix = "/v1/projects/-/serviceAccounts/";
    private const string JsonContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly MockGoogleCloudOptions _options;
    private readonly string[] _allowedAudiences;
    private readonly HashSet<string> _serviceAccounts;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _federatedTokens = new(StringComparer.Ordinal);

    private MockGoogleCloud(MockGoogleCloudOptions options)
    {
        _options = options;
        _allowedAudiences = [.. options.AllowedAudiences];
        _serviceAccounts = new HashSet<string>(options.ServiceAccounts, StringComparer.OrdinalIgnoreCase);
        Host = HttpTargetHost.Start(options.Port, options.TimeProvider, Handle, handlerTakesFaults: true);
    }

    /// <summary>The STS token endpoint, <c>http://127.0.0.1:&lt;port&gt;/v1/token</c> (the configuration's <c>token_url</c>).</summary>
    public Uri TokenUrl => new(BaseAddress, TokenPath);

    /// <summary>
    /// The IAM Credentials collection, <c>http://127.0.0.1:&lt;port&gt;/v1/projects/-/serviceAccounts/</c>: an impersonation URL is
    /// this, the account's email and <c>:generateAccessToken</c>.
    /// </summary>
    public Uri ImpersonationUrlBase => new(BaseAddress, ImpersonationPrefix);

    /// <summary>How many requests reached STS (including refused and faulted ones) since start or <see cref="MockHttpTarget.ResetRequestLog"/>.</summary>
    public int StsRequestCount => CountOf(MockGoogleEndpoint.Sts);

    /// <summary>How many requests reached <c>generateIdToken</c> since start or <see cref="MockHttpTarget.ResetRequestLog"/>.</summary>
    public int IdTokenRequestCount => CountOf(MockGoogleEndpoint.GenerateIdToken);

    /// <summary>How many requests reached <c>generateAccessToken</c> since start or <see cref="MockHttpTarget.ResetRequestLog"/>.</summary>
    public int ImpersonationRequestCount => CountOf(MockGoogleEndpoint.GenerateAccessToken);

    /// <summary>Starts the mock on 127.0.0.1.</summary>
    /// <param name="options">What to accept and how long tokens live; <see langword="null"/> for the defaults.</param>
    /// <returns>The running mock; dispose it to stop listening.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The port or a lifetime is out of range.</exception>
    /// <exception cref="ArgumentException">The provider name is malformed.</exception>
    [RequiresUnreferencedCode("WireMock.Net uses reflection that trimming can break.")]
    [RequiresDynamicCode("WireMock.Net needs run-time code generation.")]
    public static MockGoogleCloud Start(MockGoogleCloudOptions? options = null)
    {
        options ??= new MockGoogleCloudOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Port, 0, "options.Port");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535, "options.Port");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FederatedTokenLifetime, TimeSpan.Zero, "options.FederatedTokenLifetime");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxImpersonatedTokenLifetime, TimeSpan.Zero, "options.MaxImpersonatedTokenLifetime");
        ArgumentNullException.ThrowIfNull(options.TimeProvider, "options.TimeProvider");
        if (options.WorkloadIdentityProvider is { } provider && !ProviderName().IsMatch(provider))
        {
            throw new ArgumentException(
                "WorkloadIdentityProvider must be 'projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>'.", nameof(options));
        }

        var copy = new MockGoogleCloudOptions
        {
            Port = options.Port,
            WorkloadIdentityProvider = options.WorkloadIdentityProvider,
            AttributeCondition = options.AttributeCondition,
            FederatedTokenLifetime = options.FederatedTokenLifetime,
            MaxImpersonatedTokenLifetime = options.MaxImpersonatedTokenLifetime,
            TimeProvider = options.TimeProvider,
        };
        foreach (var audience in options.AllowedAudiences)
        {
            copy.AllowedAudiences.Add(audience);
        }

        foreach (var account in options.ServiceAccounts)
        {
            copy.ServiceAccounts.Add(account);
        }

        return new MockGoogleCloud(copy);
    }

    /// <summary>
    /// An STS OAuth error, <c>{"error":"…","error_description":"…"}</c> with the given status, for
    /// <see cref="MockHttpTarget.FailNextRequests"/> (use <see cref="MockHttpTargetFault.ForRequestsTo"/> with
    /// <see cref="TokenUrl"/> to keep it for STS).
    /// </summary>
    /// <param name="error">The OAuth error code, for example <c>invalid_grant</c>.</param>
    /// <param name="description">The <c>error_description</c>.</param>
    /// <param name="statusCode">The HTTP status, 400–599. Default 400.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentException"><paramref name="error"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The status is outside 400–599.</exception>
    public static MockHttpTargetFault StsError(string error, string description, int statusCode = 400)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        return MockHttpTargetFault.Error("StsError(" + error + ")", statusCode, error, OAuthError(error, description));
    }

    /// <summary>
    /// A Google API error, <c>{"error":{"code":…,"message":"…","status":"…"}}</c>, as IAM Credentials sends (for example
    /// 503 <c>UNAVAILABLE</c> "The service is currently unavailable.", or 429 <c>RESOURCE_EXHAUSTED</c>), for
    /// <see cref="MockHttpTarget.FailNextRequests"/>.
    /// </summary>
    /// <param name="statusCode">The HTTP status (and <c>code</c>), 400–599.</param>
    /// <param name="status">The canonical status, for example <c>PERMISSION_DENIED</c> or <c>UNAVAILABLE</c>.</param>
    /// <param name="message">The message.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The status is outside 400–599.</exception>
    public static MockHttpTargetFault ApiError(int statusCode, string status, string message)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentException.ThrowIfNullOrEmpty(status);
        ArgumentNullException.ThrowIfNull(message);
        return MockHttpTargetFault.Error("ApiError(" + status + ")", statusCode, status, ApiErrorBody(statusCode, status, message));
    }

    internal static string OAuthError(string error, string description) =>
        Write(json =>
        {
            json.WriteString("error", error);
            json.WriteString("error_description", description);
        });

    internal static string ApiErrorBody(int code, string status, string message) =>
        Write(json =>
        {
            json.WriteStartObject("error");
            json.WriteNumber("code", code);
            json.WriteString("message", message);
            json.WriteString("status", status);
            json.WriteEndObject();
        });

    private static string Write(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private TargetAnswer? Handle(TargetCall call)
    {
        if (string.Equals(call.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            if (string.Equals(call.Path, TokenPath, StringComparison.Ordinal))
            {
                return RespondSts(call);
            }

            if (ImpersonationPath().IsMatch(call.Path))
            {
                return RespondIam(call);
            }
        }

        call.Unlogged = true;
        return TargetAnswer.Empty(404);
    }

    private TargetAnswer? RespondSts(TargetCall call)
    {
        var record = new MockGoogleRequest(MockGoogleEndpoint.Sts);
        call.Entry = facts => Finish(record, facts);
        var parameters = ReadStsParameters(call.Header("Content-Type"), call.Body, out var format);
        record.BodyFormat = format;
        record.StsAudience = parameters.GetValueOrDefault("audience");
        record.GrantType = parameters.GetValueOrDefault("grant_type");
        record.Scope = parameters.GetValueOrDefault("scope");
        var subjectToken = parameters.GetValueOrDefault("subject_token");
        var claims = subjectToken is null ? null : DecodeClaims(subjectToken);
        record.SubjectTokenAudience = claims?.GetValueOrDefault("aud");
        record.SubjectTokenSubject = claims?.GetValueOrDefault("sub");
        record.SubjectTokenId = claims?.GetValueOrDefault("jti");

        if (call.TakeFault() is { ReplacesAnswer: true } fault)
        {
            record.Error = FaultError(fault);
            return null;
        }

        if (!string.Equals(record.GrantType, TokenExchangeGrantType, StringComparison.Ordinal))
        {
            return StsRefusal(record, 400, "invalid_request", "Invalid value for \"grant_type\".");
        }

        if (!string.Equals(parameters.GetValueOrDefault("requested_token_type"), AccessTokenType, StringComparison.Ordinal))
        {
            return StsRefusal(record, 400, "invalid_request", "Invalid value for \"requested_token_type\".");
        }

        var subjectTokenType = parameters.GetValueOrDefault("subject_token_type");
        if (subjectTokenType is not ("urn:ietf:params:oauth:token-type:jwt" or "urn:ietf:params:oauth:token-type:id_token"))
        {
            return StsRefusal(record, 400, "invalid_request", "Invalid value for \"subject_token_type\".");
        }

        var audience = record.StsAudience ?? string.Empty;
        var provider = audience.StartsWith("//iam.googleapis.com/", StringComparison.Ordinal) ? audience["//iam.googleapis.com/".Length..] : null;
        if (provider is null || !ProviderName().IsMatch(provider))
        {
            return StsRefusal(
                record,
                400,
                "invalid_request",
                "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.");
        }

        if (_options.WorkloadIdentityProvider is { } known && !string.Equals(known, provider, StringComparison.Ordinal))
        {
            return StsRefusal(
                record,
                400,
                "invalid_target",
                "The target service indicated by the \"audience\" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.");
        }

        if (string.IsNullOrEmpty(subjectToken))
        {
            return StsRefusal(record, 400, "invalid_request", "Invalid value for \"subject_token\".");
        }

        if (claims is null)
        {
            return StsRefusal(record, 400, "invalid_grant", "Unable to parse the ID Token.");
        }

        if (!AudienceAccepted(record.SubjectTokenAudience, provider))
        {
            return StsRefusal(
                record, 400, "invalid_grant", "The audience in ID Token [" + record.SubjectTokenAudience + "] does not match the expected audience.");
        }

        if (!claims.TryGetValue("exp", out var expText)
            || !long.TryParse(expText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp)
            || DateTimeOffset.FromUnixTimeSeconds(exp) <= _options.TimeProvider.GetUtcNow())
        {
            return StsRefusal(record, 400, "invalid_grant", "The ID Token has expired.");
        }

        if (_options.AttributeCondition is { } condition && !condition(claims))
        {
            return StsRefusal(record, 400, "unauthorized_client", "The given credential is rejected by the attribute condition.");
        }

        var token = NewAccessToken();
        var lifetime = _options.FederatedTokenLifetime;
        _federatedTokens[token] = _options.TimeProvider.GetUtcNow() + lifetime;
        var body = Write(json =>
        {
            json.WriteString("access_token", token);
            json.WriteString("issued_token_type", AccessTokenType);
            json.WriteString("token_type", "Bearer");
            json.WriteNumber("expires_in", (long)Math.Ceiling(lifetime.TotalSeconds));
        });
        return new TargetAnswer(200, body, JsonContentType);
    }

    private TargetAnswer? RespondIam(TargetCall call)
    {
        var match = ImpersonationPath().Match(call.Path);
        var idToken = match.Groups["method"].Value == "generateIdToken";
        var record = new MockGoogleRequest(idToken ? MockGoogleEndpoint.GenerateIdToken : MockGoogleEndpoint.GenerateAccessToken);
        call.Entry = facts => Finish(record, facts);
        record.ServiceAccount = Uri.UnescapeDataString(match.Groups["account"].Value);
        var authorization = call.Header("Authorization") ?? string.Empty;
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
        record.HadValidBearer = bearer is not null
            && _federatedTokens.TryGetValue(bearer, out var expiry)
            && expiry > _options.TimeProvider.GetUtcNow();

        string[]? scopes = null;
        try
        {
            using var body = JsonDocument.Parse(string.IsNullOrEmpty(call.Body) ? "{}" : call.Body);
            if (body.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (body.RootElement.TryGetProperty("scope", out var scope) && scope.ValueKind == JsonValueKind.Array)
                {
                    scopes = [.. scope.EnumerateArray().Select(s => s.GetString() ?? string.Empty)];
                }

                if (body.RootElement.TryGetProperty("lifetime", out var lifetime) && lifetime.ValueKind == JsonValueKind.String)
                {
                    record.Lifetime = lifetime.GetString();
                }

                if (body.RootElement.TryGetProperty("audience", out var audience) && audience.ValueKind == JsonValueKind.String)
                {
                    record.IdTokenAudience = audience.GetString();
                }

                record.IncludeEmail = body.RootElement.TryGetProperty("includeEmail", out var include) && include.ValueKind == JsonValueKind.True;
                if (body.RootElement.TryGetProperty("delegates", out var delegates) && delegates.ValueKind == JsonValueKind.Array)
                {
                    record.Delegates = string.Join(' ', delegates.EnumerateArray().Select(d => d.GetString() ?? string.Empty));
                }
            }
        }
        catch (JsonException)
        {
            // Reported as INVALID_ARGUMENT below (no scope).
        }

        record.Scope = scopes is null ? null : string.Join(' ', scopes);

        if (call.TakeFault() is { ReplacesAnswer: true } fault)
        {
            record.Error = FaultError(fault);
            return null;
        }

        if (!record.HadValidBearer)
        {
            return ApiRefusal(
                record,
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
        }

        if (idToken ? string.IsNullOrEmpty(record.IdTokenAudience) : scopes is null || scopes.Length == 0)
        {
            return ApiRefusal(record, 400, "INVALID_ARGUMENT", "Request contains an invalid argument.");
        }

        if (_serviceAccounts.Count > 0 && !_serviceAccounts.Contains(record.ServiceAccount))
        {
            return ApiRefusal(record, 403, "PERMISSION_DENIED", "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).");
        }

        if (idToken)
        {
            return new TargetAnswer(200, Write(json => json.WriteString("token", NewIdToken(record))), JsonContentType);
        }

        var requested = ParseDuration(record.Lifetime) ?? TimeSpan.FromHours(1);
        if (requested > _options.MaxImpersonatedTokenLifetime && requested > TimeSpan.FromHours(1))
        {
            return ApiRefusal(record, 400, "INVALID_ARGUMENT", "The access token lifetime cannot exceed 3600 seconds.");
        }

        var granted = requested < _options.MaxImpersonatedTokenLifetime ? requested : _options.MaxImpersonatedTokenLifetime;
        var expireTime = _options.TimeProvider.GetUtcNow() + granted;
        var token = NewAccessToken();
        var answer = Write(json =>
        {
            json.WriteString("accessToken", token);
            json.WriteString("expireTime", expireTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        });
        return new TargetAnswer(200, answer, JsonContentType);
    }

    private bool AudienceAccepted(string? tokenAudience, string provider)
    {
        if (tokenAudience is null)
        {
            return false;
        }

        if (_allowedAudiences.Length > 0)
        {
            return _allowedAudiences.Contains(tokenAudience, StringComparer.Ordinal);
        }

        return string.Equals(tokenAudience, "https://iam.googleapis.com/" + provider, StringComparison.Ordinal)
            || string.Equals(tokenAudience, "//iam.googleapis.com/" + provider, StringComparison.Ordinal);
    }

    private static TargetAnswer StsRefusal(MockGoogleRequest record, int status, string error, string description)
    {
        record.Error = error;
        return new TargetAnswer(status, OAuthError(error, description), JsonContentType);
    }

    private static TargetAnswer ApiRefusal(MockGoogleRequest record, int status, string canonical, string message)
    {
        record.Error = canonical;
        return new TargetAnswer(status, ApiErrorBody(status, canonical, message), JsonContentType);
    }

    private static string? FaultError(MockHttpTargetFault fault) =>
        fault.Location is null && fault.StatusCode >= 400 ? ReadErrorCode(fault.Body) : null;

    private static MockGoogleRequest Finish(MockGoogleRequest record, MockHttpTargetRequest facts)
    {
        record.CopyFacts(facts);
        return record;
    }

    private int CountOf(MockGoogleEndpoint endpoint) => Requests.Count(r => r.Endpoint == endpoint);

    private static Dictionary<string, string> ReadStsParameters(string? contentType, string body, out string format)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var media = contentType?.Split(';')[0].Trim() ?? string.Empty;
        if (media.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            format = "json";
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        if (property.Value.ValueKind == JsonValueKind.String)
                        {
                            result[SnakeCase(property.Name)] = property.Value.GetString()!;
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Missing parameters are reported one by one.
            }

            return result;
        }

        format = media.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) ? "form" : "other";
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(equals < 0 ? pair : pair[..equals]);
            result.TryAdd(key, equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]));
        }

        return result;
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static string SnakeCase(string camel)
    {
        var text = new StringBuilder(camel.Length + 4);
        foreach (var c in camel)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                text.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static Dictionary<string, string>? DecodeClaims(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3 || !Base64Url.IsValid(parts[1]))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var claims = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                claims[property.Name] = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : property.Value.GetRawText();
            }

            return claims;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? ReadErrorCode(string? body)
    {
        if (body is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                return error.ValueKind switch
                {
                    JsonValueKind.String => error.GetString(),
                    JsonValueKind.Object when error.TryGetProperty("status", out var status) => status.GetString(),
                    _ => null,
                };
            }
        }
        catch (JsonException)
        {
            // Not JSON: no code.
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape ("\ud800") in the fault's body: JSON, but no readable code (it is still sent as given).
        }

        return null;
    }

    private static TimeSpan? ParseDuration(string? value)
    {
        if (value is null || !value.EndsWith('s'))
        {
            return null;
        }

        return double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    private string NewIdToken(MockGoogleRequest record)
    {
        var now = _options.TimeProvider.GetUtcNow();
        var header = Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8);
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Write(json =>
        {
            json.WriteString("iss", "https://accounts.google.com");
            json.WriteString("aud", record.IdTokenAudience);
            json.WriteString("azp", record.ServiceAccount);
            json.WriteString("sub", "1" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(record.ServiceAccount ?? string.Empty)))[..20]);
            if (record.IncludeEmail)
            {
                json.WriteString("email", record.ServiceAccount);
                json.WriteBoolean("email_verified", true);
            }

            json.WriteNumber("iat", now.ToUnixTimeSeconds());
            json.WriteNumber("exp", (now + TimeSpan.FromHours(1)).ToUnixTimeSeconds());
        })));
        var token = header + "." + payload + "." + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        SecretLedger.Register(token, "Google ID token");
        return token;
    }

    private static string NewAccessToken()
    {
        var token = "ya29.mock-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48));
        SecretLedger.Register(token, "Google access token");
        return token;
    }

    [GeneratedRegex(@"^projects/[0-9]+/locations/global/workloadIdentityPools/[a-z0-9-]{4,32}/providers/[a-z0-9-]{4,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProviderName();

    [GeneratedRegex(@"^/v1/projects/-/serviceAccounts/(?<account>[^/:]+):(?<method>generateAccessToken|generateIdToken)$", RegexOptions.CultureInvariant)]
    private static partial Regex ImpersonationPath();
}
