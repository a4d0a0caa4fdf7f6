namespace OidcToken.Testing;

/// <summary>
/// What every mock exchange target shares: a loopback address, a request log without secrets, queued faults, and
/// disposal. Each target answers with the real service's success and error shapes. Every member is thread-safe.
/// </summary>
public abstract class MockHttpTarget : IDisposable
{
    private protected MockHttpTarget()
    {
    }

    /// <summary>The root of the mock, <c>http://127.0.0.1:&lt;port&gt;/</c> (plain http is accepted for loopback).</summary>
    public Uri BaseAddress => Host.BaseAddress;

    /// <summary>How many requests reached the mock (including refused and faulted ones) since start or the last <see cref="ResetRequestLog"/>.</summary>
    public int RequestCount => Host.RequestCount;

    /// <summary>The requests, oldest first (a snapshot). They hold no token, credential or body.</summary>
    public IReadOnlyList<MockHttpTargetRequest> Requests => Host.Requests;

    private protected HttpTargetHost Host { get; set; } = null!;

    /// <summary>
    /// Makes the next <paramref name="count"/> requests get <paramref name="fault"/> instead of the normal answer; later
    /// ones are served normally. Calls queue up in order. A faulted request does not consume its GitHub token's <c>jti</c>.
    /// </summary>
    /// <param name="count">How many requests get the fault; at least 1.</param>
    /// <param name="fault">The fault, e.g. <see cref="MockHttpTargetFault.Status"/> or the target's own <c>Error</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="fault"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The mock was disposed.</exception>
    public void FailNextRequests(int count, MockHttpTargetFault fault) => Host.Enqueue(count, fault);

    /// <summary>Clears <see cref="Requests"/> and zeroes <see cref="RequestCount"/>. Queued faults and issued credentials stay.</summary>
    public void ResetRequestLog() => Host.ResetLog();

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        Host.Dispose();
        GC.SuppressFinalize(this);
    }
}
