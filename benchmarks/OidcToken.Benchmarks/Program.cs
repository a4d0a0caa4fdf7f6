using BenchmarkDotNet.Running;
using OidcToken.Benchmarks.Configuration;
using OidcToken.Benchmarks.Requesting;

// Usage:
//   OidcToken.Benchmarks [--quick] [BenchmarkDotNet options, e.g. --filter '*' --artifacts DIR]
//   OidcToken.Benchmarks --probe-allocations
// --quick: a sanity run (in-process, a few short iterations); numbers are indicative only.
// --probe-allocations: counts the bytes one cached GetTokenAsync hit allocates with GC.GetAllocatedBytesForCurrentThread,
// as a cross-check of BenchmarkDotNet's MemoryDiagnoser; prints one JSON line.
if (args.Contains("--probe-allocations"))
{
    return AllocationProbe.Run(Console.Out);
}

var quick = args.Contains("--quick");
var benchmarkArgs = args.Where(arg => arg != "--quick").ToArray();
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(benchmarkArgs, BenchmarkConfig.Create(quick));

// A benchmark whose setup or run failed must fail the run (benchmarks/run relies on it).
var failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
return failed ? 1 : 0;
