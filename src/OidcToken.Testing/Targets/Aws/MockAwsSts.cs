using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using WireMock;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace OidcToken.Testing;

/// <summary>
/// A test double of AWS STS <c>AssumeRoleWithWebIdentity</c> on 127.0.0.1, for the AWS SDK pointed at it with
/// <c>ServiceURL</c> (or <c>AWS_ENDPOINT_URL_STS</c>). It takes the SDK's form-encoded <c>POST /</c>, checks the web
/// identity token the way the role's IAM OIDC provider and trust policy would (a JWT, its <c>iss</c>, <c>aud</c> among the
/// client ids, not expired, <c>sub</c> matching the trust policy's pattern) and answers with STS's real XML:
/// <c>AssumeRoleWithWebIdentityResponse</c> with random credentials, or an <c>ErrorResponse</c> with STS's error codes
/// (<c>AccessDenied</c>, <c>InvalidIdentityToken</c>, <c>ExpiredTokenException</c>, <c>ValidationError</c>, …).
/// Every member is thread-safe.
/// </summary>
/// <remarks>
/// Token signatures are not verified (the mock trusts any issuer's signing keys); use <see cref="MockAwsStsOptions.ExpectedIssuer"/>
/// to check the issuer. The mock never logs or keeps the web identity token or the credentials it hands out:
/// <see cref="Requests"/> records only the request's non-secret fields and the token's <c>sub</c> and <c>aud</c>.
/// </remarks>
public sealed partial class MockAwsSts : IDisposable
{
    /// <summary>STS's XML namespace, used by every answer.</summary>
    public const string XmlNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private const string NotAuthorized = "Not authorized to perform sts:AssumeRoleWithWebIdentity";
    private const string Xml = "text/xml";

    private readonly WireMockServer _server;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _audiences;
    private readonly string? _expectedIssuer;
    private readonly int _maxSessionSeconds;
    private readonly string? _accountId;
    private readonly Lock _lock = new();
    private readonly Queue<Fault> _faults = new();
    private readonly List<MockStsRequest> _requests = [];
    private string? _subjectPattern;
    private TimeSpan? _credentialLifetime;
    private int _disposed;

    private MockAwsSts(MockAwsStsOptions options, WireMockServer server)
    {
        _server = server;
        _time = options.TimeProvider;
        _audiences = new HashSet<string>(options.AllowedAudiences, StringComparer.Ordinal);
        _expectedIssuer = options.ExpectedIssuer;
        _maxSessionSeconds = (int)options.MaxSessionDuration.TotalSeconds;
        _accountId = options.AccountId;
        _subjectPattern = options.SubjectPattern;
        _credentialLifetime = options.CredentialLifetime;
        ServiceUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{server.Ports[0]}/"));
        _server
            .Given(Request.Create().WithPath("/"))
            .RespondWith(new DelegateResponseProvider((context, request) => Task.FromResult<IResponseMessage>(Respond(context.Request.Method, request.Body).Response)));
    }

    /// <summary>The mock's address, <c>http://127.0.0.1:&lt;port&gt;/</c>: the SDK's <c>ServiceURL</c> or <c>AWS_ENDPOINT_URL_STS</c>.</summary>
    public Uri ServiceUrl { get; }

    /// <summary>
    /// The trust policy's <c>sub</c> condition as an IAM <c>StringLike</c> pattern (<c>*</c>, <c>?</c>); a token whose
    /// <c>sub</c> does not match gets HTTP 403 <c>AccessDenied</c>. <see langword="null"/> accepts any subject.
    /// </summary>
    public string? SubjectPattern
    {
        get => Volatile.Read(ref _subjectPattern);
        set => Volatile.Write(ref _subjectPattern, value);
    }

