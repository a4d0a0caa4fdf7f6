using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OidcToken.Testing;

/// <summary>
/// A test double of AWS STS <c>AssumeRoleWithWebIdentity</c> and <c>GetCallerIdentity</c> on 127.0.0.1, for the AWS SDK pointed at it with
/// <c>ServiceURL</c> (or <c>AWS_ENDPOINT_URL_STS</c>). It takes the SDK's form-encoded <c>POST /</c>, checks the web
/// identity token the way the role's IAM OIDC provider and trust policy would (a JWT, its <c>iss</c>, <c>aud</c> among the
/// client ids, not expired, <c>sub</c> matching the trust policy's pattern) and answers with STS's real XML:
/// <c>AssumeRoleWithWebIdentityResponse</c> with random credentials, or an <c>ErrorResponse</c> with STS's error codes
/// (<c>AccessDenied</c>, <c>InvalidIdentityToken</c>, <c>ExpiredTokenException</c>, <c>ValidationError</c>, …).
/// <c>GetCallerIdentity</c>, signed with credentials the mock issued, answers their assumed-role ARN; unknown access keys
/// get <c>InvalidClientTokenId</c> and expired ones <c>ExpiredToken</c>. Every member is thread-safe.
/// </summary>
/// <remarks>
/// Token signatures are not verified (the mock trusts any issuer's signing keys); use <see cref="MockAwsStsOptions.ExpectedIssuer"/>
/// to check the issuer. Nor are <c>GetCallerIdentity</c>'s SigV4 signatures: the mock checks that the access key id in
/// the <c>Authorization</c> header and the <c>X-Amz-Security-Token</c> are a pair it issued and have not expired. The mock never logs or keeps the web identity token or the credentials it hands out:
/// <see cref="MockHttpTarget{TRequest}.Requests"/> records only the request's non-secret fields and the token's <c>sub</c> and <c>aud</c>.
/// </remarks>
public sealed partial class MockAwsSts : MockHttpTarget<MockStsRequest>
{
    /// <summary>STS's XML namespace, used by every answer.</summary>
    public const string XmlNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private const string NotAuthorized = "Not authorized to perform sts:AssumeRoleWithWebIdentity";
    private const string Xml = "text/xml";

    private readonly TimeProvider _time;
    private readonly HashSet<string> _audiences;
    private readonly string? _expectedIssuer;
    private readonly int _maxSessionSeconds;
    private readonly string? _accountId;
    private readonly AwsTrustPolicy? _trustPolicy;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IssuedCredentials> _issued = new(StringComparer.Ordinal);
    private string? _subjectPattern;
    private TimeSpan? _credentialLifetime;

    private MockAwsSts(MockAwsStsOptions options)
    {
        _time = options.TimeProvider;
        _audiences = new HashSet<string>(options.AllowedAudiences, StringComparer.Ordinal);
        _expectedIssuer = options.ExpectedIssuer;
        _maxSessionSeconds = (int)options.MaxSessionDuration.TotalSeconds;
        _accountId = options.AccountId;
        _trustPolicy = options.TrustPolicy is { } policy ? AwsTrustPolicy.Parse(policy) : null;
        _subjectPattern = options.SubjectPattern;
        _credentialLifetime = options.CredentialLifetime;
    }

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

    /// <summary>The role ARNs requested, oldest first.</summary>
    public IReadOnlyList<string?> RequestedRoleArns => Requests.Select(r => r.RoleArn).ToArray();

    /// <summary>The role session names requested, oldest first.</summary>
    public IReadOnlyList<string?> RequestedSessionNames => Requests.Select(r => r.RoleSessionName).ToArray();

