using System.CommandLine;
using System.CommandLine.Invocation;

namespace OidcToken.Cli;

/// <summary>Builds and runs the <c>oidc-token</c> command line.</summary>
/// <remarks>
/// <para>
/// Each subcommand is built by its own feature folder and added in <see cref="Build"/>. A command's action writes only
/// through <c>parseResult.InvocationConfiguration.Output</c> (the result) and <c>.Error</c> (every message), never through
/// <see cref="Console"/>, so tests run the whole command line in-process with their own writers.
/// </para>
/// <para>
/// Exit codes are those of <see cref="ExitCodes"/>: a parse error is a usage error (2, with all text on stderr and
/// nothing on stdout), cancellation always wins (130), and anything that escapes a command is reported here, the only
/// catch-all in the tool.
/// </para>
/// </remarks>
internal static class OidcTokenCommand
{
    /// <summary>The description shown at the top of <c>--help</c>.</summary>
    internal const string Description =
        "oidc-token: request, decode, validate and exchange GitHub Actions OIDC ID tokens. " +
        "The result goes to stdout; every message goes to stderr.";

    /// <summary>Builds the root command with every subcommand.</summary>
    /// <param name="context">What commands read from outside the command line; null means the process's.</param>
    internal static RootCommand Build(CliContext? context = null)
    {
        context ??= CliContext.Process;
        var root = new RootCommand(Description)
        {
            Requesting.TokenCommand.Create(context),
            Diagnostics.DoctorCommand.Create(context),
            Decoding.DecodeCommand.Create(context),
            Validating.ValidateCommand.Create(context),
            Exchanging.ExchangeCommand.Create(context),
            Exchanging.CleanupCommand.Create(context),
        };
        foreach (var versionOption in root.Options.OfType<VersionOption>())
        {
            versionOption.Action = new VersionAction();
        }

        return root;
    }

    /// <summary>
    /// The process entry: runs the command line on the console's streams, with Ctrl+C (SIGINT) and SIGTERM requesting
    /// cancellation.
    /// </summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>The process exit code.</returns>
    internal static async Task<int> RunAsync(string[] args)
    {
        using var signals = new TerminationSignals();
        var exitCode = await RunAsync(args, Console.Out, Console.Error, signals.Token).ConfigureAwait(false);
        return exitCode == ExitCodes.Cancelled ? signals.ExitCode : exitCode;
    }

    /// <summary>Runs the command line with the given writers for stdout and stderr.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="output">Receives the result (stdout).</param>
    /// <param name="error">Receives every message, warning and diagnostic (stderr).</param>
    /// <param name="cancellationToken">Cancelled when the user interrupts the run.</param>
    /// <param name="context">The environment the commands see; null means the process's (tests pass their own).</param>
    /// <returns>The process exit code.</returns>
    internal static Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken, CliContext? context = null) =>
        InvokeAsync(Build(context), args, output, error, cancellationToken);

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> and runs the chosen command.</summary>
    /// <param name="root">The command tree; <see cref="Build"/> outside tests.</param>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="output">Receives the result (stdout).</param>
    /// <param name="error">Receives every message, warning and diagnostic (stderr).</param>
    /// <param name="cancellationToken">Cancelled when the user interrupts the run.</param>
    /// <returns>The process exit code.</returns>
    internal static async Task<int> InvokeAsync(
        RootCommand root, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        // No response files: an argument starting with '@' is a value (an npm scope such as --package @scope/name, an
        // audience), never a file name whose contents would be read into the command line.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Action is ParseErrorAction)
        {
            // System.CommandLine writes typo suggestions and help for a parse error to Output; here all of it is a
            // message, so it goes to stderr and stdout stays empty. Its exit code (1) becomes the usage-error code.
            parseResult.Invoke(new InvocationConfiguration { Output = error, Error = error });
            return ExitCodes.UsageError;
        }

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Unexpected exceptions and cancellation are mapped to exit codes below, not by System.CommandLine
            // (whose handler turns a cancelled command into 1).
            EnableDefaultExceptionHandler = false,
            // Signals are handled by the caller (TerminationSignals) and arrive as cancellationToken.
            ProcessTerminationTimeout = null,
        };

        try
        {
            var exitCode = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            return cancellationToken.IsCancellationRequested ? ExitCodes.Cancelled : exitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Cancelled;
        }
        catch (Exception exception)
        {
            // The tool's only catch-all: whatever escapes a command is reported, not dumped. The message only: library
            // exceptions are written never to carry secrets, and a stack trace is noise to a workflow author. The type
            // name lets a bug report be traced.
            await error.WriteLineAsync(
                $"oidc-token: unexpected error ({exception.GetType().FullName}): {exception.Message}").ConfigureAwait(false);
            return ExitCodes.InternalError;
        }
    }
}
