using System.Globalization;

namespace OidcToken.Testing;

/// <summary>
/// A misbehaviour of a mock exchange target (<see cref="MockVault"/>, <see cref="MockNuGetTokenService"/>,
/// <see cref="MockPyPI"/>, <see cref="MockNpmRegistry"/>, <see cref="MockCratesRegistry"/>), queued with the target's
/// <c>FailNextRequests</c>. Each target also has an <c>Error</c> factory that builds its own real error shape.
/// Instances are immutable and can be reused.
/// </summary>
public sealed class MockHttpTargetFault
{
    private MockHttpTargetFault(string name) => Name = name;

    internal string Name { get; }

    internal int StatusCode { get; private init; }

    internal string? Body { get; private init; }

    internal TimeSpan? RetryAfter { get; private init; }

    internal Uri? Location { get; private init; }

    internal bool Reset { get; private init; }

    /// <summary>
    /// Answers with <paramref name="statusCode"/>, an optional body (sent as <c>application/json</c> when it starts with
    /// <c>{</c> or <c>[</c>, else <c>text/plain</c>) and an optional <c>Retry-After</c> in whole seconds (rounded up).
    /// Use a 200 with a broken body to test unusable answers.
    /// </summary>
    /// <param name="statusCode">An HTTP status from 100 to 599.</param>
    /// <param name="body">The body, or <see langword="null"/> for none.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> delay, or <see langword="null"/> for no such header.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The status is outside 100–599, or <paramref name="retryAfter"/> is negative.</exception>
    public static MockHttpTargetFault Status(int statusCode, string? body = null, TimeSpan? retryAfter = null)
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
        };
    }

    /// <summary>Answers <c>307 Temporary Redirect</c> to <paramref name="location"/> (a client that carries a token must not follow it).</summary>
    /// <param name="location">The <c>Location</c> header.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="location"/> is null.</exception>
    public static MockHttpTargetFault Redirect(Uri location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return new MockHttpTargetFault("Redirect") { StatusCode = 307, Location = location };
    }

    /// <summary>Drops the connection without an answer (a network error for the client).</summary>
    /// <returns>The fault.</returns>
    public static MockHttpTargetFault ConnectionReset() => new("ConnectionReset") { StatusCode = 0, Reset = true };

    /// <summary>The fault's kind, e.g. <c>Status(503)</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => Name;
}
