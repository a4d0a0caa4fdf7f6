using System.Net.Http.Headers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using OidcToken.Benchmarks.MockIssuer;

namespace OidcToken.Benchmarks.Requesting;

/// <summary>
/// One uncached token request, in-process: <c>GetTokenAsync("aud", IdTokenRequestOptions.Fresh)</c> against
/// <c>oidc-token-mock</c> running in a separate process (so its work is not counted here), next to the floor — a
/// bare <see cref="HttpClient"/> GET with the same headers that parses the JSON and takes <c>value</c>.
/// The Node peer's figure (<c>core.getIDToken</c>) comes from benchmarks/peers/bench-get-id-token.mjs.
/// </summary>
[MemoryDiagnoser]
public class UncachedRequestBenchmarks
{
    private const string Audience = "aud";

    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private MockIssuerProcess? _mock;
    private GitHubOidcClient? _client;
    private HttpClient? _http;
    private Uri? _uri;
    private AuthenticationHeaderValue? _authorization;

    [GlobalSetup]
    public void Setup()
    {
        _mock = MockIssuerProcess.Start(TimeSpan.FromSeconds(60));
        _client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = _mock.GetVariable,
            MaskTokens = false,
        });

        var requestUrl = _mock.Environment["ACTIONS_ID_TOKEN_REQUEST_URL"];
        _uri = new Uri(requestUrl + (requestUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "audience=" + Audience);
        _authorization = new AuthenticationHeaderValue("Bearer", _mock.Environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]);
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

        // Both paths work before anything is measured.
        _ = BareHttpClient_Floor().GetAwaiter().GetResult();
        _ = GetTokenAsync_Fresh().GetAwaiter().GetResult();

        // The mock is a JIT-compiled .NET process started just now: warm it (and let tiered compilation settle) so
        // that every benchmark of this class, each in its own process with its own mock, meets an equally warm server.
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 300; i++)
            {
                _ = BareHttpClient_Floor().GetAwaiter().GetResult();
            }

            Thread.Sleep(500);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.Dispose();
        _http?.Dispose();
        _mock?.Dispose();
    }

    /// <summary>The floor: what any client must do — one GET, read the JSON, take <c>value</c>.</summary>
    [Benchmark(Baseline = true)]
    public async Task<string> BareHttpClient_Floor()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
        request.Headers.Authorization = _authorization;
        request.Headers.Accept.Add(Json);
        using var response = await _http!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream).ConfigureAwait(false);
            return document.RootElement.GetProperty("value").GetString()!;
        }
    }

    [Benchmark]
    public Task<IdToken> GetTokenAsync_Fresh() => _client!.GetTokenAsync(Audience, IdTokenRequestOptions.Fresh);
}
