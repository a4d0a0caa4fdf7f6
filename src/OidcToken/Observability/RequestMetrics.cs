using System.Diagnostics.Metrics;

namespace OidcToken.Observability;

/// <summary>The token client's instruments on the <c>OidcToken</c> meter.</summary>
internal static class RequestMetrics
{
    /// <summary>HTTP requests sent to the token endpoint, tagged with <c>outcome</c>.</summary>
    internal static readonly Counter<long> TokenRequests = Telemetry.Meter.CreateCounter<long>(
        "oidctoken.token.requests", unit: "{request}", description: "HTTP requests sent to the GitHub ID token endpoint.");

    /// <summary>Calls answered from the cache.</summary>
    internal static readonly Counter<long> CacheHits = Telemetry.Meter.CreateCounter<long>(
        "oidctoken.token.cache_hits", unit: "{call}", description: "GetTokenAsync calls answered from the cache.");
}
