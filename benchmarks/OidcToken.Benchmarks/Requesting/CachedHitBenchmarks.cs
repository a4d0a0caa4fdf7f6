using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using OidcToken.Testing;

namespace OidcToken.Benchmarks.Requesting;

/// <summary>
/// A cached <c>GetTokenAsync</c> hit on a warm client. Performance target (docs/ARCHITECTURE.md): it allocates nothing
/// beyond its returned task, which is the cached, completed one, so Allocated must be 0 B. No request is made here, so
/// the issuer runs in-process.
/// </summary>
[MemoryDiagnoser]
public class CachedHitBenchmarks
{
    private const string Audience = "aud";

    private MockGitHubOidcIssuer? _issuer;
    private GitHubOidcClient? _client;
    private ConcurrentDictionary<string, Task<IdToken>>? _floor;
    private MeterListener? _listener;
    private long _measured;

    [GlobalSetup]
    public void Setup()
    {
        _issuer = MockGitHubOidcIssuer.Start();
        _client = CreateWarmClient(_issuer);
        var cached = _client.GetTokenAsync(Audience);
        _floor = new ConcurrentDictionary<string, Task<IdToken>>(StringComparer.Ordinal) { [Audience] = cached };
    }

    [GlobalSetup(Target = nameof(GetTokenAsync_CachedHit_MetricsListened))]
    public void SetupWithListener()
    {
        Setup();
        // What an OpenTelemetry metrics exporter does: listen to every OidcToken instrument.
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "OidcToken")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _measured, value));
        _listener.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _client?.Dispose();
        _issuer?.Dispose();
    }

    /// <summary>The floor: the one dictionary lookup any per-audience cache of completed tasks needs.</summary>
    [Benchmark(Baseline = true)]
    public Task<IdToken> DictionaryLookup_Floor() => _floor![Audience];

    [Benchmark]
    public Task<IdToken> GetTokenAsync_CachedHit() => _client!.GetTokenAsync(Audience);

    [Benchmark]
    public Task<IdToken> GetTokenAsync_CachedHit_CancellationTokenOverload() => _client!.GetTokenAsync(Audience, CancellationToken.None);

    /// <summary>The same hit while a <see cref="MeterListener"/> records the cache-hit counter.</summary>
    [Benchmark]
    public Task<IdToken> GetTokenAsync_CachedHit_MetricsListened() => _client!.GetTokenAsync(Audience);

    /// <summary>A client on the issuer's variables (no process-wide ones), no masking, with <see cref="Audience"/> cached.</summary>
    internal static GitHubOidcClient CreateWarmClient(MockGitHubOidcIssuer issuer)
    {
        var environment = issuer.GetEnvironment();
        var client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
            MaskTokens = false,
        });
        _ = client.GetTokenAsync(Audience).GetAwaiter().GetResult();
        return client;
    }
}
