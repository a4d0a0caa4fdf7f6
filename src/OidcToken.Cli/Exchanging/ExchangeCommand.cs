using System.CommandLine;
using System.Text;
using OidcToken.Claims;
using OidcToken.Cli.Input;
using OidcToken.Cli.Output;
using OidcToken.Cli.Requesting;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>oidc-token exchange aws|azure|gcp|vault|nuget|pypi|npm|crates [target options] [--endpoint URL] [--audience AUD]
/// [--token -] [--format env|json|github-env]</c>: trades a GitHub ID token for the target's credential and hands it to
/// the workflow. Exit 0 done, 2 usage error, 3 no token here, 4 the target could not be reached, 5 its answer was
/// unusable, 7 it refused (with its code and the token's claims on stderr).
/// </summary>
internal static class ExchangeCommand
{
    /// <summary>The help shared by every target's <c>--format</c>.</summary>
    internal const string FormatHelp =
        "env (default): export NAME='value' lines for eval \"$(oidc-token exchange …)\". " +
        "json: one object {\"target\",\"variables\":{NAME:value},…non-secret facts}. " +
        "github-env: append the variables to the file named by $GITHUB_ENV (heredoc form with a random delimiter); nothing on stdout. " +
        "github-output: write them as step outputs to $GITHUB_OUTPUT instead (AWS_SESSION_TOKEN becomes the output aws-session-token; masked first); nothing on stdout. " +
        "In every format the non-secret facts (account id, role ARN, expiry, file path…) are also step outputs when $GITHUB_OUTPUT is set.";

    internal static Command Create(CliContext context) => new(
        "exchange",
        "Trade a GitHub Actions ID token for a cloud or registry credential and print it as shell exports, JSON, or into $GITHUB_ENV. " +
        "Secrets are masked in the log first (GITHUB_ACTIONS=true). Exit 0 done, 2 usage error, 3 no token here, 4 target unreachable, " +
        "5 unusable answer, 7 the target refused (its code and the token's claims on stderr). Run 'oidc-token cleanup' at the end of the job.")
    {
        AwsTarget.Create(context),
        AzureTarget.Create(context),
        GcpTarget.Create(context),
        VaultTarget.Create(context),
        RegistryTargets.CreateNuGet(context),
        RegistryTargets.CreatePyPI(context),
        RegistryTargets.CreateNpm(context),
        RegistryTargets.CreateCrates(context),
    };

