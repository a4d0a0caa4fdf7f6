using System.Globalization;

namespace OidcToken.Testing;

/// <summary>
/// A misbehaviour of the token endpoint, queued with
/// <see cref="MockGitHubOidcIssuer.FailNextTokenRequests(int, MockTokenFault)"/>. Instances are immutable
/// and can be reused.
/// </summary>
public sealed class MockTokenFault
{
    private const string VssTypeName =
        "GitHub.Actions.Runtime.WebApi.CannotGenerateIdTokenException, GitHub.Actions.Runtime.WebApi, Version=14.0.0.0, Culture=neutral, PublicKeyToken=null";

    private MockTokenFault(FaultKind kind, string name)
    {
        Kind = kind;
        Name = name;
    }

    internal FaultKind Kind { get; }

    internal string Name { get; }

    internal int StatusCode { get; private init; }

    internal string? Body { get; private init; }

    internal TimeSpan? RetryAfter { get; private init; }

    internal TimeSpan Wait { get; private init; }

    internal Uri? Location { get; private init; }

    internal int Size { get; private init; }

    /// <summary>
    /// Answers with <paramref name="statusCode"/>, an optional body (sent as <c>application/json</c> when it
    /// starts with <c>{</c> or <c>[</c>, else <c>text/plain</c>) and an optional <c>Retry-After</c> header in
    /// whole seconds (rounded up).
    /// </summary>
    /// <param name="statusCode">An HTTP status code from 100 to 599.</param>
    /// <param name="body">The body, or <see langword="null"/> for none.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> delay, or <see langword="null"/> to send no such header.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The status code is outside 100–599, or <paramref name="retryAfter"/> is negative.</exception>
    public static MockTokenFault Status(int statusCode, string? body = null, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (retryAfter is { } wait)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero, nameof(retryAfter));
        }

        return new MockTokenFault(FaultKind.Status, string.Create(CultureInfo.InvariantCulture, $"Status({statusCode})"))
        {
            StatusCode = statusCode,
            Body = body,
            RetryAfter = retryAfter,
        };
    }

    /// <summary>
    /// HTTP 403 with GitHub's VSS-style body: <c>Can't issue ID_TOKEN for job in 'Pending' state.</c>
    /// (transient: the job has not been marked started yet).
    /// </summary>
    /// <returns>The fault.</returns>
    public static MockTokenFault JobPending() => JobState("Pending");

    /// <summary>
    /// HTTP 403 with GitHub's VSS-style body: <c>Can't issue ID_TOKEN for job in 'Delayed' state.</c> (transient).
    /// </summary>
    /// <returns>The fault.</returns>
    public static MockTokenFault JobDelayed() => JobState("Delayed");

    /// <summary>
    /// HTTP 403 with GitHub's VSS-style body: <c>Can't issue ID_TOKEN for job in 'Completed' state.</c>
    /// (permanent: the job has ended). The body is byte-identical to the one GitHub was seen to send.
    /// </summary>
    /// <returns>The fault.</returns>
    public static MockTokenFault JobCompleted() => JobState("Completed");

    /// <summary>
    /// HTTP 400 with GitHub's token-service body
    /// <c>{"source":"actions-run-service","statusCode":400,"errorMessage":"Can't issue ID_TOKEN for audience '…'"}</c>
    /// naming the audience of the request (or the default audience when it asked for none).
    /// </summary>
    /// <returns>The fault.</returns>
    public static MockTokenFault AudienceRefused() => new(FaultKind.AudienceRefused, nameof(AudienceRefused));

    /// <summary>
    /// Answers successfully, but only after <paramref name="delay"/> of real time (the wait ends early when
    /// the client disconnects or the issuer is disposed).
    /// </summary>
    /// <param name="delay">How long to wait before answering.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static MockTokenFault Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new MockTokenFault(FaultKind.Delay, string.Create(CultureInfo.InvariantCulture, $"Delay({delay.TotalMilliseconds} ms)"))
        {
            Wait = delay,
        };
    }

    /// <summary>HTTP 200 with <c>Content-Type: application/json</c> and an empty body.</summary>
    /// <returns>The fault.</returns>
    public static MockTokenFault EmptyResponse() => new(FaultKind.EmptyResponse, nameof(EmptyResponse));

    /// <summary>
    /// HTTP 200 <c>application/json</c> whose chunked body is garbage: WireMock.Net's <c>MALFORMED_RESPONSE_CHUNK</c>
    /// fault, bytes from the first half of a valid answer mixed with 100–200 random bytes. It is never valid JSON.
    /// </summary>
    /// <returns>The fault.</returns>
    public static MockTokenFault MalformedChunk() => new(FaultKind.MalformedChunk, nameof(MalformedChunk));

    /// <summary>HTTP 200 with a <c>text/html</c> page, as a captive portal or a misrouted proxy would send.</summary>
    /// <returns>The fault.</returns>
    public static MockTokenFault Html() => new(FaultKind.Html, nameof(Html));

    /// <summary>HTTP 200 <c>application/json</c> whose object has no <c>value</c> member.</summary>
    /// <returns>The fault.</returns>
    public static MockTokenFault JsonWithoutValue() => new(FaultKind.JsonWithoutValue, nameof(JsonWithoutValue));

    /// <summary>HTTP 200 <c>application/json</c> whose body stops in the middle of the token string.</summary>
    /// <returns>The fault.</returns>
    public static MockTokenFault TruncatedJson() => new(FaultKind.TruncatedJson, nameof(TruncatedJson));

    /// <summary>
    /// A redirect to <paramref name="location"/> (sent as given in the <c>Location</c> header). A client
    /// that follows it would carry the bearer request token to wherever it points.
    /// </summary>
    /// <param name="location">The redirect target.</param>
    /// <param name="statusCode">301, 302, 303, 307 or 308. Default 302.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="location"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is not a redirect status.</exception>
    public static MockTokenFault Redirect(Uri location, int statusCode = 302)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (statusCode is not (301 or 302 or 303 or 307 or 308))
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A redirect status is one of 301, 302, 303, 307 and 308.");
        }

        return new MockTokenFault(FaultKind.Redirect, string.Create(CultureInfo.InvariantCulture, $"Redirect({statusCode})"))
        {
            StatusCode = statusCode,
            Location = location,
        };
    }

    /// <summary>
    /// HTTP 200 <c>application/json</c> with a valid token in <c>value</c>, padded by an extra member so the
    /// body is exactly <paramref name="bytes"/> bytes long (or the unpadded length, if that is larger).
    /// </summary>
    /// <param name="bytes">The body length in bytes; positive.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is not positive.</exception>
    public static MockTokenFault OversizedBody(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        return new MockTokenFault(FaultKind.OversizedBody, string.Create(CultureInfo.InvariantCulture, $"OversizedBody({bytes})"))
        {
            Size = bytes,
        };
    }

    /// <summary>Names the fault, for test output.</summary>
    /// <returns>The fault's name and main parameter.</returns>
    public override string ToString() => Name;

    internal static string VssErrorBody(string state) =>
        "{\"$id\":\"1\",\"innerException\":null,\"message\":\"Can't issue ID_TOKEN for job in '" + state + "' state.\","
        + "\"typeName\":\"" + VssTypeName + "\",\"typeKey\":\"CannotGenerateIdTokenException\",\"errorCode\":0,\"eventId\":3000}";

    private static MockTokenFault JobState(string state) =>
        new(FaultKind.Status, $"Job{state}()")
        {
            StatusCode = 403,
            Body = VssErrorBody(state),
        };
}
