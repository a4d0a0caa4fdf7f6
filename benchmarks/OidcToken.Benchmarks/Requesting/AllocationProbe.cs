using System.Diagnostics;
using System.Globalization;
using OidcToken.Testing;

namespace OidcToken.Benchmarks.Requesting;

/// <summary>
/// Counts what a cached <c>GetTokenAsync</c> hit allocates with <see cref="GC.GetAllocatedBytesForCurrentThread"/>,
/// independently of BenchmarkDotNet: warm the client, let tiered compilation settle, then a million hits.
/// </summary>
public static class AllocationProbe
{
    private const int Calls = 1_000_000;

    /// <summary>Runs the probe and writes one JSON line: <c>{"calls":…,"bytes":…,"bytesPerCall":…}</c>.</summary>
    /// <param name="output">Where the line goes.</param>
    /// <returns>0 (the figure is reported, not judged).</returns>
    public static int Run(TextWriter output)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = CachedHitBenchmarks.CreateWarmClient(issuer);

        // Warm up until the hit path has been recompiled at tier 1 (tiering waits ~100 ms after the last new method).
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 1_000)
        {
            for (var i = 0; i < 10_000; i++)
            {
                Consume(client.GetTokenAsync("aud"));
            }

            Thread.Sleep(20);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            Consume(client.GetTokenAsync("aud"));
        }

        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"calls\":{Calls},\"bytes\":{bytes},\"bytesPerCall\":{(double)bytes / Calls:0.###}}}"));
        return 0;
    }

    private static void Consume(Task<IdToken> task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The cached hit returned a task that is not completed: the cache missed.");
        }
    }
}
