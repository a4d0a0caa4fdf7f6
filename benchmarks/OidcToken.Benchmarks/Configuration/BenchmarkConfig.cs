using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace OidcToken.Benchmarks.Configuration;

/// <summary>
/// The jobs every suite runs with: short enough that the whole suite finishes in a few minutes on a 2-core machine.
/// Every class adds <c>[MemoryDiagnoser]</c> and marks one benchmark as its baseline.
/// </summary>
public static class BenchmarkConfig
{
    /// <summary>Builds the configuration.</summary>
    /// <param name="quick">
    /// True for a sanity run: in-process (no generated project to build), one warmup and three short iterations.
    /// False for the real run: a separate process per benchmark, 3 warmups and 20 iterations of 250 ms.
    /// </param>
    public static IConfig Create(bool quick)
    {
        var job = quick
            ? Job.Default
                .WithId("Quick")
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(3)
                .WithIterationTime(TimeInterval.FromMilliseconds(100))
            : Job.Default
                .WithId("Short")
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(20)
                .WithIterationTime(TimeInterval.FromMilliseconds(250));

        return ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            // benchmarks/run reads the JSON; the GitHub markdown (a default exporter) goes into RESULTS.md as it is.
            .AddExporter(JsonExporter.Brief)
            .WithOptions(ConfigOptions.DisableLogFile);
    }
}
