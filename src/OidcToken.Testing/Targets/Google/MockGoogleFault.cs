using System.Globalization;

namespace OidcToken.Testing;

/// <summary>
/// A misbehaviour of <see cref="MockGoogleCloud"/>'s STS or IAM Credentials endpoint, queued with
/// <see cref="MockGoogleCloud.FailNextStsRequests(int, MockGoogleFault)"/> or
/// <see cref="MockGoogleCloud.FailNextImpersonationRequests(int, MockGoogleFault)"/>. Immutable and reusable.
/// </summary>
public sealed class MockGoogleFault
{
    private MockGoogleFault(string name, int statusCode, string? body, Uri? location = null)
    {
        Name = name;
        StatusCode = statusCode;
        Body = body;
        Location = location;
    }

    /// <summary>The HTTP status the faulted request gets.</summary>
    public int StatusCode { get; }

    internal string Name { get; }

    internal string? Body { get; }

    internal Uri? Location { get; }

    /// <summary>Answers <paramref name="statusCode"/> with an optional body (sent as <c>application/json</c>).</summary>
    /// <param name="statusCode">An HTTP status from 100 to 599.</param>
    /// <param name="body">The body, or <see langword="null"/> for none.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The status is outside 100–599.</exception>
    public static MockGoogleFault Status(int statusCode, string? body = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        return new MockGoogleFault(string.Create(CultureInfo.InvariantCulture, $"Status({statusCode})"), statusCode, body);
    }

    /// <summary>An STS OAuth error: <c>{"error":"…","error_description":"…"}</c> with the given status.</summary>
    /// <param name="statusCode">The HTTP status, 400–599. Default 400.</param>
    /// <param name="error">The OAuth error code, for example <c>invalid_grant</c>.</param>
    /// <param name="description">The <c>error_description</c>.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentException"><paramref name="error"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The status is outside 400–599.</exception>
    public static MockGoogleFault StsError(string error, string description, int statusCode = 400)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        return new MockGoogleFault("StsError(" + error + ")", statusCode, MockGoogleCloud.OAuthError(error, description));
    }

    /// <summary>A Google API error: <c>{"error":{"code":…,"message":"…","status":"…"}}</c>, as IAM Credentials sends.</summary>
    /// <param name="statusCode">The HTTP status (and <c>code</c>), 400–599.</param>
    /// <param name="status">The canonical status, for example <c>PERMISSION_DENIED</c> or <c>UNAVAILABLE</c>.</param>
    /// <param name="message">The message.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The status is outside 400–599.</exception>
    public static MockGoogleFault ApiError(int statusCode, string status, string message)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentException.ThrowIfNullOrEmpty(status);
        ArgumentNullException.ThrowIfNull(message);
        return new MockGoogleFault("ApiError(" + status + ")", statusCode, MockGoogleCloud.ApiError(statusCode, status, message));
    }

    /// <summary>HTTP 503 with Google's API error body (<c>UNAVAILABLE</c>, "The service is currently unavailable.").</summary>
    /// <returns>The fault.</returns>
    public static MockGoogleFault ServiceUnavailable() =>
        new("ServiceUnavailable", 503, MockGoogleCloud.ApiError(503, "UNAVAILABLE", "The service is currently unavailable."));

    /// <summary>A redirect to <paramref name="location"/>; a client that follows it would carry its token there.</summary>
    /// <param name="location">The <c>Location</c>.</param>
    /// <param name="statusCode">301, 302, 303, 307 or 308. Default 307.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="location"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is not a redirect status.</exception>
    public static MockGoogleFault Redirect(Uri location, int statusCode = 307)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (statusCode is not (301 or 302 or 303 or 307 or 308))
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A redirect status is one of 301, 302, 303, 307 and 308.");
        }

        return new MockGoogleFault(string.Create(CultureInfo.InvariantCulture, $"Redirect({statusCode})"), statusCode, null, location);
    }

    /// <summary>HTTP 200 with a JSON body that is not the documented answer (no token in it).</summary>
    /// <returns>The fault.</returns>
    public static MockGoogleFault UnusableAnswer() => new("UnusableAnswer", 200, "{\"kind\":\"unexpected\"}");

    /// <summary>Names the fault, for test output.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;
}
