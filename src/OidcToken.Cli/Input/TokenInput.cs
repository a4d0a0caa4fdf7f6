using System.CommandLine;

namespace OidcToken.Cli.Input;

/// <summary>What <see cref="TokenInput.ReadAsync"/> found.</summary>
internal enum TokenInputStatus
{
    /// <summary>A non-empty value was read.</summary>
    Read,

    /// <summary>Nothing but white space was given.</summary>
    Empty,

    /// <summary>Stdin held more than <see cref="TokenInput.MaxInputChars"/> characters.</summary>
    TooLarge,
}

/// <summary>The token given to <c>decode</c> or <c>validate</c>, or why there is none.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Token">The token, trimmed; null unless <paramref name="Status"/> is <see cref="TokenInputStatus.Read"/>.</param>
/// <param name="Source">Where it came from, for messages: <c>stdin</c> or <c>the command line</c>.</param>
internal sealed record TokenInputResult(TokenInputStatus Status, string? Token, string Source)
{
    /// <summary>Why there is no token, for stderr; null when one was read.</summary>
    internal string? Problem => Status switch
    {
        TokenInputStatus.Empty => $"no token on {Source}: pass it as TOKEN or pipe it on stdin (TOKEN absent or '-')",
        TokenInputStatus.TooLarge => $"{Source} holds more than {TokenInput.MaxInputChars / 1024} KiB; a GitHub ID token is about 1-2 KiB",
        _ => null,
    };
}

/// <summary>
/// Reads the TOKEN argument shared by <c>decode</c> and <c>validate</c>: from stdin when it is absent or <c>-</c>,
/// otherwise from the command line, with a warning that other processes can see it there.
/// </summary>
internal static class TokenInput
{
    /// <summary>The most that is read from stdin (64 Ki characters); a JWT is capped at 16 KiB anyway.</summary>
    internal const int MaxInputChars = 64 * 1024;

    /// <summary>The warning written to stderr when the token is an argument to <paramref name="command"/>.</summary>
    internal static string CommandLineWarning(string command) =>
        "oidc-token: warning: a token on the command line is visible to other processes (ps, /proc/<pid>/cmdline) and may be kept in shell history; " +
        $"pass it on stdin instead: printf '%s' \"$TOKEN\" | oidc-token {command} ...";

    /// <summary>The TOKEN argument: absent or <c>-</c> means stdin.</summary>
    internal static Argument<string?> CreateArgument() => new("TOKEN")
    {
        Description = "The JWT, or '-' (the default) to read it from stdin. Prefer stdin: arguments are visible to other processes.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>Reads the token from <paramref name="argument"/> or from the context's stdin.</summary>
    /// <param name="command">The command's name, for the warning.</param>
    /// <param name="argument">The TOKEN argument as parsed.</param>
    /// <param name="context">Supplies stdin.</param>
    /// <param name="error">Receives the command-line warning and the stdin prompt.</param>
    /// <param name="cancellationToken">Abandons the read (the command then ends as cancelled).</param>
    internal static async Task<TokenInputResult> ReadAsync(
        string command, string? argument, CliContext context, TextWriter error, CancellationToken cancellationToken)
    {
        if (argument is not null && argument != "-")
        {
            await error.WriteLineAsync(CommandLineWarning(command)).ConfigureAwait(false);
            var trimmed = argument.Trim();
            return trimmed.Length == 0
                ? new TokenInputResult(TokenInputStatus.Empty, null, "the command line")
                : new TokenInputResult(TokenInputStatus.Read, trimmed, "the command line");
        }

        if (context.InputIsTerminal)
        {
            await error.WriteLineAsync("oidc-token: reading the token from stdin (paste it, then press Ctrl+D)").ConfigureAwait(false);
        }

        var reader = context.Input();

        // The read runs on the thread pool and is awaited with the token, so Ctrl+C ends the command even when the
        // reader (a terminal) ignores cancellation and blocks.
        var (text, overflow) = await Task.Run(() => ReadCappedAsync(reader, cancellationToken), cancellationToken)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        if (overflow)
        {
            return new TokenInputResult(TokenInputStatus.TooLarge, null, "stdin");
        }

        var token = text.Trim();
        return token.Length == 0
            ? new TokenInputResult(TokenInputStatus.Empty, null, "stdin")
            : new TokenInputResult(TokenInputStatus.Read, token, "stdin");
    }

    private static async Task<(string Text, bool Overflow)> ReadCappedAsync(TextReader reader, CancellationToken cancellationToken)
    {
        // One character more than the cap tells "exactly at the cap" from "over it"; nothing beyond that is read.
        var buffer = new char[MaxInputChars + 1];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        return length > MaxInputChars ? (string.Empty, true) : (new string(buffer, 0, length), false);
    }
}
