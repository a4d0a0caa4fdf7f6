namespace OidcToken.Cli.Output;

/// <summary>Writes an <see cref="OidcTokenException"/> to stderr the same way for every command.</summary>
internal static class ErrorReporter
{
    /// <summary>Writes the message and the help link; returns the exit code for the error.</summary>
    /// <remarks>The option the library's fix names is given by the command's flag for it (<see cref="CliSettings"/>).</remarks>
    internal static async Task<int> ReportAsync(TextWriter error, OidcTokenException exception, CliSettings.Scope scope)
    {
        await error.WriteLineAsync($"oidc-token: {exception.ErrorCode}: {CliSettings.MessageOf(exception, scope)}").ConfigureAwait(false);
        await error.WriteLineAsync($"More: {exception.HelpLink}").ConfigureAwait(false);
        return exception.ExitCode;
    }
}
