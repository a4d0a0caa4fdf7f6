// Property-test budget.
//
//   OIDCTOKEN_FUZZ_ITERATIONS  iterations for EACH property (default: the small, CI-friendly count given by the
//                              property, 1000–3000; the whole Properties folder stays well under
//                              20 s on 2 cores). Set it for a long campaign, e.g.
//                                OIDCTOKEN_FUZZ_ITERATIONS=2000000 dotnet test tests/OidcToken.Validation.Tests -c Release --filter "FullyQualifiedName~Properties"
//   OIDCTOKEN_FUZZ_SEED        optional CsCheck seed to replay a reported failure (CsCheck prints the seed of every
//                              failing, shrunk case).
//
// Values that do not parse are ignored (the defaults apply).
using System.Globalization;

namespace OidcToken.Validation.Tests.Properties;

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
}
