using System.Globalization;

namespace OidcToken.Testing;

/// <summary>
/// A misbehaviour of a mock, queued with <see cref="MockHttpTarget.FailNextRequests"/> or
/// <see cref="MockGitHubOidcIssuer.FailNextRequests"/>: the one fault type of every mock (<see cref="MockGitHubOidcIssuer"/>,
/// <see cref="MockAwsSts"/>, <see cref="MockGoogleCloud"/>, <see cref="MockEntraId"/>, <see cref="MockVault"/> and the registry
/// mocks). The generic faults are built here and behave the same on every mock; each mock's own factories (for example
/// <see cref="MockGitHubOidcIssuer.JobPending"/>, <see cref="MockAwsSts.Error(string?, int, string?)"/>, <see cref="MockEntraId.Error(int, int)"/>,
/// <see cref="MockGoogleCloud.StsError(string, string, int)"/>) build its real error shape. Instances are immutable and can be reused.
/// </summary>
public sealed class MockHttpTargetFault
{
    private const string HtmlPage =
        "<!DOCTYPE html>\n<html><head><title>Authentication required</title></head>"
        + "<body><h1>Proxy authentication required</h1><p>Sign in to continue.</p></body></html>\n";

    private MockHttpTargetFault(string name) => Name = name;

    /// <summary>How a fault changes the answer: replaces it, or reshapes the answer the mock would have given.</summary>
    internal enum FaultShape
    {
        /// <summary>The fault's own answer (status, body, redirect, reset) replaces the mock's.</summary>
        Replace,

        /// <summary>The mock's answer, after <see cref="Wait"/>.</summary>
        Delay,

        /// <summary>HTTP 200, JSON content type, no body at all (WireMock.Net's <c>EMPTY_RESPONSE</c>).</summary>
        EmptyResponse,

        /// <summary>HTTP 200 with the mock's body sent as a garbled chunk (WireMock.Net's <c>MALFORMED_RESPONSE_CHUNK</c>).</summary>
        MalformedChunk,

        /// <summary>HTTP 200 with the first half of the mock's body.</summary>
        TruncatedBody,

        /// <summary>HTTP 200 with the mock's body padded to <see cref="Size"/> bytes.</summary>
        OversizedBody,
    }

    internal FaultShape Shape { get; private init; }

    /// <summary>Whether the fault's own answer replaces the mock's (else the mock answers and the fault reshapes that answer).</summary>
    internal bool ReplacesAnswer => Shape == FaultShape.Replace;

    internal TimeSpan Wait { get; private init; }

    internal int Size { get; private init; }

    internal string Name { get; private init; }

    internal int StatusCode { get; private init; }

    internal string? Body { get; private init; }

    internal string? ContentType { get; private init; }

    internal TimeSpan? RetryAfter { get; private init; }

    internal Uri? Location { get; private init; }

    internal bool Reset { get; private init; }

    /// <summary>The service's error code the fault reports (an STS code, an AADSTS number), for the target's log.</summary>
    internal string? Code { get; private init; }

    /// <summary>Builds the answer per request (for error bodies with fresh ids or the request's time), instead of <see cref="Body"/>.</summary>
    internal Func<TargetCall, TargetAnswer>? Render { get; private init; }

    /// <summary>Only requests whose path starts with this take the fault; null for every request.</summary>
    internal string? PathPrefix { get; private init; }

