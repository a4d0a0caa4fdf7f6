using Azure.Core.Pipeline;

namespace OidcToken.Cli;

/// <summary>What the commands read from outside the command line: the environment and stdin. Tests pass their own.</summary>
internal sealed class CliContext
{
    /// <summary>The context of the running process.</summary>
    internal static CliContext Process { get; } = new(
        System.Environment.GetEnvironmentVariable,
        static () => Console.In,
        inputIsTerminal: !Console.IsInputRedirected);

    /// <summary>A context with the given environment and stdin.</summary>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="input">Opens stdin; null means an empty stdin.</param>
    /// <param name="inputIsTerminal">True when stdin is an interactive terminal (a prompt is then shown before reading it).</param>
    internal CliContext(Func<string, string?> environment, Func<TextReader>? input = null, bool inputIsTerminal = false)
    {
        Environment = environment;
        Input = input ?? (static () => TextReader.Null);
        InputIsTerminal = inputIsTerminal;
    }

    /// <summary>Reads an environment variable.</summary>
    internal Func<string, string?> Environment { get; }

    /// <summary>Returns stdin, where <c>decode</c> and <c>validate</c> read a token when none is given as an argument.</summary>
    internal Func<TextReader> Input { get; }

    /// <summary>True when stdin is an interactive terminal rather than a pipe or file.</summary>
    internal bool InputIsTerminal { get; }

    /// <summary>
    /// The transport for Microsoft Entra calls of <c>exchange azure</c>, or null for OidcToken.Azure's own (redirect-free).
    /// A seam for tests only: Azure.Identity needs an https authority, so tests keep the real one and route its calls
    /// to an in-process mock through this transport.
    /// </summary>
    internal HttpPipelineTransport? AzureTransport { get; init; }

    /// <summary>
    /// The command that runs this program (program path, then any arguments before the subcommand), written into files that
    /// run it later (<c>exchange gcp --credential-source executable</c>); null for the running process's own (its executable,
    /// or the dotnet host and the tool's dll). A seam for tests run in process, whose process is the test host.
    /// </summary>
    internal IReadOnlyList<string>? ProgramCommand { get; init; }

    /// <summary>True when <c>GITHUB_ACTIONS</c> is <c>true</c>: secrets are then masked on stderr before any output.</summary>
    internal bool IsGitHubActions =>
        string.Equals(Environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
}