    /// <summary>How long credentials issued from now on live, overriding the requested <c>DurationSeconds</c>; <see langword="null"/> for the requested duration.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? CredentialLifetime
    {
        get
        {
            lock (_lock)
            {
                return _credentialLifetime;
            }
        }

        set
        {
            if (value is { } lifetime)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
            }

            lock (_lock)
            {
                _credentialLifetime = value;
            }
        }
    }

    /// <summary>How many requests reached the mock (including refused and faulted ones) since start or <see cref="ResetRequestLog"/>.</summary>
    public int RequestCount
    {
        get
        {
            lock (_lock)
            {
                return _requests.Count;
            }
        }
    }

    /// <summary>The requests received, oldest first (a snapshot).</summary>
    public IReadOnlyList<MockStsRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>The role ARNs requested, oldest first.</summary>
    public IReadOnlyList<string?> RequestedRoleArns => Requests.Select(r => r.RoleArn).ToArray();

    /// <summary>The role session names requested, oldest first.</summary>
    public IReadOnlyList<string?> RequestedSessionNames => Requests.Select(r => r.RoleSessionName).ToArray();

    /// <summary>Starts a mock STS on 127.0.0.1.</summary>
    /// <param name="options">The role to imitate and the port; <see langword="null"/> for the defaults.</param>
    /// <returns>The running mock; dispose it to stop listening.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The port, maximum session duration or credential lifetime is out of range.</exception>
    /// <exception cref="ArgumentException">An audience is empty, or the account id is not 12 digits.</exception>
    [RequiresUnreferencedCode("WireMock.Net uses reflection that trimming can break.")]
    [RequiresDynamicCode("WireMock.Net needs run-time code generation.")]
    public static MockAwsSts Start(MockAwsStsOptions? options = null)
    {
        options ??= new MockAwsStsOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Port, 0, "options.Port");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535, "options.Port");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSessionDuration, TimeSpan.FromHours(1), "options.MaxSessionDuration");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxSessionDuration, TimeSpan.FromHours(12), "options.MaxSessionDuration");
        if (options.CredentialLifetime is { } lifetime)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero, "options.CredentialLifetime");
        }

        if (options.AllowedAudiences.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("AllowedAudiences must not contain an empty audience.", nameof(options));
        }

        if (options.AccountId is { } account && !AccountIdPattern().IsMatch(account))
        {
            throw new ArgumentException("AccountId must be 12 digits.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.TimeProvider, "options.TimeProvider");
        var server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{options.Port}")],
            StartAdminInterface = false,
            Logger = new WireMockNullLogger(),
            MaxRequestLogCount = 0,
        });
        try
        {
            return new MockAwsSts(options, server);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes the next <paramref name="count"/> requests fail with STS's <c>ErrorResponse</c> XML carrying
    /// <paramref name="errorCode"/> (for example <c>IDPCommunicationError</c>, <c>Throttling</c>, <c>AccessDenied</c>,
    /// <c>ExpiredTokenException</c>) and HTTP <paramref name="statusCode"/>; later requests are served normally. Faults
    /// apply before any check, and calls queue up in order. A null or empty code sends the status with an empty body.
    /// </summary>
    /// <param name="count">How many requests fail; at least 1.</param>
    /// <param name="errorCode">The STS error code, or null/empty for a bare status.</param>
    /// <param name="statusCode">The HTTP status, 300–599. Default 400 (what STS uses for most errors; 403 for <c>AccessDenied</c> and <c>IDPRejectedClaim</c>).</param>
    /// <param name="message">The error message; default a fixed text per code.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1, or <paramref name="statusCode"/> is outside 300–599.</exception>
    /// <exception cref="ObjectDisposedException">The mock was disposed.</exception>
    public void FailNext(int count, string? errorCode, int statusCode = 400, string? message = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_lock)
        {
            _faults.Enqueue(new Fault(count, errorCode, statusCode, message ?? DefaultMessage(errorCode), Malformed: false));
        }
    }

    /// <summary>Makes the next <paramref name="count"/> requests get HTTP 200 with a body that is not STS's XML.</summary>
    /// <param name="count">How many requests get it; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="ObjectDisposedException">The mock was disposed.</exception>
    public void FailNextWithMalformedResponse(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_lock)
        {
            _faults.Enqueue(new Fault(count, null, 200, string.Empty, Malformed: true));
        }
    }

    /// <summary>
    /// Makes the next <paramref name="count"/> requests get HTTP <paramref name="statusCode"/> with the exact text
    /// <paramref name="body"/> (UTF-8) as <paramref name="contentType"/>, whatever it holds: hostile or broken XML for
    /// fuzzing the client's parsing. Faults apply before any check, and calls queue up in order.
    /// </summary>
    /// <param name="count">How many requests get it; at least 1.</param>
    /// <param name="statusCode">The HTTP status, 200–599.</param>
    /// <param name="body">The body text.</param>
    /// <param name="contentType">The <c>Content-Type</c>. Default <c>text/xml</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1, or <paramref name="statusCode"/> is outside 200–599.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> or <paramref name="contentType"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The mock was disposed.</exception>
    public void FailNextWithBody(int count, int statusCode, string body, string contentType = "text/xml")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(contentType);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_lock)
        {
            _faults.Enqueue(new Fault(count, null, statusCode, string.Empty, Malformed: false) { Body = body, ContentType = contentType });
        }
    }

    /// <summary>Clears <see cref="Requests"/>. Queued faults stay queued.</summary>
    public void ResetRequestLog()
    {
        lock (_lock)
        {
            _requests.Clear();
        }
    }

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _server.Stop();
        _server.Dispose();
    }

    /// <summary>Whether <paramref name="value"/> matches an IAM <c>StringLike</c> pattern (<c>*</c> any run, <c>?</c> one character, case-sensitive).</summary>
    internal static bool StringLike(string pattern, string value)
    {
        var regex = "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + @"\z";
        return Regex.IsMatch(value, regex, RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }

    private static string DefaultMessage(string? code) => code switch
    {
        "AccessDenied" => NotAuthorized,
        "IDPCommunicationError" => "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements",
        "InvalidIdentityToken" => "Incorrect token audience",
        "ExpiredTokenException" => "Token expired: current date/time must be before the expiration date/time",
        "IDPRejectedClaim" => "The identity provider rejected a claim of the token.",
        "Throttling" => "Rate exceeded",
        "RegionDisabledException" => "STS is not activated in this region for account. Your account administrator can activate STS in this region using the IAM Console.",
        "MalformedPolicyDocument" => "The policy is not in the valid JSON format.",
        "ValidationError" => "1 validation error detected",
        _ => "Injected fault",
    };

    private static Dictionary<string, string> ParseForm(string? body)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (body ?? string.Empty).Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(equals < 0 ? pair : pair[..equals]);
            form.TryAdd(key, equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]));
        }

        return form;

        static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
    }

    private static string ErrorXml(string code, string message, int status) =>
        $"<ErrorResponse xmlns=\"{XmlNamespace}\">\n  <Error>\n    <Type>{(status >= 500 ? "Receiver" : "Sender")}</Type>\n    <Code>{SecurityElement.Escape(code)}</Code>\n" +
        $"    <Message>{SecurityElement.Escape(message)}</Message>\n  </Error>\n  <RequestId>{Guid.NewGuid():D}</RequestId>\n</ErrorResponse>\n";

    // The session token and secret key are secrets (the access key id is not): the leak guard looks for them.
    private static string Registered(string secret, string kind)
    {
        SecretLedger.Register(secret, kind);
        return secret;
    }

    private static string RandomText(string alphabet, int length)
    {
        return string.Create(length, alphabet, static (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });
    }

    private static (string? Issuer, string? Subject, string? Audience, IReadOnlyList<string> Audiences, long? Expiry)? ReadToken(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0) || token.Length > 20000)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = payload.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var audiences = new List<string>();
            if (root.TryGetProperty("aud", out var aud))
            {
                if (aud.ValueKind == JsonValueKind.String)
                {
                    audiences.Add(aud.GetString()!);
                }
                else if (aud.ValueKind == JsonValueKind.Array)
                {
                    audiences.AddRange(aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!));
                }
            }

            return (
                String(root, "iss"),
                String(root, "sub"),
                audiences.FirstOrDefault(),
                audiences,
                root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds) ? seconds : null);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }

        static string? String(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private ResponseMessageWithCode Respond(string method, string? body)
    {
        var receivedAt = _time.GetUtcNow();
        var form = ParseForm(body);
        form.TryGetValue("Action", out var action);
        form.TryGetValue("RoleArn", out var roleArn);
        form.TryGetValue("RoleSessionName", out var sessionName);
        form.TryGetValue("WebIdentityToken", out var token);
        form.TryGetValue("Policy", out var policy);
        int? duration = form.TryGetValue("DurationSeconds", out var durationText) && int.TryParse(durationText, NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : null;
        var policyArns = new List<string>();
        for (var i = 1; form.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"PolicyArns.member.{i}.arn"), out var arn); i++)
        {
            policyArns.Add(arn);
        }

        var claims = string.IsNullOrEmpty(token) ? null : ReadToken(token);
        var result = Decide(method, action, roleArn, sessionName, token, duration, claims, receivedAt);
        lock (_lock)
        {
            _requests.Add(new MockStsRequest(
                action,
                roleArn,
                sessionName,
                duration,
                policy,
                policyArns,
                !string.IsNullOrEmpty(token),
                claims?.Subject,
                claims?.Audience,
                result.Status,
                result.ErrorCode,
                receivedAt));
        }

        return result;
    }

    private ResponseMessageWithCode Decide(
        string method,
        string? action,
        string? roleArn,
        string? sessionName,
        string? token,
        int? duration,
        (string? Issuer, string? Subject, string? Audience, IReadOnlyList<string> Audiences, long? Expiry)? claims,
        DateTimeOffset now)
    {
        Fault? fault = null;
        lock (_lock)
        {
            if (_faults.TryPeek(out var next))
            {
                next.Remaining--;
                if (next.Remaining == 0)
                {
                    _faults.Dequeue();
                }

                fault = next;
            }
        }

        if (fault is not null)
        {
            if (fault.Body is not null)
            {
                return new(Responses.Text(fault.Status, fault.Body, fault.ContentType ?? Xml), fault.Status, null);
            }

            if (fault.Malformed)
            {
                return new(Responses.Text(200, "<html><body>Service temporarily rerouted</body></html>", "text/html"), 200, null);
            }

            return string.IsNullOrEmpty(fault.Code)
                ? new(Responses.Empty(fault.Status), fault.Status, null)
                : Error(fault.Code, fault.Message, fault.Status);
        }

        if (!string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return Error("InvalidAction", "STS accepts POST for AssumeRoleWithWebIdentity.", 400);
        }

        if (!string.Equals(action, "AssumeRoleWithWebIdentity", StringComparison.Ordinal))
        {
            return Error("InvalidAction", "Could not find operation " + (action ?? "(none)") + " for version 2011-06-15", 400);
        }

        if (string.IsNullOrEmpty(roleArn) || string.IsNullOrEmpty(sessionName) || string.IsNullOrEmpty(token))
        {
            var missing = string.IsNullOrEmpty(roleArn) ? "roleArn" : string.IsNullOrEmpty(sessionName) ? "roleSessionName" : "webIdentityToken";
            return Error("ValidationError", "1 validation error detected: Value null at '" + missing + "' failed to satisfy constraint: Member must not be null", 400);
        }

        var role = RoleArnPattern().Match(roleArn);
        if (!role.Success)
        {
            return Error("ValidationError", "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must be a valid IAM role ARN", 400);
        }

        if (!SessionNamePattern().IsMatch(sessionName))
        {
            return Error("ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", 400);
        }

        if (duration is { } seconds && (seconds < 900 || seconds > _maxSessionSeconds))
        {
            return Error(
                "ValidationError",
                seconds < 900
                    ? "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
                    : "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                400);
        }

        if (claims is not { } c)
        {
            return Error("InvalidIdentityToken", "Couldn't parse the provided JWT", 400);
        }

        if (_expectedIssuer is not null && !string.Equals(c.Issuer, _expectedIssuer, StringComparison.Ordinal))
        {
            return Error("InvalidIdentityToken", "No OpenIDConnect provider found in your account for " + (c.Issuer ?? "(no iss)"), 400);
        }

        if (!c.Audiences.Any(_audiences.Contains))
        {
            return Error("InvalidIdentityToken", "Incorrect token audience", 400);
        }

        var unixNow = now.ToUnixTimeSeconds();
        if (c.Expiry is not { } exp || exp <= unixNow)
        {
            return Error(
                "ExpiredTokenException",
                string.Create(CultureInfo.InvariantCulture, $"Token expired: current date/time {unixNow} must be before the expiration date/time {c.Expiry ?? 0}"),
                400);
        }

        var pattern = SubjectPattern;
        if (pattern is not null && (c.Subject is null || !StringLike(pattern, c.Subject)))
        {
            return Error("AccessDenied", NotAuthorized, 403);
        }

        var lifetime = CredentialLifetime ?? TimeSpan.FromSeconds(duration ?? 3600);
        var account = _accountId ?? role.Groups["account"].Value;
        var roleName = role.Groups["name"].Value;
        var xml = new StringBuilder()
            .Append("<AssumeRoleWithWebIdentityResponse xmlns=\"").Append(XmlNamespace).Append("\">\n")
            .Append("  <AssumeRoleWithWebIdentityResult>\n")
            .Append("    <SubjectFromWebIdentityToken>").Append(SecurityElement.Escape(c.Subject ?? string.Empty)).Append("</SubjectFromWebIdentityToken>\n")
            .Append("    <Audience>").Append(SecurityElement.Escape(c.Audience ?? string.Empty)).Append("</Audience>\n")
            .Append("    <AssumedRoleUser>\n")
            .Append("      <Arn>arn:aws:sts::").Append(account).Append(":assumed-role/").Append(SecurityElement.Escape(roleName)).Append('/').Append(SecurityElement.Escape(sessionName)).Append("</Arn>\n")
            .Append("      <AssumedRoleId>AROA").Append(RandomText("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17)).Append(':').Append(SecurityElement.Escape(sessionName)).Append("</AssumedRoleId>\n")
            .Append("    </AssumedRoleUser>\n")
            .Append("    <Credentials>\n")
            .Append("      <SessionToken>").Append(Registered(RandomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 356), "AWS session token")).Append("</SessionToken>\n")
            .Append("      <SecretAccessKey>").Append(Registered(RandomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40), "AWS secret access key")).Append("</SecretAccessKey>\n")
            .Append("      <Expiration>").Append(now.Add(lifetime).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append("</Expiration>\n")
            .Append("      <AccessKeyId>ASIA").Append(RandomText("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)).Append("</AccessKeyId>\n")
            .Append("    </Credentials>\n")
            .Append("    <Provider>arn:aws:iam::").Append(account).Append(":oidc-provider/token.actions.githubusercontent.com</Provider>\n")
            .Append("  </AssumeRoleWithWebIdentityResult>\n")
            .Append("  <ResponseMetadata>\n    <RequestId>").Append(Guid.NewGuid().ToString("D")).Append("</RequestId>\n  </ResponseMetadata>\n")
            .Append("</AssumeRoleWithWebIdentityResponse>\n");
        return new(Responses.Text(200, xml.ToString(), Xml), 200, null);
    }

    private static ResponseMessageWithCode Error(string code, string message, int status)
    {
        var response = Responses.Text(status, ErrorXml(code, message, status), Xml);
        response.AddHeader("x-amzn-RequestId", Guid.NewGuid().ToString("D"));
        return new(response, status, code);
    }

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::(?<account>[0-9]{12}):role/(?:[A-Za-z0-9_+=,.@-]+/)*(?<name>[A-Za-z0-9_+=,.@-]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]{2,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^[0-9]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdPattern();

    private sealed record Fault(int Count, string? Code, int Status, string Message, bool Malformed)
    {
        public int Remaining { get; set; } = Count;

        /// <summary>A verbatim body (<see cref="FailNextWithBody"/>), or null.</summary>
        public string? Body { get; init; }

        public string? ContentType { get; init; }
    }

    private readonly record struct ResponseMessageWithCode(ResponseMessage Response, int Status, string? ErrorCode);
}
