// Load-test size.
//
//   OIDCTOKEN_LOAD_SCALE  a positive integer multiplying every load test's size (callers, audiences, run time); default 1,
//                         which keeps each test to a few seconds on 2 cores for CI. For a bigger run, e.g.:
//                           OIDCTOKEN_LOAD_SCALE=10 dotnet test tests/OidcToken.Tests -c Release --filter "FullyQualifiedName~Load"
//                         (the same variable sizes tests/OidcToken.Validation.Tests/Load). Values that do not parse are ignored.
//
// The tests assert behaviour only (request counts, outcomes, no deadlock within a generous bound), never speed:
// throughput and memory are measured by benchmarks/run.
using System.Globalization;

namespace OidcToken.Tests.Load;

internal static class LoadSettings
{
    public const string ScaleVariable = "OIDCTOKEN_LOAD_SCALE";

    /// <summary><see cref="ScaleVariable"/> when set to a positive integer, else 1.</summary>
    public static int Scale =>
        int.TryParse(System.Environment.GetEnvironmentVariable(ScaleVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : 1;

    /// <summary>How long a load test may take before it counts as a deadlock: far beyond what it needs.</summary>
    public static TimeSpan DeadlockBound => TimeSpan.FromSeconds(60 * Scale);
}
