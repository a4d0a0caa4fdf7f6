namespace OidcToken.Validation;

/// <summary>
/// An <see cref="IJtiReplayStore"/> in process memory. Expired entries are evicted as new ones arrive. When it holds
/// <c>maxEntries</c> unexpired ids it <b>fails closed</b>: new ids are refused (reported as replays) until entries expire,
/// so a flood of tokens can neither exhaust memory nor push out an id that is still replayable.
/// </summary>
/// <remarks>Thread-safe. Serves one process: several instances of a service need a shared store (e.g. over Redis).</remarks>
public sealed class InMemoryJtiReplayStore : IJtiReplayStore
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly Dictionary<(string Issuer, string Jti), DateTimeOffset> _entries = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly int _maxEntries;
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock that decides expiry; null means <see cref="TimeProvider.System"/>.</param>
    /// <param name="maxEntries">The most unexpired ids held at once; default 100,000, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEntries"/> is less than 1.</exception>
    public InMemoryJtiReplayStore(TimeProvider? timeProvider = null, int maxEntries = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _time = timeProvider ?? TimeProvider.System;
        _maxEntries = maxEntries;
    }

    /// <summary>How many ids are held (expired ones included until the next eviction).</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryAddAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(jti);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (now >= _nextSweep || _entries.Count >= _maxEntries)
            {
                Sweep(now);
            }

            var key = (issuer, jti);
            if (_entries.TryGetValue(key, out var existing) && existing > now)
            {
                return ValueTask.FromResult(false);
            }

            if (!_entries.ContainsKey(key) && _entries.Count >= _maxEntries)
            {
                // Full of ids that can still be replayed: refuse rather than forget one of them.
                return ValueTask.FromResult(false);
            }

            _entries[key] = expiresAt;
            return ValueTask.FromResult(true);
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        _nextSweep = now + SweepEvery;
        foreach (var (key, expiresAt) in _entries)
        {
            if (expiresAt <= now)
            {
                _entries.Remove(key);
            }
        }
    }
}
