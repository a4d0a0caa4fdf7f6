namespace OidcToken.Testing;

/// <summary>Thread-safe record of requests to the mock's endpoints.</summary>
internal sealed class RequestLogStore
{
    private readonly Lock _lock = new();
    private readonly List<MockTokenRequest> _tokenRequests = [];
    private int _discoveryRequests;
    private int _jwksRequests;

    public int TokenRequestCount
    {
        get
        {
            lock (_lock)
            {
                return _tokenRequests.Count;
            }
        }
    }

    public int DiscoveryRequestCount => Volatile.Read(ref _discoveryRequests);

    public int JwksRequestCount => Volatile.Read(ref _jwksRequests);

    public void AddToken(MockTokenRequest request)
    {
        lock (_lock)
        {
            _tokenRequests.Add(request);
        }
    }

    public void CountDiscovery() => Interlocked.Increment(ref _discoveryRequests);

    public void CountJwks() => Interlocked.Increment(ref _jwksRequests);

    public IReadOnlyList<MockTokenRequest> SnapshotTokenRequests()
    {
        lock (_lock)
        {
            return _tokenRequests.ToArray();
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _tokenRequests.Clear();
            Interlocked.Exchange(ref _discoveryRequests, 0);
            Interlocked.Exchange(ref _jwksRequests, 0);
        }
    }
}
