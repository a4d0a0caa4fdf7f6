namespace OidcToken.Exchange.Common;

/// <summary>How one attempt at a target ended when it did not succeed.</summary>
internal enum FailureKind
{
    /// <summary>The target refused (permanent): <see cref="OidcTokenErrorCode.ExchangeRefused"/>, never retried.</summary>
    Refused,

    /// <summary>A temporary error the target documents as retryable.</summary>
    Transient,

    /// <summary>The target answered with something unusable: <see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/>.</summary>
    Invalid,

    /// <summary>The request could not be completed and retrying will not help (a redirect): <see cref="OidcTokenErrorCode.ExchangeFailed"/>.</summary>
    Fatal,
}

/// <summary>
/// Thrown inside an attempt to tell <see cref="ExchangeSession"/> how it ended. Never escapes the library: the session
/// turns it into an <see cref="OidcTokenException"/>. Its text is already scrubbed.
/// </summary>
internal sealed class ExchangeFailure : Exception
{
    private ExchangeFailure(FailureKind kind, string detail, string? fix, ExchangeResponse? response, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(detail, inner)
    {
        Kind = kind;
        Detail = detail;
        Fix = fix;
        StatusCode = response?.StatusCode;
        RequestId = response?.RequestId;
        RetryAfter = retryAfter ?? response?.RetryAfter;
    }

    public FailureKind Kind { get; }

    /// <summary>What happened, e.g. <c>HTTP 401, Vault said: "…"</c>. Scrubbed.</summary>
    public string Detail { get; }

    /// <summary>The fix to show for a refusal or an unusable answer.</summary>
    public string? Fix { get; }

    public int? StatusCode { get; }

    public string? RequestId { get; }

    public TimeSpan? RetryAfter { get; }

    public static ExchangeFailure Refused(string detail, string fix, ExchangeResponse? response) => new(FailureKind.Refused, detail, fix, response);

    public static ExchangeFailure Transient(string detail, ExchangeResponse? response, Exception? inner = null) => new(FailureKind.Transient, detail, null, response, inner: inner);

    public static ExchangeFailure Invalid(string detail, ExchangeResponse? response, string? fix = null) => new(FailureKind.Invalid, detail, fix, response);

    public static ExchangeFailure Fatal(string detail, string fix, ExchangeResponse? response) => new(FailureKind.Fatal, detail, fix, response);
}
