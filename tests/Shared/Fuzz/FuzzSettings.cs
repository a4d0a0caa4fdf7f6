// Fuzz budget, shared by every test project's Fuzz folder (linked in from tests/Shared/Fuzz; the same switch as
// tests/OidcToken.Validation.Tests/Properties/FuzzSettings.cs).
//
//   OIDCTOKEN_FUZZ_ITERATIONS  iterations for EACH fuzz property (default: the small, CI-friendly count given by the
//                              property, so each Fuzz folder runs in well under 10 s on 2 cores). Set it for a long
//                              campaign, e.g.
//                                OIDCTOKEN_FUZZ_ITERATIONS=100000 dotnet test tests/OidcToken.Tests -c Release --filter "FullyQualifiedName~.Fuzz."
//   OIDCTOKEN_FUZZ_SEED        optional CsCheck seed to replay a reported failure (CsCheck prints the seed of every
//                              failing, shrunk case).
//
// Values that do not parse are ignored (the defaults apply). See docs/TESTING.md.
using System.Globalization;

namespace OidcToken.Fuzzing;

internal static class FuzzSettings
{
    public const string IterationsVariable = "OIDCTOKEN_FUZZ_ITERATIONS";
    public const string SeedVariable = "OIDCTOKEN_FUZZ_SEED";

    /// <summary>The iteration count for a property: <see cref="IterationsVariable"/> when set to a positive integer, else <paramref name="ciDefault"/>.</summary>
    public static long Iterations(long ciDefault) =>
        long.TryParse(System.Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : ciDefault;

    /// <summary>The seed to replay, or <see langword="null"/> for a fresh random run.</summary>
    public static string? Seed => System.Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } seed ? seed : null;

    /// <summary>True when a long campaign was asked for (iterations set): calls then get a longer time bound.</summary>
    public static bool IsLongCampaign => Iterations(0) > 0;
}
