namespace OidcToken.Cli;

/// <summary>What the commands read from outside the command line: the environment. Tests pass their own.</summary>
internal sealed class CliContext
{
    /// <summary>The context of the running process.</summary>
    internal static CliContext Process { get; } = new(System.Environment.GetEnvironmentVariable);

    internal CliContext(Func<string, string?> environment) => Environment = environment;

    /// <summary>Reads an environment variable.</summary>
    internal Func<string, string?> Environment { get; }

    /// <summary>True when <c>GITHUB_ACTIONS</c> is <c>true</c>: secrets are then masked on stderr before any output.</summary>
    internal bool IsGitHubActions =>
        string.Equals(Environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
}
