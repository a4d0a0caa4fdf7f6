using System.Diagnostics;
using System.Globalization;

namespace OidcToken.Benchmarks.Validation;

/// <summary>
/// One round of the paired comparison with jose: OidcToken's validator and the bare <c>RSA.VerifyData</c> loop, each on
/// one thread for a fixed window (Stopwatch-timed), in a fresh process that <c>benchmarks/run</c> starts right before a
/// jose process of the same length. Each round's ratios compare figures taken seconds apart, so a machine whose speed
/// drifts (other tenants) moves both sides of a ratio together; the median over rounds is reported, with its spread.
/// Also reports the process's CPU time per wall second, to show each side got one core.
/// </summary>
public static class ValidationWindow
{
    /// <summary>Warms both contenders, measures each for <paramref name="window"/>, and writes one JSON line.</summary>
    public static int Run(TextWriter output, TimeSpan window)
    {
        using var contenders = new ValidationContenders(ValidationCorpus.Get());
        var figures = new List<string>();
        foreach (var (name, validate) in new (string, Action<int>)[]
        {
            ("oidcTokenValidator", i => contenders.OidcTokenValidator(i)),
            ("bareRsaVerifyData", i => contenders.BareRsaVerifyData(i)),
        })
        {
            // Warm: every token twice (as jose's two warm-up passes), then an untimed second (tiered compilation and dynamic PGO settle).
            for (var pass = 0; pass < 2; pass++)
            {
                for (var i = 0; i < contenders.Count; i++)
                {
                    validate(i);
                }
            }

            ValidationScaling.Measure(validate, contenders.Count, 1, TimeSpan.FromMilliseconds(1000));
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var rate = ValidationScaling.Measure(validate, contenders.Count, 1, window);
            var wall = clock.Elapsed;
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            figures.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"\"{name}\":{{\"tokensPerSecond\":{rate:0},\"cpuPerWallSecond\":{cpu / wall:0.000}}}"));
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"windowMs\":{window.TotalMilliseconds:0},{string.Join(',', figures)}}}"));
        return 0;
    }
}
