using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace OidcToken.Cli;

/// <summary>
/// Prints this tool's informational version (for example <c>0.1.0+&lt;commit&gt;</c>). System.CommandLine's own version
/// action reads the entry assembly, which is the test host when the CLI runs in-process; this reads the CLI's assembly.
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    /// <summary>The informational version of the <c>oidc-token</c> assembly.</summary>
    internal static string InformationalVersion { get; } =
        typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionAction).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <inheritdoc />
    public override bool ClearsParseErrors => true;

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(InformationalVersion);
        return ExitCodes.Success;
    }
}
