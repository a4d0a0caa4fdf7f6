using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace OidcToken.Observability;

/// <summary>
/// The <c>OidcToken</c> <see cref="ActivitySource"/> and <see cref="Meter"/>, one per package (listeners select them by
/// name, so every package's spans and instruments appear under <c>OidcToken</c>). Tags never carry a token.
/// </summary>
internal static class Telemetry
{
    internal const string Name = "OidcToken";

    internal static readonly string Version =
        typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    internal static readonly ActivitySource ActivitySource = new(Name, Version);

    internal static readonly Meter Meter = new(Name, Version);
}