    /// <summary>Builds one target's subcommand with the common options and the shared flow.</summary>
    /// <param name="name">The target's name (<c>aws</c>…).</param>
    /// <param name="description">The subcommand's help.</param>
    /// <param name="context">The environment and stdin.</param>
    /// <param name="endpointHelp">What <c>--endpoint</c> means for this target.</param>
    /// <param name="audienceHelp">What <c>--audience</c> means for this target.</param>
    /// <param name="targetOptions">The target's own options.</param>
    /// <param name="prepare">Checks the options (adding problems) and returns the exchange, or null when it cannot run.</param>
    /// <param name="formats">The target's own output formats, besides the common ones (see <see cref="TargetFormat"/>).</param>
    internal static Command CreateTarget(
        string name,
        string description,
        CliContext context,
        string endpointHelp,
        string audienceHelp,
        IEnumerable<Option> targetOptions,
        Func<ParseResult, ExchangeInputs, ExchangeRun?> prepare,
        IReadOnlyList<TargetFormat>? formats = null)
    {
        formats ??= [];
        var endpoint = new Option<string?>("--endpoint") { Description = endpointHelp };
        var audience = new Option<string?>("--audience") { Description = audienceHelp };
        var token = new Option<string?>("--token")
        {
            Description = "'-': read the GitHub ID token from stdin instead of requesting one from the runner (a token on the command line would be visible to other processes, so only '-' is accepted).",
        };
        var format = new Option<string>("--format")
        {
            Description = string.Join(' ', [FormatHelp, .. formats.Select(f => f.Name + ": " + f.Help)]),
            DefaultValueFactory = _ => "env",
        };
        format.AcceptOnlyFromAmong([.. CredentialOutput.Formats, .. formats.Select(f => f.Name)]);

        var command = new Command(name, description);
        foreach (var option in targetOptions)
        {
            command.Options.Add(option);
        }

        command.Options.Add(endpoint);
        command.Options.Add(audience);
        command.Options.Add(token);
        command.Options.Add(format);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var prefix = "oidc-token: exchange " + name + ": ";
            var problems = new List<string>();

            var endpointText = parseResult.GetValue(endpoint);
            var endpointUrl = ParseEndpoint(endpointText, problems);
            var audienceValue = parseResult.GetValue(audience);
            if (audienceValue is not null && (string.IsNullOrWhiteSpace(audienceValue) || audienceValue.Any(char.IsControl)))
            {
                problems.Add("--audience must not be empty, white space or contain control characters; omit it for the target's default.");
                audienceValue = null;
            }

            var tokenValue = parseResult.GetValue(token);
            if (tokenValue is not null && tokenValue != "-")
            {
                problems.Add("--token accepts only '-' (read the token from stdin): a token on the command line is visible to other processes. " +
                             "Use: printf '%s' \"$TOKEN\" | oidc-token exchange " + name + " --token - …");
            }

            var formatValue = parseResult.GetValue(format) ?? "env";
            var targetFormat = formats.FirstOrDefault(f => f.Name == formatValue);
            var forProgram = targetFormat?.ForProgram == true;
            var githubEnv = context.Environment("GITHUB_ENV");
            var githubOutput = context.Environment("GITHUB_OUTPUT");
            foreach (var (fileFormat, variable, path) in (ReadOnlySpan<(string, string, string?)>)[("github-env", "GITHUB_ENV", githubEnv), ("github-output", "GITHUB_OUTPUT", githubOutput)])
            {
                if (formatValue != fileFormat)
                {
                    continue;
                }

                if (string.IsNullOrWhiteSpace(path))
                {
                    problems.Add($"--format {fileFormat} needs the {variable} variable (set by the runner in every step); outside GitHub Actions use --format env or json.");
                }
                else if (CannotAppend(path) is { } why)
                {
                    // Checked before anything is requested, so no credential is minted that could not be delivered.
                    problems.Add($"--format {fileFormat} cannot append to ${variable} ('" + TextFormat.Safe(path) + "'): " + why +
                                 $". {variable} must name a file this step can write (the runner sets it; do not override it), or use --format env or json.");
                }
            }

            var run = prepare(parseResult, new ExchangeInputs(context, endpointUrl, endpointText is not null, audienceValue, problems, formatValue, tokenValue == "-"));
            if (problems.Count > 0 || run is null)
            {
                foreach (var problem in problems)
                {
                    await error.WriteLineAsync(prefix + problem).ConfigureAwait(false);
                }

                await error.WriteLineAsync($"Run 'oidc-token exchange {name} --help' for the options.").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            IdTokenSource source;
            GitHubOidcClient? client = null;
            if (tokenValue == "-")
            {
                var input = await TokenInput.ReadAsync("exchange " + name, "-", context, error, cancellationToken).ConfigureAwait(false);
                var problem = input.Problem;
                if (problem is null)
                {
                    using var segments = Decoding.JwtSegments.TryDecode(input.Token!, out var why);
                    problem = segments is null ? "stdin does not hold a GitHub ID token (JWT): " + why : null;
                }

                if (problem is not null)
                {
                    await error.WriteLineAsync(prefix + problem).ConfigureAwait(false);
                    return ExitCodes.UsageError;
                }

                if (context.IsGitHubActions && !forProgram)
                {
                    CredentialOutput.Mask(error, [input.Token!]);
                }

                source = IdTokenSources.FromToken(input.Token!);
            }
            else
            {
                client = CliClientFactory.Create(context, error, mask: !forProgram);
                source = IdTokenSources.FromClient(client);
            }

            // The claims of the last token handed to the target (never the token), for the step summary of a failure;
            // the first one also decides the context warnings, written before the target sees the token.
            GitHubActionsClaims? seen = null;
            var inner = source;
            var warnings = context.IsGitHubActions && !forProgram; // a format a program reads keeps stderr silent on success
            source = async (audience, cancellationToken) =>
            {
                var jwt = await inner(audience, cancellationToken).ConfigureAwait(false);
                var first = seen is null;
                seen = JwtPayloadReader.TryRead(jwt, out _) ?? seen;
                if (first && warnings && seen is not null)
                {
                    ActionsReport.WarnAboutContext(error, "exchange " + name, seen);
                }

                return jwt;
            };

            ExchangeOutcome outcome;
            try
            {
                outcome = await run(source, cancellationToken).ConfigureAwait(false);
            }
            catch (OidcTokenException exception)
            {
                var failed = await ErrorReporter.ReportAsync(error, exception, CliSettings.Scope.Exchange).ConfigureAwait(false);
                if (failed == ExitCodes.ExchangeRefused && Diagnostics.DoctorCommand.TrustTargets.Contains(name))
                {
                    await error.WriteLineAsync(prefix + "the trust configuration that admits this job: oidc-token doctor --trust " + name +
                                               (tokenValue == "-" ? " --token - (pipe the same token)" : string.Empty)).ConfigureAwait(false);
                }

                await ActionsReport.FailureAsync(context, error, "exchange " + name, exception, CliSettings.MessageOf(exception, CliSettings.Scope.Exchange), seen)
                    .ConfigureAwait(false);
                return failed;
            }
            catch (ArgumentException exception)
            {
                await error.WriteLineAsync(prefix + TextFormat.Safe(CliSettings.Describe(exception, CliSettings.Scope.Exchange))).ConfigureAwait(false);
                await error.WriteLineAsync($"Run 'oidc-token exchange {name} --help' for the options.").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync(prefix + "could not write the credential file under $RUNNER_TEMP: " + TextFormat.Safe(exception.Message) +
                                           ". RUNNER_TEMP must name a folder this step can write (the runner sets it; do not override it).").ConfigureAwait(false);
                return ExitCodes.RunnerFilesUnusable;
            }
            finally
            {
                client?.Dispose();
            }

            // Masked before anything else can show them: the state file note, the output, a later step's log. Not when a
            // program reads stdout (credential-process): nothing reaches a log then, and the program expects JSON alone.
            if (context.IsGitHubActions && !forProgram)
            {
                CredentialOutput.Mask(error, outcome.Secrets);
            }

            if (outcome.Cleanup is { } entry && !forProgram)
            {
                await RecordCleanupAsync(context, entry, error, prefix, cancellationToken).ConfigureAwait(false);
            }

            int exitCode;
            if (targetFormat is not null)
            {
                var deliver = outcome.Deliver ?? throw new InvalidOperationException($"exchange {name} did not prepare --format {formatValue}.");
                exitCode = await deliver(outcome, new FormatDestination(output, error, prefix, context), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                exitCode = await WriteAsync(formatValue, name, outcome, githubEnv, githubOutput, output, error, prefix, cancellationToken).ConfigureAwait(false);
            }

            if (exitCode == ExitCodes.Success && !forProgram && formatValue != "github-output" && outcome.Outputs.Count > 0 && !string.IsNullOrWhiteSpace(githubOutput))
            {
                // The facts are step outputs whatever the format; the credentials were delivered, so a failure here only warns.
                if (await AppendAsync(githubOutput, CredentialOutput.GitHubOutput([], outcome.Outputs), cancellationToken).ConfigureAwait(false) is { } why)
                {
                    await error.WriteLineAsync(prefix + "warning: the step outputs (" + string.Join(", ", outcome.Outputs.Select(o => o.Name)) +
                                               ") were not written: could not append to $GITHUB_OUTPUT: " + why).ConfigureAwait(false);
                }
            }

            return exitCode;
        });
        return command;
    }

