using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace OidcToken.Testing;

/// <summary>
/// An in-process test double of the Microsoft Entra ID token endpoint for workload identity federation:
/// <c>POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token</c> with a client assertion (and MSAL's
/// instance discovery, <c>GET /common/discovery/instance</c>), answered with
/// Entra's real JSON shapes (success: <c>token_type</c>, <c>expires_in</c>, <c>ext_expires_in</c>, <c>access_token</c>;
/// errors: <c>error</c>, <c>error_description</c> starting <c>AADSTS&lt;code&gt;: </c>, <c>error_codes</c>, <c>timestamp</c>,
/// <c>trace_id</c>, <c>correlation_id</c>, <c>error_uri</c>). Every member is thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// It runs on the same host as the other mocks, but reached in process rather than on a loopback port: Azure.Identity and
/// MSAL refuse an authority that is not https, so a loopback http server cannot stand in for Entra. Instead the credential
/// keeps its real https authority (<see cref="MockHttpTarget.BaseAddress"/>) and its Azure.Core pipeline is routed here, with
/// <c>options.Transport = new HttpClientTransport(mock.CreateHttpClient())</c> (and
/// <c>DisableInstanceDiscovery = true</c>). Nothing goes to the network and no certificate check is turned off.
/// </para>
/// <para>
/// The mock checks what Entra checks for a federated credential: <c>grant_type=client_credentials</c>,
/// <c>client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer</c>, the tenant (AADSTS90002),
/// <c>client_id</c> (AADSTS700016), a single-resource <c>scope</c> ending in <c>/.default</c> (AADSTS70011), and the
/// assertion's issuer (AADSTS700211), audience (AADSTS700212), subject (AADSTS700213, or AADSTS7002138 when only the
/// case differs) and lifetime (AADSTS700024). It does not verify the assertion's signature.
/// </para>
/// <para>
/// The request log keeps only non-secret facts (<see cref="MockEntraTokenRequest"/>); neither the assertion nor the
/// access tokens issued are logged. Issued access tokens are opaque random strings that only
/// <see cref="IsValidAccessToken"/> recognises.
/// </para>
/// </remarks>
public sealed class MockEntraId : MockHttpTarget<MockEntraTokenRequest>
{
    /// <summary>The <c>client_assertion_type</c> a federated credential request must carry.</summary>
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private const int MaxBodyBytes = 64 * 1024;
    private static readonly HashSet<int> TransientCodes = [90006, 90024, 90033, 90090];

