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
    /// How to run this same tool again, as an argument list: what <c>--format aws-profile</c> writes into the AWS config
    /// file's <c>credential_process</c> and <c>exchange gcp --credential-source executable</c> into Google's
    /// credential file. Default: the running executable (the NativeAOT binary or the dotnet tool's
    /// launcher), or the <c>dotnet</c> host followed by <c>oidc-token.dll</c> when run as <c>dotnet oidc-token.dll</c>.
    /// Tests running the command in process set it.
    /// </summary>
    internal IReadOnlyList<string> SelfCommand { get; init; } = DetectSelfCommand();

    /// <summary>True when <c>GITHUB_ACTIONS</c> is <c>true</c>: secrets are then masked on stderr before any output.</summary>
    internal bool IsGitHubActions =>
        string.Equals(Environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);

    private static string[] DetectSelfCommand()
    {
        var process = System.Environment.ProcessPath;
        if (string.IsNullOrEmpty(process))
        {
            return ["oidc-token"];
        }

        var entry = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name;
        return string.Equals(Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.OrdinalIgnoreCase) && entry is not null
            ? [process, Path.Combine(AppContext.BaseDirectory, entry + ".dll")]
            : [process];
    }
}
