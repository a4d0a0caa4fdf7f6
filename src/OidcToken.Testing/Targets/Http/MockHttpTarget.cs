namespace OidcToken.Testing;

/// <summary>
/// What every mock target shares: an address, a request log without secrets, one queue of faults, and disposal. Each
/// target answers with the real service's success and error shapes. Every member is thread-safe.
/// </summary>
public abstract class MockHttpTarget : IDisposable
{
    private protected MockHttpTarget()
    {
    }

    /// <summary>
    /// The root of the mock: <c>http://127.0.0.1:&lt;port&gt;/</c> (plain http is accepted for loopback), or for
    /// <see cref="MockEntraId"/>, which is reached in process, its https authority host.
    /// </summary>
    public Uri BaseAddress => Host.BaseAddress;

    /// <summary>How many requests reached the mock (including refused and faulted ones) since start or the last <see cref="ResetRequestLog"/>.</summary>
    public int RequestCount => Host.RequestCount;

    private protected HttpTargetHost Host { get; set; } = null!;

    /// <summary>
    /// Makes the next <paramref name="count"/> requests get <paramref name="fault"/> instead of the normal answer; later
    /// ones are served normally. Calls queue up in order; a fault made with <see cref="MockHttpTargetFault.ForRequestsTo"/>
    /// waits for a request to its path. A faulted request does not consume its GitHub token's <c>jti</c> and gets no credential.
    /// </summary>
    /// <param name="count">How many requests get the fault; at least 1.</param>
    /// <param name="fault">The fault, e.g. <see cref="MockHttpTargetFault.Status"/> or the target's own <c>Error</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="fault"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The mock was disposed.</exception>
    public void FailNextRequests(int count, MockHttpTargetFault fault) => Host.Enqueue(count, fault);

    /// <summary>Clears the request log and zeroes <see cref="RequestCount"/>. Queued faults and issued credentials stay.</summary>
    public void ResetRequestLog()
    {
        Host.ResetLog();
        OnResetRequestLog();
    }

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        Host.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Clears a target's own counters along with the log.</summary>
    private protected virtual void OnResetRequestLog()
    {
    }
}

/// <summary>A <see cref="MockHttpTarget"/> whose request log holds <typeparamref name="TRequest"/> entries.</summary>
/// <typeparam name="TRequest">What the target records of each request.</typeparam>
public abstract class MockHttpTarget<TRequest> : MockHttpTarget
    where TRequest : MockHttpTargetRequest
{
    private protected MockHttpTarget()
    {
    }

    /// <summary>The requests, oldest first (a snapshot). They hold no token, credential or body.</summary>
    public IReadOnlyList<TRequest> Requests => Host.Requests.OfType<TRequest>().ToArray();
}
