using System.CommandLine;
using OidcToken.Cli.Output;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>oidc-token cleanup</c>: undoes what <c>exchange</c> left behind in this job. Deletes the files it wrote (the Google
/// credential configuration), revokes the Vault and crates.io tokens it minted, then deletes its state file. Idempotent:
/// a second run finds nothing and exits 0. Reports every action on stderr; stdout stays empty.
/// </summary>
internal static class CleanupCommand
{
    internal static Command Create(CliContext context)
    {
        var command = new Command(
            "cleanup",
            "Remove the files 'oidc-token exchange' wrote in this job (gcp's credential file) and the AWS profiles it wrote (aws --format aws-profile), and revoke the Vault and crates.io tokens it minted. " +
            "What to undo is kept in oidc-token-state.json under $RUNNER_TEMP (outside a runner: $XDG_STATE_HOME/oidc-token or ~/.local/state/oidc-token, " +
            "%LOCALAPPDATA%\\oidc-token on Windows): it holds those tokens, so it is created with mode 0600 (owner only) and is itself deleted once " +
            "everything is undone. Each entry names the run that made it; cleanup undoes this run's entries only and leaves any other's alone. " +
            "Run it at the end of the job, e.g. in a final step " +
            "with 'if: always()'. Exit 0 when nothing is left; otherwise the failure's exit code (4 a revocation could not reach the target, " +
            "3 the state file or a file to remove cannot be used), having undone everything else, and the failed items stay recorded for a later run.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            const string Prefix = "oidc-token: cleanup: ";
            var state = CleanupState.For(context);
            var exitCode = ExitCodes.Success;
            var done = 0;
            var otherRuns = 0;
            var untagged = 0;
            bool found;
            try
            {
                found = await state.ProcessAsync(
                    async entries =>
                    {
                        foreach (var entry in entries.ToArray())
                        {
                            // Only this run's entries: another run's (another job, another mock session) are its own to
                            // undo, and an untagged one from an earlier version could be anyone's.
                            if (entry.Run is null)
                            {
                                untagged++;
                                continue;
                            }

                            if (!string.Equals(entry.Run, state.Run, StringComparison.Ordinal))
                            {
                                otherRuns++;
                                continue;
                            }

                            var result = await UndoAsync(entry, error, Prefix, cancellationToken).ConfigureAwait(false);
                            if (result == ExitCodes.Success)
                            {
                                entries.Remove(entry);
                                done++;
                            }
                            else if (exitCode == ExitCodes.Success)
                            {
                                exitCode = result;
                            }
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync(Prefix + "could not use the state file " + TextFormat.Safe(state.Path) + ": " + TextFormat.Safe(exception.Message)).ConfigureAwait(false);
                return ExitCodes.RunnerFilesUnusable;
            }

            var leftAlone = otherRuns + untagged;
            if (leftAlone > 0)
            {
                var parts = new List<string>(2);
                if (otherRuns > 0)
                {
                    parts.Add(Entries(otherRuns) + " of other runs");
                }

                if (untagged > 0)
                {
                    parts.Add(Entries(untagged) + " without a run (written by an earlier oidc-token; remove the file by hand once nothing in it is needed)");
                }

                await error.WriteLineAsync(Prefix + "left alone " + string.Join(" and ", parts) + " in " + TextFormat.Safe(state.Path) +
                                           "; cleanup acts only on this run's entries.").ConfigureAwait(false);
            }

            if (!found || (done == 0 && exitCode == ExitCodes.Success))
            {
                await error.WriteLineAsync(Prefix + (leftAlone > 0 ? "nothing of this run to clean up." : "nothing to clean up.")).ConfigureAwait(false);
            }
            else if (exitCode == ExitCodes.Success)
            {
                await error.WriteLineAsync(Prefix + (leftAlone > 0
                    ? "done; this run's entries are undone."
                    : "done; removed the state file " + TextFormat.Safe(state.Path) + ".")).ConfigureAwait(false);
            }
            else
            {
                await error.WriteLineAsync(Prefix + "what could not be undone stays recorded in " + TextFormat.Safe(state.Path) + "; run 'oidc-token cleanup' again to retry.").ConfigureAwait(false);
            }

            return exitCode;
        });
        return command;
    }

    /// <summary>Undoes one entry; returns <see cref="ExitCodes.Success"/> when nothing of it is left.</summary>
    private static async Task<int> UndoAsync(CleanupEntry entry, TextWriter error, string prefix, CancellationToken cancellationToken)
    {
        var location = TextFormat.Safe(entry.Location);
        if (entry.Kind == CleanupKind.AwsProfile)
        {
            var section = "profile '" + TextFormat.Safe(entry.Profile ?? string.Empty) + "' in " + location;
            try
            {
                var removed = await AwsProfileFile.RemoveAsync(entry.Location, entry.Profile!, cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync(prefix + (removed ? "removed " : "already gone: ") + section).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync(prefix + "could not remove " + section + ": " + TextFormat.Safe(exception.Message) +
                                           " (it stays recorded; fix the file or its folder's permissions and run 'oidc-token cleanup' again)").ConfigureAwait(false);
                return ExitCodes.RunnerFilesUnusable;
            }
        }

        if (entry.Kind == CleanupKind.File)
        {
            try
            {
                if (!File.Exists(entry.Location))
                {
                    await error.WriteLineAsync(prefix + "already gone: " + location).ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                File.Delete(entry.Location);
                await error.WriteLineAsync(prefix + "removed " + location).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync(prefix + "could not remove " + location + ": " + TextFormat.Safe(exception.Message) +
                                           " (it stays recorded; remove it by hand or fix its folder's permissions and run 'oidc-token cleanup' again)").ConfigureAwait(false);
                return ExitCodes.RunnerFilesUnusable;
            }
        }

        var what = entry.Kind == CleanupKind.Vault ? "the Vault token from " + location : "the crates.io token from " + location;
        if (string.IsNullOrEmpty(entry.Token))
        {
            await error.WriteLineAsync(prefix + "no token recorded for " + what + "; dropped.").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        try
        {
            if (entry.Kind == CleanupKind.Vault)
            {
                await VaultTarget.RevokeAsync(entry, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RegistryTargets.RevokeCratesAsync(entry, cancellationToken).ConfigureAwait(false);
            }

            await error.WriteLineAsync(prefix + "revoked " + what).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (OidcTokenException exception) when (exception.ErrorCode == OidcTokenErrorCode.ExchangeRefused)
        {
            // The target no longer accepts the token: it expired or was already revoked. Nothing is left to undo.
            await error.WriteLineAsync(prefix + what + " was already expired or revoked (the target refused to revoke it: " +
                                       TextFormat.Safe(FirstLine(CliSettings.MessageOf(exception, CliSettings.Scope.Exchange))) + ")").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (OidcTokenException exception)
        {
            await error.WriteLineAsync(prefix + "could not revoke " + what + ":").ConfigureAwait(false);
            return await ErrorReporter.ReportAsync(error, exception, CliSettings.Scope.Exchange).ConfigureAwait(false);
        }
        catch (ArgumentException exception)
        {
            await error.WriteLineAsync(prefix + "could not revoke " + what + ": " + TextFormat.Safe(CliSettings.Describe(exception, CliSettings.Scope.Exchange))).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
    }

    private static string Entries(int count) =>
        count.ToString(System.Globalization.CultureInfo.InvariantCulture) + (count == 1 ? " entry" : " entries");

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }
}
