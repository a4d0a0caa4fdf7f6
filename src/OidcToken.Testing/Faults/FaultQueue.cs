namespace OidcToken.Testing;

/// <summary>
/// The faults waiting for a mock's next requests, in the order they were queued: the one queue of every mock. Thread-safe:
/// each request takes at most one fault, the first queued one that admits its path (see
/// <see cref="MockHttpTargetFault.ForRequestsTo"/>), and a fault queued for <c>n</c> requests is taken exactly <c>n</c> times;
/// entries for other paths keep waiting. When no queued fault applies, an optional random fault applies to each request
/// with a fixed probability (seeded, so a single-threaded sequence of requests is reproducible).
/// </summary>
internal sealed class FaultQueue
{
    private readonly Lock _lock = new();
    private readonly List<(MockHttpTargetFault Fault, int Remaining)> _entries = [];
    private MockHttpTargetFault? _randomFault;
    private double _probability;
    private Random? _random;

    public void Enqueue(int count, MockHttpTargetFault fault)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(fault);
        lock (_lock)
        {
            _entries.Add((fault, count));
        }
    }

    public void SetRandom(MockHttpTargetFault? fault, double probability, int seed)
    {
        lock (_lock)
        {
            _randomFault = probability > 0 ? fault : null;
            _probability = probability;
            _random = probability > 0 ? new Random(seed) : null;
        }
    }

    /// <summary>
    /// Takes the fault for a request to <paramref name="path"/>, counted down, or null. A fault without a path filter applies
    /// only where <paramref name="unscopedApplies"/> (every request of a target; the issuer's token endpoint).
    /// </summary>
    public MockHttpTargetFault? TakeNext(string path, bool unscopedApplies = true)
    {
        lock (_lock)
        {
            for (var i = 0; i < _entries.Count; i++)
            {
                var (fault, remaining) = _entries[i];
                if (!fault.Admits(path, unscopedApplies))
                {
                    continue;
                }

                if (remaining > 1)
                {
                    _entries[i] = (fault, remaining - 1);
                }
                else
                {
                    _entries.RemoveAt(i);
                }

                return fault;
            }

            return _randomFault is { } random && random.Admits(path, unscopedApplies) && _random!.NextDouble() < _probability ? random : null;
        }
    }
}
