namespace OidcToken.Testing;

/// <summary>
/// Faults waiting for the next token requests, in the order they were queued. Thread-safe: each
/// request takes at most one fault, and a fault queued for <c>n</c> requests is taken exactly <c>n</c> times.
/// </summary>
internal sealed class FaultQueue
{
    private readonly Lock _lock = new();
    private readonly Queue<Entry> _entries = new();

    public void Enqueue(MockTokenFault fault, int count)
    {
        lock (_lock)
        {
            _entries.Enqueue(new Entry(fault, count));
        }
    }

    public MockTokenFault? TakeNext()
    {
        lock (_lock)
        {
            if (!_entries.TryPeek(out var entry))
            {
                return null;
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
