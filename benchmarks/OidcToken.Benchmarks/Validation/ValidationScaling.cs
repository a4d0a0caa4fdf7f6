using System.Diagnostics;
using System.Globalization;

namespace OidcToken.Benchmarks.Validation;

/// <summary>
/// Two-thread scaling of validation: the same contender on 1 thread (cycling the whole corpus) and on 2 threads
/// (each cycling its own half), for a fixed time each, alternating, several rounds; reports the medians in tokens/s.
/// BenchmarkDotNet measures one thread only, so this is a separate, Stopwatch-timed measurement. Also measures the
/// bare <c>RSA.VerifyData</c> loop the same way, which shows what the machine itself gives a second thread.
/// </summary>
public static class ValidationScaling
{
    /// <summary>Runs the measurement and writes one JSON line.</summary>
    public static int Run(TextWriter output, bool quick)
    {
        var rounds = quick ? 3 : 7;
        var window = TimeSpan.FromMilliseconds(quick ? 300 : 1000);
        using var contenders = new ValidationContenders(ValidationCorpus.Get());
        var results = new List<string>();
        foreach (var (name, validate) in new (string, Action<int>)[]
        {
            ("bareRsaVerifyData", i => contenders.BareRsaVerifyData(i)),
            ("oidcTokenValidator", i => contenders.OidcTokenValidator(i)),
        })
        {
            // Warm: every token once, then let tiered compilation settle.
            for (var i = 0; i < contenders.Count; i++)
            {
                validate(i);
            }

            Thread.Sleep(200);
            Measure(validate, contenders.Count, 1, TimeSpan.FromMilliseconds(300));
            var one = new List<double>();
            var two = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                one.Add(Measure(validate, contenders.Count, 1, window));
                two.Add(Measure(validate, contenders.Count, 2, window));
            }

            // Medians, and the best round of each (the least disturbed by other processes on a shared machine).
            var t1 = Median(one);
            var t2 = Median(two);
            var best1 = one.Max();
            var best2 = two.Max();
            results.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"\"{name}\":{{\"oneThread\":{t1:0},\"twoThreads\":{t2:0},\"scaling\":{t2 / t1:0.000},\"bestOneThread\":{best1:0},\"bestTwoThreads\":{best2:0},\"bestScaling\":{best2 / best1:0.000}}}"));
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"rounds\":{rounds},\"windowMs\":{window.TotalMilliseconds:0},\"processors\":{Environment.ProcessorCount},{string.Join(',', results)}}}"));
        return 0;
    }

    /// <summary>Tokens per second of <paramref name="threads"/> threads, each cycling its own slice of the corpus.</summary>
    internal static double Measure(Action<int> validate, int count, int threads, TimeSpan window)
    {
        var counts = new long[threads];
        var stop = 0;
        using var start = new ManualResetEventSlim();
        var workers = new Thread[threads];
        var slice = count / threads;
        for (var t = 0; t < threads; t++)
        {
            var index = t;
            workers[t] = new Thread(() =>
            {
                var first = index * slice;
                var i = 0;
                long done = 0;
                start.Wait();
                while (Volatile.Read(ref stop) == 0)
                {
                    validate(first + i);
                    i = i + 1 == slice ? 0 : i + 1;
                    done++;
                }

                counts[index] = done;
            })
            { IsBackground = true };
            workers[t].Start();
        }

        Thread.Sleep(20);
        var clock = Stopwatch.StartNew();
        start.Set();
        Thread.Sleep(window);
        Volatile.Write(ref stop, 1);
        foreach (var worker in workers)
        {
            worker.Join();
        }

        clock.Stop();
        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }
}
