using BenchmarkDotNet.Running;
using OidcToken.Benchmarks.Configuration;
using OidcToken.Benchmarks.Exchange;
using OidcToken.Benchmarks.Requesting;
using OidcToken.Benchmarks.Validation;

// Usage:
//   OidcToken.Benchmarks [--quick] [BenchmarkDotNet options, e.g. --filter '*' --artifacts DIR]
//   OidcToken.Benchmarks --probe-allocations
//   OidcToken.Benchmarks --write-validation-corpus FILE
//   OidcToken.Benchmarks --validation-scaling [--quick]
//   OidcToken.Benchmarks --probe-validation
//   OidcToken.Benchmarks --validation-window SECONDS
//   OidcToken.Benchmarks --serve-mock-sts [--subject-pattern PATTERN]
// --quick: a sanity run (in-process, a few short iterations); numbers are indicative only.
// --probe-allocations: counts the bytes one cached GetTokenAsync hit allocates with GC.GetAllocatedBytesForCurrentThread,
// as a cross-check of BenchmarkDotNet's MemoryDiagnoser; prints one JSON line.
// --write-validation-corpus FILE: mints the validation corpus (4096 distinct signed tokens, the JWK, the checks) into FILE
// for the jose peer and for the other processes (OIDCTOKEN_VALIDATION_CORPUS=FILE).
// --validation-scaling: validation throughput on 1 and on 2 threads; prints one JSON line.
// --validation-window SECONDS: one round of the paired jose comparison (OidcToken and bare RSA, one thread, SECONDS
// each); prints one JSON line.
// --serve-mock-sts: the local STS stand-in of benchmarks/exchange-aws/run (prints READY URL, serves until stdin closes).
// --probe-validation: Stopwatch and allocated bytes per validation of each contender, one thread (for profiling).
if (args.Contains("--serve-mock-sts"))
{
    return MockStsServer.Run(args, Console.Out);
}

if (args.Contains("--probe-allocations"))
{
    return AllocationProbe.Run(Console.Out);
}

if (Array.IndexOf(args, "--write-validation-corpus") is var corpusArg and >= 0)
{
    if (corpusArg + 1 >= args.Length)
    {
        Console.Error.WriteLine("--write-validation-corpus needs a file");
        return 2;
    }

    ValidationCorpus.Create(ValidationCorpus.DefaultCount).Write(args[corpusArg + 1]);
    return 0;
}

if (args.Contains("--validation-scaling"))
{
    return ValidationScaling.Run(Console.Out, args.Contains("--quick"));
}

if (Array.IndexOf(args, "--validation-window") is var windowArg and >= 0)
{
    if (windowArg + 1 >= args.Length
        || !double.TryParse(args[windowArg + 1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
        || seconds is <= 0 or > 600)
    {
        Console.Error.WriteLine("--validation-window needs a number of seconds (0 < SECONDS <= 600)");
        return 2;
    }

    return ValidationWindow.Run(Console.Out, TimeSpan.FromSeconds(seconds));
}

if (args.Contains("--probe-validation"))
{
    return ValidationProbe.Run(Console.Out);
}

var quick = args.Contains("--quick");
var benchmarkArgs = args.Where(arg => arg != "--quick").ToArray();
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(benchmarkArgs, BenchmarkConfig.Create(quick));

// A benchmark whose setup or run failed must fail the run (benchmarks/run relies on it).
var failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
return failed ? 1 : 0;