    /// <summary>
    /// Answers with <paramref name="statusCode"/>, an optional body and an optional <c>Retry-After</c> in whole seconds
    /// (rounded up). Without <paramref name="contentType"/> the body is sent as <c>application/json</c> when it starts with
    /// <c>{</c> or <c>[</c>, else as <c>text/plain</c>. Use a 200 with a broken body to test unusable answers.
    /// </summary>
    /// <param name="statusCode">An HTTP status from 100 to 599.</param>
    /// <param name="body">The body, or <see langword="null"/> for none.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> delay, or <see langword="null"/> for no such header.</param>
    /// <param name="contentType">The <c>Content-Type</c> of the body, or <see langword="null"/> to choose by its first character.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The status is outside 100–599, or <paramref name="retryAfter"/> is negative.</exception>
    public static MockHttpTargetFault Status(int statusCode, string? body = null, TimeSpan? retryAfter = null, string? contentType = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (retryAfter is { } wait)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero, nameof(retryAfter));
        }

        return new MockHttpTargetFault(string.Create(CultureInfo.InvariantCulture, $"Status({statusCode})"))
        {
            StatusCode = statusCode,
            Body = body,
            RetryAfter = retryAfter,
            ContentType = contentType,
        };
    }

    /// <summary>HTTP 200 with a <c>text/html</c> page instead of the service's answer, as a captive portal or a misrouted proxy would send.</summary>
    /// <returns>The fault.</returns>
    public static MockHttpTargetFault Html() =>
        new("Html") { StatusCode = 200, Body = HtmlPage, ContentType = "text/html; charset=utf-8" };

    /// <summary>
    /// The mock's normal answer, but only after <paramref name="delay"/> of real time (the wait ends early when the client
    /// disconnects or the mock is disposed). The request is logged when it arrives, with the status it is answered with.
    /// </summary>
    /// <param name="delay">How long to wait before answering.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static MockHttpTargetFault Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new MockHttpTargetFault(string.Create(CultureInfo.InvariantCulture, $"Delay({delay.TotalMilliseconds} ms)"))
        {
            Shape = FaultShape.Delay,
            Wait = delay,
        };
    }

    /// <summary>HTTP 200 with <c>Content-Type: application/json</c> and an empty body.</summary>
    /// <returns>The fault.</returns>
    public static MockHttpTargetFault EmptyResponse() => new("EmptyResponse") { Shape = FaultShape.EmptyResponse, StatusCode = 200 };

    /// <summary>
    /// HTTP 200 whose chunked body is garbage: WireMock.Net's <c>MALFORMED_RESPONSE_CHUNK</c> fault, bytes from the first
    /// half of the mock's successful answer mixed with 100–200 random bytes. It never parses.
    /// </summary>
    /// <returns>The fault.</returns>
    public static MockHttpTargetFault MalformedChunk() => new("MalformedChunk") { Shape = FaultShape.MalformedChunk, StatusCode = 200 };

    /// <summary>
    /// HTTP 200 with the first half of the mock's successful answer (for a JSON answer with a token, the body stops in the
    /// middle of the token string), with its content type.
    /// </summary>
    /// <returns>The fault.</returns>
    public static MockHttpTargetFault TruncatedBody() => new("TruncatedBody") { Shape = FaultShape.TruncatedBody, StatusCode = 200 };

    /// <summary>
    /// HTTP 200 with the mock's successful answer (a valid credential) padded to exactly <paramref name="bytes"/> bytes, or
    /// its own length if that is larger: a JSON object gets an extra <c>padding</c> member, any other body trailing spaces.
    /// </summary>
    /// <param name="bytes">The body length in bytes; positive.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is not positive.</exception>
    public static MockHttpTargetFault OversizedBody(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        return new MockHttpTargetFault(string.Create(CultureInfo.InvariantCulture, $"OversizedBody({bytes})"))
        {
            Shape = FaultShape.OversizedBody,
            StatusCode = 200,
            Size = bytes,
        };
    }

    /// <summary>A redirect to <paramref name="location"/> (a client that carries a token must not follow it).</summary>
    /// <param name="location">The <c>Location</c> header.</param>
    /// <param name="statusCode">301, 302, 303, 307 or 308. Default 307.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="location"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is not a redirect status.</exception>
    public static MockHttpTargetFault Redirect(Uri location, int statusCode = 307)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (statusCode is not (301 or 302 or 303 or 307 or 308))
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A redirect status is one of 301, 302, 303, 307 and 308.");
        }

        return new MockHttpTargetFault(string.Create(CultureInfo.InvariantCulture, $"Redirect({statusCode})")) { StatusCode = statusCode, Location = location };
    }

    /// <summary>Drops the connection without an answer (a network error for the client).</summary>
    /// <returns>The fault.</returns>
    public static MockHttpTargetFault ConnectionReset() => new("ConnectionReset") { StatusCode = 0, Reset = true };

    /// <summary>
    /// The same fault, taken only by requests to <paramref name="url"/>'s path or below it (for a target with several
    /// endpoints, such as <see cref="MockGoogleCloud.ImpersonationUrlBase"/>). Requests elsewhere are served normally and
    /// leave the fault queued.
    /// </summary>
    /// <param name="url">An address on the target; only its path counts.</param>
    /// <returns>A new fault.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="url"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not absolute.</exception>
    public MockHttpTargetFault ForRequestsTo(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException("The address must be absolute.", nameof(url));
        }

        return new MockHttpTargetFault(Name + " at " + url.AbsolutePath)
        {
            StatusCode = StatusCode,
            Body = Body,
            ContentType = ContentType,
            RetryAfter = RetryAfter,
            Location = Location,
            Reset = Reset,
            Code = Code,
            Render = Render,
            PathPrefix = url.AbsolutePath,
            Shape = Shape,
            Wait = Wait,
            Size = Size,
        };
    }

    /// <summary>The fault's kind, e.g. <c>Status(503)</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => Name;

    /// <summary>Whether the fault is taken by a request to <paramref name="path"/>; an unscoped fault only where <paramref name="unscopedApplies"/>.</summary>
    internal bool Admits(string path, bool unscopedApplies) =>
        PathPrefix is { } prefix ? path.StartsWith(prefix, StringComparison.Ordinal) : unscopedApplies;

    /// <summary>A target's error answer: a fixed <paramref name="body"/>, or one rendered per request.</summary>
    internal static MockHttpTargetFault Error(string name, int statusCode, string? code, string? body = null, Func<TargetCall, TargetAnswer>? render = null) =>
        new(name) { StatusCode = statusCode, Reset = statusCode == 0, Code = code, Body = body, ContentType = body is null ? null : Responses.Json, Render = render };
}