    private readonly MockEntraIdOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Scope, DateTimeOffset ExpiresOn)> _issued = new(StringComparer.Ordinal);
    private readonly List<string> _unexpectedRequests = [];
    private int _instanceDiscovery;

    /// <summary>Creates a mock that accepts the tenant, app and federated credential in <paramref name="options"/>.</summary>
    /// <param name="options">What to accept; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The authority host is not an absolute https URL, or the tenant or client id is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The access-token lifetime is outside 1 second to 1 day.</exception>
    public MockEntraId(MockEntraIdOptions? options = null)
    {
        var source = options ?? new MockEntraIdOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(source.TenantId, "options.TenantId");
        ArgumentException.ThrowIfNullOrWhiteSpace(source.ClientId, "options.ClientId");
        ArgumentNullException.ThrowIfNull(source.AuthorityHost, "options.AuthorityHost");
        ArgumentNullException.ThrowIfNull(source.TimeProvider, "options.TimeProvider");
        if (!source.AuthorityHost.IsAbsoluteUri || source.AuthorityHost.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("The authority host must be an absolute https URL, as Azure.Identity requires.", nameof(options));
        }

        if (source.AccessTokenLifetime < TimeSpan.FromSeconds(1) || source.AccessTokenLifetime > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), source.AccessTokenLifetime, "AccessTokenLifetime must be between 1 second and 1 day.");
        }

        _options = new MockEntraIdOptions
        {
            TenantId = source.TenantId,
            ClientId = source.ClientId,
            AuthorityHost = source.AuthorityHost,
            ExpectedIssuer = source.ExpectedIssuer,
            ExpectedSubject = source.ExpectedSubject,
            ExpectedAudience = source.ExpectedAudience,
            AccessTokenLifetime = source.AccessTokenLifetime,
            TimeProvider = source.TimeProvider,
        };
        Host = HttpTargetHost.InProcess(_options.AuthorityHost, _options.TimeProvider, Handle);
    }

    /// <summary>The tenant the mock accepts.</summary>
    public string TenantId => _options.TenantId;

    /// <summary>The app (client) id the mock accepts.</summary>
    public string ClientId => _options.ClientId;

    /// <summary>
    /// How many requests were neither for the token endpoint nor instance discovery (for example OpenID metadata);
    /// they are answered with 404.
    /// </summary>
    public int UnexpectedRequestCount
    {
        get
        {
            lock (_gate)
            {
                return _unexpectedRequests.Count;
            }
        }
    }

    /// <summary>
    /// How many instance-discovery requests (<c>GET /common/discovery/instance</c>) MSAL made; the mock answers them
    /// with Entra's shape. MSAL makes one per application even for the well-known public cloud unless
    /// <c>DisableInstanceDiscovery</c> is on.
    /// </summary>
    public int InstanceDiscoveryRequestCount => Volatile.Read(ref _instanceDiscovery);

    /// <summary>
    /// The requests that were neither for the token endpoint nor instance discovery, as <c>METHOD scheme://host/path</c> (no query), oldest first:
    /// answered with 404.
    /// </summary>
    public IReadOnlyList<string> UnexpectedRequests
    {
        get
        {
            lock (_gate)
            {
                return [.. _unexpectedRequests];
            }
        }
    }

    /// <summary>
    /// Creates a handler that answers the mock's requests in process. Put it under an <see cref="HttpClient"/> and an
    /// Azure.Core <c>HttpClientTransport</c>; see <see cref="CreateHttpClient"/>.
    /// </summary>
    /// <returns>A new handler bound to this mock.</returns>
    public HttpMessageHandler CreateHandler() => Host.CreateHandler();

    /// <summary>
    /// Creates an <see cref="HttpClient"/> over <see cref="CreateHandler"/>, ready for
    /// <c>new Azure.Core.Pipeline.HttpClientTransport(mock.CreateHttpClient())</c> as a credential's <c>Transport</c>.
    /// </summary>
    /// <returns>A new client; dispose it when done.</returns>
    public HttpClient CreateHttpClient() => new(CreateHandler(), disposeHandler: true);

    /// <summary>
    /// Entra's error for <paramref name="aadstsCode"/>, for <see cref="MockHttpTarget.FailNextRequests"/> (token requests
    /// only take it): <c>temporarily_unavailable</c> for the transient codes 90006, 90024, 90033, 90090 and for HTTP 5xx
    /// and 429 (with <c>Retry-After: 1</c>), <c>invalid_request</c> otherwise. Status 0 simulates a network failure (the
    /// handler throws <see cref="HttpRequestException"/>) instead of answering.
    /// </summary>
    /// <param name="aadstsCode">The AADSTS code to report, e.g. 70021 or 90033.</param>
    /// <param name="statusCode">The HTTP status: 400, 401, 429, 5xx…, or 0 for a network failure. Default 400.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is not 0 or 400–599.</exception>
    public static MockHttpTargetFault Error(int aadstsCode, int statusCode = 400)
    {
        if (statusCode != 0 && (statusCode < 400 || statusCode > 599))
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "The status must be 0 (network failure) or 400-599.");
        }

        var transient = statusCode >= 500 || statusCode == 429 || TransientCodes.Contains(aadstsCode);
        return MockHttpTargetFault.Error(
            string.Create(CultureInfo.InvariantCulture, $"Error(AADSTS{aadstsCode}, {statusCode})"),
            statusCode,
            aadstsCode.ToString(CultureInfo.InvariantCulture),
            render: call =>
            {
                var answer = ErrorAnswer(call.BaseAddress, statusCode, transient ? "temporarily_unavailable" : "invalid_request", aadstsCode, DescribeInjected(aadstsCode), call.Now);
                return statusCode == 429 ? answer.With("Retry-After", "1") : answer;
            });
    }

    /// <summary>Whether <paramref name="accessToken"/> was issued by this mock, has not expired and (when given) was issued for <paramref name="scope"/>.</summary>
    /// <param name="accessToken">The access token a client received.</param>
    /// <param name="scope">The scope it must have been issued for, or <see langword="null"/> for any.</param>
    /// <returns><see langword="true"/> when a resource would accept it.</returns>
    public bool IsValidAccessToken(string accessToken, string? scope = null)
    {
        lock (_gate)
        {
            return _issued.TryGetValue(accessToken, out var issued)
                && issued.ExpiresOn > _options.TimeProvider.GetUtcNow()
                && (scope is null || string.Equals(scope, issued.Scope, StringComparison.Ordinal));
        }
    }

    private protected override void OnResetRequestLog()
    {
        lock (_gate)
        {
            _unexpectedRequests.Clear();
        }

        Volatile.Write(ref _instanceDiscovery, 0);
    }

    private TargetAnswer? Handle(TargetCall call)
    {
        var uri = call.RequestUri;
        var segments = call.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var isOurHost = uri is not null
            && string.Equals(uri.Scheme, _options.AuthorityHost.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Host, _options.AuthorityHost.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == _options.AuthorityHost.Port;
        var method = call.Method;
        if (isOurHost && method == "GET" && segments is ["common", "discovery", "instance"])
        {
            call.Unlogged = true;
            Interlocked.Increment(ref _instanceDiscovery);
            var host = _options.AuthorityHost.Authority;
            return Json(200, writer =>
            {
                writer.WriteString("tenant_discovery_endpoint", "https://" + host + "/" + _options.TenantId + "/v2.0/.well-known/openid-configuration");
                writer.WriteString("api-version", "1.1");
                writer.WriteStartArray("metadata");
                writer.WriteStartObject();
                writer.WriteString("preferred_network", host);
                writer.WriteString("preferred_cache", host);
                writer.WriteStartArray("aliases");
                writer.WriteStringValue(host);
                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndArray();
            });
        }

        if (!isOurHost || method != "POST" || segments.Length != 4
            || segments[1] != "oauth2" || segments[2] != "v2.0" || segments[3] != "token")
        {
            call.Unlogged = true;
            lock (_gate)
            {
                _unexpectedRequests.Add(method + " " + (uri is null ? "(none)" : uri.GetLeftPart(UriPartial.Path)));
            }

            return new TargetAnswer(404, string.Empty, "text/plain; charset=utf-8");
        }

        var tenant = Uri.UnescapeDataString(segments[0]);
        var form = ReadForm(call.Body);
        form.TryGetValue("client_id", out var clientId);
        form.TryGetValue("scope", out var scope);
        form.TryGetValue("grant_type", out var grantType);
        form.TryGetValue("client_assertion_type", out var assertionType);
        form.TryGetValue("client_assertion", out var assertion);
        var jwt = TryReadJwt(assertion);
        var now = call.Now;
        int? code = null;
        call.Entry = facts => new MockEntraTokenRequest(
            facts, tenant, clientId, scope, grantType, assertionType, !string.IsNullOrEmpty(assertion),
            jwt?.Issuer, jwt?.Subject, jwt is null ? null : string.Join(' ', jwt.Audiences), jwt?.Id is { Length: > 0 } id ? id : null,
            code);

        if (call.TakeFault() is { ReplacesAnswer: true } fault)
        {
            code = int.TryParse(fault.Code, NumberStyles.Integer, CultureInfo.InvariantCulture, out var injected) ? injected : null;
            return null;
        }

        var refusal = Check(tenant, clientId, scope, grantType, assertionType, assertion, jwt, now);
        if (refusal is { } r)
        {
            code = r.Code;
            return ErrorAnswer(_options.AuthorityHost, r.Status, r.Error, r.Code, r.Description, now);
        }

        var accessToken = "mock-entra." + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        SecretLedger.Register(accessToken, "Entra access token");
        var lifetime = (long)Math.Ceiling(_options.AccessTokenLifetime.TotalSeconds);
        lock (_gate)
        {
            _issued[accessToken] = (scope!, now + _options.AccessTokenLifetime);
        }

        return Json(200, writer =>
        {
            writer.WriteString("token_type", "Bearer");
            writer.WriteNumber("expires_in", lifetime);
            writer.WriteNumber("ext_expires_in", lifetime);
            writer.WriteString("access_token", accessToken);
        });
    }

    private (int Status, string Error, int Code, string Description)? Check(
        string tenant, string? clientId, string? scope, string? grantType, string? assertionType, string? assertion, JsonWebToken? jwt, DateTimeOffset now)
    {
        if (!string.Equals(grantType, "client_credentials", StringComparison.Ordinal))
        {
            return (400, "unsupported_grant_type", 70003, "AADSTS70003: The app requested an unsupported grant type '" + grantType + "'.");
        }

        if (!string.Equals(tenant, _options.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            return (400, "invalid_request", 90002, "AADSTS90002: Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.");
        }

        if (!string.Equals(clientId, _options.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            return (400, "unauthorized_client", 700016, "AADSTS700016: Application with identifier '" + clientId + "' was not found in the directory '" + tenant + "'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");
        }

        if (scope is null || scope.Contains(' ', StringComparison.Ordinal) || !scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            return (400, "invalid_scope", 70011, "AADSTS70011: The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope " + scope + " is not valid. The client credentials flow requires one resource's scope ending in /.default.");
        }

        if (!string.Equals(assertionType, JwtBearerAssertionType, StringComparison.Ordinal) || string.IsNullOrEmpty(assertion))
        {
            return (401, "invalid_client", 7000216, "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
        }

        if (jwt is null)
        {
            return (401, "invalid_client", 50027, "AADSTS50027: JWT token is invalid or malformed.");
        }

        var audiences = string.Join(' ', jwt.Audiences);
        if (jwt.ValidTo != DateTime.MinValue && new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) <= now)
        {
            return (400, "invalid_client", 700024, string.Create(CultureInfo.InvariantCulture,
                $"AADSTS700024: Client assertion is not within its valid time range. Current time: {now:yyyy-MM-ddTHH:mm:ss.fffffffZ}, assertion valid from {new DateTimeOffset(jwt.ValidFrom, TimeSpan.Zero):yyyy-MM-ddTHH:mm:ss.fffffffZ}, expiry time of assertion {new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero):yyyy-MM-ddTHH:mm:ss.fffffffZ}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."));
        }

        if (_options.ExpectedIssuer is { } issuer && !string.Equals(issuer, jwt.Issuer, StringComparison.Ordinal))
        {
            return (400, "invalid_client", 700211, "AADSTS700211: No matching federated identity record found for presented assertion issuer '" + jwt.Issuer + "'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation");
        }

        if (!jwt.Audiences.Contains(_options.ExpectedAudience, StringComparer.Ordinal))
        {
            return (400, "invalid_client", 700212, "AADSTS700212: No matching federated identity record found for presented assertion audience '" + audiences + "'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation");
        }

        if (_options.ExpectedSubject is { } subject && !string.Equals(subject, jwt.Subject, StringComparison.Ordinal))
        {
            return string.Equals(subject, jwt.Subject, StringComparison.OrdinalIgnoreCase)
                ? (400, "invalid_client", 7002138, "AADSTS7002138: No matching federated identity record found for presented assertion subject '" + jwt.Subject + "'. The subject matches a federated identity credential only when case is ignored; subject matching is case-sensitive. https://learn.microsoft.com/entra/workload-id/workload-identity-federation")
                : (400, "invalid_client", 700213, "AADSTS700213: No matching federated identity record found for presented assertion subject '" + jwt.Subject + "'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation");
        }

        return null;
    }

    private static string DescribeInjected(int code) => code switch
    {
        70021 => "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:octo-org/octo-repo:ref:refs/heads/main'. Assertion Audience: 'api://AzureADTokenExchange'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
        90033 => "AADSTS90033: A transient error has occurred. Please try again.",
        90006 => "AADSTS90006: An internal server error occurred: ExternalServerRetryableError.",
        90024 => "AADSTS90024: RequestBudgetExceededError - A transient error has occurred. Try again.",
        90090 => "AADSTS90090: GraphRetryableError - The service is temporarily unavailable.",
        53003 => "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        _ => string.Create(CultureInfo.InvariantCulture, $"AADSTS{code}: Injected by MockEntraId."),
    };

    private static TargetAnswer ErrorAnswer(Uri authorityHost, int status, string error, int code, string description, DateTimeOffset now)
    {
        var traceId = Guid.NewGuid().ToString("D");
        var correlationId = Guid.NewGuid().ToString("D");
        var timestamp = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return Json(status, writer =>
        {
            writer.WriteString("error", error);
            writer.WriteString("error_description", description + " Trace ID: " + traceId + " Correlation ID: " + correlationId + " Timestamp: " + timestamp);
            writer.WriteStartArray("error_codes");
            writer.WriteNumberValue(code);
            writer.WriteEndArray();
            writer.WriteString("timestamp", timestamp);
            writer.WriteString("trace_id", traceId);
            writer.WriteString("correlation_id", correlationId);
            writer.WriteString("error_uri", new Uri(authorityHost, "error?code=" + code.ToString(CultureInfo.InvariantCulture)).AbsoluteUri);
        });
    }

    private static TargetAnswer Json(int status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return new TargetAnswer(status, Encoding.UTF8.GetString(buffer.ToArray()), "application/json; charset=utf-8")
            .With("x-ms-request-id", Guid.NewGuid().ToString("D"))
            .With("Cache-Control", "no-store, no-cache");
    }

    private static JsonWebToken? TryReadJwt(string? assertion)
    {
        if (string.IsNullOrEmpty(assertion) || assertion.Length > 16 * 1024)
        {
            return null;
        }

        try
        {
            return new JsonWebToken(assertion);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static Dictionary<string, string> ReadForm(string body)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Encoding.UTF8.GetByteCount(body) > MaxBodyBytes)
        {
            return form;
        }

        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]);
            form.TryAdd(name, value);
        }

        return form;

        static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }
}
