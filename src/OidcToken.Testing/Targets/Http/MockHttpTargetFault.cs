using System.Globalization;

namespace OidcToken.Testing;

/// <summary>
/// A misbehaviour of a mock target, queued with <see cref="MockHttpTarget.FailNextRequests"/>: the one fault type of
/// every target (<see cref="MockAwsSts"/>, <see cref="MockGoogleCloud"/>, <see cref="MockEntraId"/>, <see cref="MockVault"/>
/// and the registry mocks). The generic faults are built here; each target's <c>Error</c> factories (for example
/// <see cref="MockAwsSts.Error(string?, int, string?)"/>, <see cref="MockEntraId.Error(int, int)"/>, <see cref="MockGoogleCloud.StsError(string, string, int)"/>) build its real
/// error shape. Instances are immutable and can be reused.
/// </summary>
public sealed class MockHttpTargetFault
{
    private MockHttpTargetFault(string name) => Name = name;

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
        new("Html") { StatusCode = 200, Body = "<html><body>Service temporarily rerouted</body></html>", ContentType = "text/html" };

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
        };
    }

    /// <summary>The fault's kind, e.g. <c>Status(503)</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => Name;

    /// <summary>A target's error answer: a fixed <paramref name="body"/>, or one rendered per request.</summary>
    internal static MockHttpTargetFault Error(string name, int statusCode, string? code, string? body = null, Func<TargetCall, TargetAnswer>? render = null) =>
        new(name) { StatusCode = statusCode, Reset = statusCode == 0, Code = code, Body = body, ContentType = body is null ? null : Responses.Json, Render = render };
}