    /// <summary>Starts a mock STS on 127.0.0.1.</summary>
    /// <param name="options">The role to imitate and the port; <see langword="null"/> for the defaults.</param>
    /// <returns>The running mock; dispose it to stop listening.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The port, maximum session duration or credential lifetime is out of range.</exception>
    /// <exception cref="ArgumentException">An audience is empty, the account id is not 12 digits, or the trust policy is not a JSON policy document.</exception>
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
        var mock = new MockAwsSts(options);
        mock.Host = HttpTargetHost.Start(options.Port, options.TimeProvider, mock.Handle, handlerTakesFaults: true);
        return mock;
    }

    /// <summary>
    /// STS's <c>ErrorResponse</c> XML carrying <paramref name="errorCode"/> (for example <c>IDPCommunicationError</c>,
    /// <c>Throttling</c>, <c>AccessDenied</c>, <c>ExpiredTokenException</c>) and HTTP <paramref name="statusCode"/>, for
    /// <see cref="MockHttpTarget.FailNextRequests"/>. Faults apply before any check. A null or empty code sends the status
    /// with an empty body.
    /// </summary>
    /// <param name="errorCode">The STS error code, or null/empty for a bare status.</param>
    /// <param name="statusCode">The HTTP status, 300–599. Default 400 (what STS uses for most errors; 403 for <c>AccessDenied</c> and <c>IDPRejectedClaim</c>).</param>
    /// <param name="message">The error message; default a fixed text per code.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 300–599.</exception>
    public static MockHttpTargetFault Error(string? errorCode, int statusCode = 400, string? message = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (string.IsNullOrEmpty(errorCode))
        {
            return MockHttpTargetFault.Status(statusCode);
        }

        var text = message ?? DefaultMessage(errorCode);
        return MockHttpTargetFault.Error("Error(" + errorCode + ")", statusCode, errorCode, render: _ => ErrorAnswer(errorCode, text, statusCode));
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

    private TargetAnswer? Handle(TargetCall call)
    {
        var receivedAt = call.Now;
        var method = call.Method;
        var form = ParseForm(call.Body);
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
        var (answer, errorCode) = call.TakeFault() is { ReplacesAnswer: true } fault
            ? (null, fault.Code)
            : Decide(call, method, action, roleArn, sessionName, token, duration, claims, receivedAt);
        call.Entry = facts => new MockStsRequest(
            facts,
            action,
            roleArn,
            sessionName,
            duration,
            policy,
            policyArns,
            !string.IsNullOrEmpty(token),
            claims?.Subject,
            claims?.Audience,
            errorCode);
        return answer;
    }

    private (TargetAnswer Answer, string? ErrorCode) Decide(
        TargetCall call,
        string method,
        string? action,
        string? roleArn,
        string? sessionName,
        string? token,
        int? duration,
        (string? Issuer, string? Subject, string? Audience, IReadOnlyList<string> Audiences, long? Expiry)? claims,
        DateTimeOffset now)
    {
        if (string.Equals(action, "GetCallerIdentity", StringComparison.Ordinal))
        {
            return CallerIdentity(call, now);
        }

        if (!string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse("InvalidAction", "STS accepts POST for AssumeRoleWithWebIdentity.", 400);
        }

        if (!string.Equals(action, "AssumeRoleWithWebIdentity", StringComparison.Ordinal))
        {
            return Refuse("InvalidAction", "Could not find operation " + (action ?? "(none)") + " for version 2011-06-15", 400);
        }

        if (string.IsNullOrEmpty(roleArn) || string.IsNullOrEmpty(sessionName) || string.IsNullOrEmpty(token))
        {
            var missing = string.IsNullOrEmpty(roleArn) ? "roleArn" : string.IsNullOrEmpty(sessionName) ? "roleSessionName" : "webIdentityToken";
            return Refuse("ValidationError", "1 validation error detected: Value null at '" + missing + "' failed to satisfy constraint: Member must not be null", 400);
        }

        var role = RoleArnPattern().Match(roleArn);
        if (!role.Success)
        {
            return Refuse("ValidationError", "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must be a valid IAM role ARN", 400);
        }

        if (!SessionNamePattern().IsMatch(sessionName))
        {
            return Refuse("ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", 400);
        }

        if (duration is { } seconds && (seconds < 900 || seconds > _maxSessionSeconds))
        {
            return Refuse(
                "ValidationError",
                seconds < 900
                    ? "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
                    : "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                400);
        }

        if (claims is not { } c)
        {
            return Refuse("InvalidIdentityToken", "Couldn't parse the provided JWT", 400);
        }

        if (_expectedIssuer is not null && !string.Equals(c.Issuer, _expectedIssuer, StringComparison.Ordinal))
        {
            return Refuse("InvalidIdentityToken", "No OpenIDConnect provider found in your account for " + (c.Issuer ?? "(no iss)"), 400);
        }

        if (!c.Audiences.Any(_audiences.Contains))
        {
            return Refuse("InvalidIdentityToken", "Incorrect token audience", 400);
        }

        var unixNow = now.ToUnixTimeSeconds();
        if (c.Expiry is not { } exp || exp <= unixNow)
        {
            return Refuse(
                "ExpiredTokenException",
                string.Create(CultureInfo.InvariantCulture, $"Token expired: current date/time {unixNow} must be before the expiration date/time {c.Expiry ?? 0}"),
                400);
        }

        var pattern = SubjectPattern;
        if (pattern is not null && (c.Subject is null || !StringLike(pattern, c.Subject)))
        {
            return Refuse("AccessDenied", NotAuthorized, 403);
        }

        if (_trustPolicy is not null && !_trustPolicy.Admits(role.Groups["account"].Value, c.Issuer, c.Subject, c.Audiences))
        {
            return Refuse("AccessDenied", NotAuthorized, 403);
        }

        var lifetime = CredentialLifetime ?? TimeSpan.FromSeconds(duration ?? 3600);
        var account = _accountId ?? role.Groups["account"].Value;
        var roleName = role.Groups["name"].Value;
        var assumedRoleArn = "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + sessionName;
        var assumedRoleId = "AROA" + RandomText("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17) + ":" + sessionName;
        var sessionToken = Registered(RandomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 356), "AWS session token");
        var accessKeyId = "ASIA" + RandomText("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
        var expiration = now.Add(lifetime);
        lock (_lock)
        {
            _issued[accessKeyId] = new IssuedCredentials(sessionToken, expiration, assumedRoleArn, assumedRoleId, account);
        }

        var xml = new StringBuilder()
            .Append("<AssumeRoleWithWebIdentityResponse xmlns=\"").Append(XmlNamespace).Append("\">\n")
            .Append("  <AssumeRoleWithWebIdentityResult>\n")
            .Append("    <SubjectFromWebIdentityToken>").Append(SecurityElement.Escape(c.Subject ?? string.Empty)).Append("</SubjectFromWebIdentityToken>\n")
            .Append("    <Audience>").Append(SecurityElement.Escape(c.Audience ?? string.Empty)).Append("</Audience>\n")
            .Append("    <AssumedRoleUser>\n")
            .Append("      <Arn>").Append(SecurityElement.Escape(assumedRoleArn)).Append("</Arn>\n")
            .Append("      <AssumedRoleId>").Append(SecurityElement.Escape(assumedRoleId)).Append("</AssumedRoleId>\n")
            .Append("    </AssumedRoleUser>\n")
            .Append("    <Credentials>\n")
            .Append("      <SessionToken>").Append(sessionToken).Append("</SessionToken>\n")
            .Append("      <SecretAccessKey>").Append(Registered(RandomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40), "AWS secret access key")).Append("</SecretAccessKey>\n")
            .Append("      <Expiration>").Append(expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append("</Expiration>\n")
            .Append("      <AccessKeyId>").Append(accessKeyId).Append("</AccessKeyId>\n")
            .Append("    </Credentials>\n")
            .Append("    <Provider>arn:aws:iam::").Append(account).Append(":oidc-provider/token.actions.githubusercontent.com</Provider>\n")
            .Append("  </AssumeRoleWithWebIdentityResult>\n")
            .Append("  <ResponseMetadata>\n    <RequestId>").Append(Guid.NewGuid().ToString("D")).Append("</RequestId>\n  </ResponseMetadata>\n")
            .Append("</AssumeRoleWithWebIdentityResponse>\n");
        return (new TargetAnswer(200, xml.ToString(), Xml), null);
    }

    private static (TargetAnswer Answer, string? ErrorCode) Refuse(string code, string message, int status) => (ErrorAnswer(code, message, status), code);

    private static TargetAnswer ErrorAnswer(string code, string message, int status) =>
        new TargetAnswer(status, ErrorXml(code, message, status), Xml).With("x-amzn-RequestId", Guid.NewGuid().ToString("D"));

    /// <summary>
    /// <c>GetCallerIdentity</c>: the access key id is read from the SigV4 <c>Authorization</c> header (the signature is not
    /// checked) and must be one this mock issued, with its session token, and not expired.
    /// </summary>
    private (TargetAnswer Answer, string? ErrorCode) CallerIdentity(TargetCall call, DateTimeOffset now)
    {
        var authorization = call.Header("Authorization");
        if (string.IsNullOrEmpty(authorization))
        {
            return Refuse("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
        }

        var credential = SigV4AccessKey().Match(authorization);
        IssuedCredentials? issued = null;
        if (credential.Success)
        {
            lock (_lock)
            {
                _issued.TryGetValue(credential.Groups["key"].Value, out issued);
            }
        }

        if (issued is null || !string.Equals(call.Header("X-Amz-Security-Token"), issued.SessionToken, StringComparison.Ordinal))
        {
            return Refuse("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
        }

        if (issued.Expiration <= now)
        {
            return Refuse("ExpiredToken", "The security token included in the request is expired", 400);
        }

        var xml = new StringBuilder()
            .Append("<GetCallerIdentityResponse xmlns=\"").Append(XmlNamespace).Append("\">\n")
            .Append("  <GetCallerIdentityResult>\n")
            .Append("    <Arn>").Append(SecurityElement.Escape(issued.Arn)).Append("</Arn>\n")
            .Append("    <UserId>").Append(SecurityElement.Escape(issued.UserId)).Append("</UserId>\n")
            .Append("    <Account>").Append(issued.Account).Append("</Account>\n")
            .Append("  </GetCallerIdentityResult>\n")
            .Append("  <ResponseMetadata>\n    <RequestId>").Append(Guid.NewGuid().ToString("D")).Append("</RequestId>\n  </ResponseMetadata>\n")
            .Append("</GetCallerIdentityResponse>\n");
        return (new TargetAnswer(200, xml.ToString(), Xml), null);
    }

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::(?<account>[0-9]{12}):role/(?:[A-Za-z0-9_+=,.@-]+/)*(?<name>[A-Za-z0-9_+=,.@-]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]{2,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^[0-9]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex(@"Credential=(?<key>[A-Z0-9]+)/", RegexOptions.CultureInvariant)]
    private static partial Regex SigV4AccessKey();

    private sealed record IssuedCredentials(string SessionToken, DateTimeOffset Expiration, string Arn, string UserId, string Account);
}