    /// <summary>Records <paramref name="entry"/> for <c>oidc-token cleanup</c>; a failure only warns (what it undoes was already made).</summary>
    internal static async Task RecordCleanupAsync(CliContext context, CleanupEntry entry, TextWriter error, string prefix, CancellationToken cancellationToken)
    {
        var state = CleanupState.For(context);
        try
        {
            await state.AddAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var what = entry.Kind switch
            {
                CleanupKind.File => "file",
                CleanupKind.AwsProfile => "profile",
                _ => "token",
            };
            await error.WriteLineAsync(
                prefix + "warning: 'oidc-token cleanup' will not know about this " + what +
                ": the state file could not be updated: " + TextFormat.Safe(exception.Message)).ConfigureAwait(false);
        }
    }

    /// <summary>Why <paramref name="path"/> cannot be appended to (opened for append and closed, nothing written), or null.</summary>
    internal static string? CannotAppend(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return "it is a folder";
            }

            using var probe = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return TextFormat.Safe(exception.Message);
        }
    }

    private static async Task<int> WriteAsync(
        string format,
        string name,
        ExchangeOutcome outcome,
        string? githubEnv,
        string? githubOutput,
        TextWriter output,
        TextWriter error,
        string prefix,
        CancellationToken cancellationToken)
    {
        switch (format)
        {
            case "json":
                await output.WriteAsync(CredentialOutput.Json(name, outcome.Variables, outcome.Facts)).ConfigureAwait(false);
                break;
            case "github-env" or "github-output":
                var (variable, path, text) = format == "github-env"
                    ? ("GITHUB_ENV", githubEnv!, CredentialOutput.GitHubEnv(outcome.Variables))
                    : ("GITHUB_OUTPUT", githubOutput!, CredentialOutput.GitHubOutput(outcome.Variables, outcome.Outputs));
                if (await AppendAsync(path, text, cancellationToken).ConfigureAwait(false) is { } why)
                {
                    await error.WriteLineAsync(prefix + $"could not append to ${variable}: " + why +
                                               $". The {(format == "github-env" ? "variables" : "outputs")} may be missing or incomplete: run the step again " +
                                               $"({variable} must name a file this step can write).").ConfigureAwait(false);
                    return ExitCodes.RunnerFilesUnusable;
                }

                var names = format == "github-env"
                    ? outcome.Variables.Select(v => v.Name)
                    : outcome.Variables.Select(v => CredentialOutput.OutputName(v.Name)).Concat(outcome.Outputs.Select(o => o.Name)).Distinct(StringComparer.Ordinal);
                await error.WriteLineAsync(prefix + "set " + string.Join(", ", names) +
                                           (format == "github-env" ? " for the following steps ($GITHUB_ENV)." : " as step outputs ($GITHUB_OUTPUT).")).ConfigureAwait(false);
                return ExitCodes.Success;
            default:
                await output.WriteAsync(CredentialOutput.Env(outcome.Variables)).ConfigureAwait(false);
                break;
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Appends <paramref name="text"/> (UTF-8, no BOM) to a runner file; returns why it failed, or null.</summary>
    internal static async Task<string?> AppendAsync(string path, string text, CancellationToken cancellationToken)
    {
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        try
        {
            var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return TextFormat.Safe(exception.Message);
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    private static Uri? ParseEndpoint(string? text, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
        {
            return url;
        }

        problems.Add($"--endpoint '{TextFormat.Safe(text)}' is not an absolute URL (https://…; plain http only to a loopback test server).");
        return null;
    }

    /// <summary>
    /// Adds a usage problem naming every missing required option of a package registry and where its values come from.
    /// </summary>
    internal static void RequireRegistryInputs(List<string> problems, string registry, string docs, params (string Option, string Meaning, bool Missing)[] inputs)
    {
        var missing = inputs.Where(i => i.Missing).ToArray();
        if (missing.Length == 0)
        {
            return;
        }

        problems.Add(
            $"{registry} trusted publishing needs " + string.Join(", ", missing.Select(m => m.Option + " (" + m.Meaning + ")")) +
            $". OidcToken names no registry, so {(missing.Length == 1 ? "it" : "they")} must be given: take {(missing.Length == 1 ? "the value" : "the values")} from {docs}.");
    }

    /// <summary>An instant as ISO-8601 UTC, e.g. <c>2026-04-22T07:59:53Z</c>.</summary>
    internal static string Instant(DateTimeOffset instant) => TextFormat.Instant(instant);
}
