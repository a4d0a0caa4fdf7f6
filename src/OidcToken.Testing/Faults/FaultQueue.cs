namespace OidcToken.Testing;

/// <summary>
/// Faults waiting for the next token requests, in the order they were queued. Thread-safe: each
/// request takes at most one fault, and a fault queued for <c>n</c> requests is taken exactly <c>n</c> times.
/// When the queue is empty, an optional random fault applies to each request with a fixed probability
/// (seeded, so a single-threaded sequence of requests is reproducible).
/// </summary>
internal sealed class FaultQueue
{
    private readonly Lock _lock = new();
    private readonly Queue<Entry> _entries = new();
    private MockTokenFault? _randomFault;
    private double _probability;
    private Random? _random;

    public void Enqueue(MockTokenFault fault, int count)
    {
        lock (_lock)
        {
            _entries.Enqueue(new Entry(fault, count));
        }
    }

    public void SetRandom(MockTokenFault? fault, double probability, int seed)
    {
        lock (_lock)
        {
            _randomFault = probability > 0 ? fault : null;
            _probability = probability;
            _random = probability > 0 ? new Random(seed) : null;
        }
    }

    public MockTokenFault? TakeNext()
    {
        lock (_lock)
        {
            if (!_entries.TryPeek(out var entry))
            {
                return _randomFault is not null && _random!.NextDouble() < _probability ? _randomFault : null;
            }

            entry.Remaining--;
            if (entry.Remaining == 0)
            {
                _entries.Dequeue();
            }

            return entry.Fault;
        }
    }

    private sealed class Entry(MockTokenFault fault, int remaining)
    {
        public MockTokenFault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
