using System.CommandLine;

namespace OidcToken.Cli;

/// <summary>Builds and runs the <c>oidc-token</c> command line.</summary>
internal static class OidcTokenCommand
{
    /// <summary>Builds the root command with every subcommand.</summary>
    internal static RootCommand Build()
    {
        var root = new RootCommand(
            "oidc-token: request, decode, validate and exchange GitHub Actions OIDC ID tokens. " +
            "The result goes to stdout; every message goes to stderr.");
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the chosen command.</summary>
    /// <returns>The process exit code.</returns>
    internal static async Task<int> RunAsync(string[] args)
    {
        var parseResult = Build().Parse(args);
        var config = new InvocationConfiguration { Output = Console.Out, Error = Console.Error };
        return await parseResult.InvokeAsync(config).ConfigureAwait(false);
    }
}
