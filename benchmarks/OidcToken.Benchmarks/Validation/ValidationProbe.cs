using System.Diagnostics;
using System.Globalization;

namespace OidcToken.Benchmarks.Validation;

/// <summary>
/// A quick Stopwatch + <see cref="GC.GetAllocatedBytesForCurrentThread"/> probe of one thread validating the corpus,
/// for profiling by hand (<c>--probe-validation</c>): tokens/s and bytes per validation of each contender.
/// </summary>
public static class ValidationProbe
{
    public static int Run(TextWriter output)
    {
        using var contenders = new ValidationContenders(ValidationCorpus.Get());
        foreach (var (name, validate) in new (string, Action<int>)[]
        {
            ("bareRsaVerifyData", i => contenders.BareRsaVerifyData(i)),
            ("oidcTokenValidator", i => contenders.OidcTokenValidator(i)),
            ("jsonWebTokenHandler", i => contenders.JsonWebTokenHandler(i)),
            ("jwtSecurityTokenHandler", i => contenders.JwtSecurityTokenHandler(i)),
        })
        {
            for (var pass = 0; pass < 2; pass++)
            {
                for (var i = 0; i < contenders.Count; i++)
                {
                    validate(i);
                }

                Thread.Sleep(150);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            var n = 0;
            for (var pass = 0; pass < 3; pass++)
            {
                for (var i = 0; i < contenders.Count; i++, n++)
                {
                    validate(i);
                }
            }

            clock.Stop();
            var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name,-24} {n / clock.Elapsed.TotalSeconds,9:0} tokens/s  {clock.Elapsed.TotalMicroseconds / n,7:0.00} µs/token  {(double)bytes / n,8:0} B/token"));
        }

        return 0;
    }
}
