namespace OidcToken.Cli.Output;

/// <summary>Writes an <see cref="OidcTokenException"/> to stderr the same way for every command.</summary>
internal static class ErrorReporter
{
    /// <summary>Writes the message and the help link; returns the exit code for the error.</summary>
    internal static async Task<int> ReportAsync(TextWriter error, OidcTokenException exception)
    {
        await error.WriteLineAsync($"oidc-token: {exception.ErrorCode}: {exception.Message}").ConfigureAwait(false);
        await error.WriteLineAsync($"More: {exception.HelpLink}").ConfigureAwait(false);
        return exception.ExitCode;
    }
}
