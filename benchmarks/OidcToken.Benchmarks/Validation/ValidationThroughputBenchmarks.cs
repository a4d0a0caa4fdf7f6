using BenchmarkDotNet.Attributes;

namespace OidcToken.Benchmarks.Validation;

/// <summary>
/// Performance target (docs/ARCHITECTURE.md): validation throughput on one thread over many distinct valid tokens with
/// warm keys is at least 0.8 × a bare <c>RSA.VerifyData</c> loop over the same tokens (and at least 4 × jose, measured by
/// peers/bench-jose-validate.mjs on the same corpus). Each operation validates the next token of the corpus (4096
/// distinct tokens, cycled), so no contender sees one token repeated back to back.
/// </summary>
[MemoryDiagnoser]
public class ValidationThroughputBenchmarks
{
    private ValidationContenders? _contenders;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _contenders = new ValidationContenders(ValidationCorpus.Get());

        // Every contender accepts every token (they throw otherwise), and each one's caches are warm.
        for (var i = 0; i < _contenders.Count; i++)
        {
            _contenders.BareRsaVerifyData(i);
            _contenders.OidcTokenValidator(i);
            _contenders.JsonWebTokenHandler(i);
            _contenders.JwtSecurityTokenHandler(i);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _contenders?.Dispose();

    [Benchmark(Baseline = true)]
    public bool BareRsaVerifyData() => _contenders!.BareRsaVerifyData(Next());

    [Benchmark]
    public object OidcTokenValidator() => _contenders!.OidcTokenValidator(Next());

    [Benchmark]
    public object JsonWebTokenHandler() => _contenders!.JsonWebTokenHandler(Next());

    [Benchmark]
    public object JwtSecurityTokenHandler() => _contenders!.JwtSecurityTokenHandler(Next());

    private int Next()
    {
        var i = _next;
        _next = i + 1 == _contenders!.Count ? 0 : i + 1;
        return i;
    }
}
