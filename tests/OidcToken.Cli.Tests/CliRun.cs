namespace OidcToken.Cli;

/// <summary>The outcome of one in-process run of the command line.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs <c>oidc-token</c> with <paramref name="args"/>, capturing stdout and stderr.</summary>
    internal static async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await OidcTokenCommand.RunAsync(args, output, error, CancellationToken.None);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
