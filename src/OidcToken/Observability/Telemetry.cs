using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace OidcToken.Observability;

/// <summary>The <c>OidcToken</c> <see cref="ActivitySource"/> and <see cref="Meter"/>. Tags never carry a token.</summary>
internal static class Telemetry
{
    internal const string Name = "OidcToken";

    internal static readonly string Version =
        typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    internal static readonly ActivitySource ActivitySource = new(Name, Version);

    internal static readonly Meter Meter = new(Name, Version);

    /// <summary>HTTP requests sent to the token endpoint, tagged with <c>outcome</c>.</summary>
    internal static readonly Counter<long> TokenRequests = Meter.CreateCounter<long>(
        "oidctoken.token.requests", unit: "{request}", description: "HTTP requests sent to the GitHub ID token endpoint.");

    /// <summary>Calls answered from the cache.</summary>
    internal static readonly Counter<long> CacheHits = Meter.CreateCounter<long>(
        "oidctoken.token.cache_hits", unit: "{call}", description: "GetTokenAsync calls answered from the cache.");
}
