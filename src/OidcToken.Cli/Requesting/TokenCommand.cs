using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OidcToken.Cli.Output;

namespace OidcToken.Cli.Requesting;

/// <summary>
/// <c>oidc-token token [--audience AUD] [--format raw|json|gcp-executable] [--timeout SECONDS]</c>. <c>gcp-executable</c>
/// is the response of Google's executable-sourced credentials (<c>credential_source.executable</c>, see
/// <see cref="GcpExecutableResponse"/>).
/// </summary>
internal static class TokenCommand
{
    internal static Command Create(CliContext context)
    {
        var audience = new Option<string?>("--audience")
        {
            Description = "The audience (aud) to request. Omitted: GitHub's default, https://github.com/<owner>.",
        };
        var format = new Option<string>("--format")
        {
            Description = "raw: the JWT and a newline. json: {\"token\",\"audience\",\"subject\",\"issued_at\",\"expires_at\"}. " +
                          "gcp-executable: the response Google's client libraries expect from an executable-sourced credential " +
                          "({\"version\":1,\"success\":true,\"token_type\":…,\"id_token\":…,\"expiration_time\":…}, or success false with code and message " +
                          "and a non-zero exit); 'oidc-token exchange gcp --credential-source executable' writes the file that runs it.",
            DefaultValueFactory = _ => "raw",
        };
        format.AcceptOnlyFromAmong("raw", "json", GcpExecutableResponse.Format);
        var timeout = new Option<double?>("--timeout")
        {
            Description = "The overall deadline in seconds, retries included (0.1 to 3600). Default: 60.",
        };
        timeout.Validators.Add(result =>
        {
            // Runs before conversion errors are reported, so read the token itself rather than the converted value.
            if (result.Tokens.Count == 1
                && double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                && (double.IsNaN(seconds) || seconds < 0.1 || seconds > 3600))
            {
                result.AddError("--timeout must be between 0.1 and 3600 seconds.");
            }
        });

        var command = new Command("token", "Request a GitHub Actions OIDC ID token and print it to stdout (masked in the log first).")
        {
            audience,
            format,
            timeout,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var deadline = parseResult.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            var requested = parseResult.GetValue(audience);
            var formatValue = parseResult.GetValue(format);
            var executable = formatValue == GcpExecutableResponse.Format;
            if (requested is not null && string.IsNullOrWhiteSpace(requested))
            {
                const string problem = "--audience must not be empty or white space; omit it for GitHub's default audience.";
                await error.WriteLineAsync("oidc-token: " + problem).ConfigureAwait(false);
                return await FailAsync(executable, output, "USAGE", problem, ExitCodes.UsageError, cancellationToken).ConfigureAwait(false);
            }

            var tokenType = GcpExecutableResponse.IdTokenType;
            if (executable && GcpExecutableResponse.Refuse(context.Environment, ref tokenType) is { } refusal)
            {
                await error.WriteLineAsync("oidc-token: " + refusal).ConfigureAwait(false);
                return await FailAsync(executable, output, "UNSUPPORTED_REQUEST", refusal, ExitCodes.UsageError, cancellationToken).ConfigureAwait(false);
            }

            // Google's libraries read the command's stderr together with its stdout: in gcp-executable format stderr stays
            // silent on success, so no mask command (the token goes through a pipe to the library, never to the log).
            using var client = CliClientFactory.Create(context, error, deadline, mask: !executable);
            IdToken token;
            try
            {
                token = await client.GetTokenAsync(requested, cancellationToken).ConfigureAwait(false);
            }
            catch (OidcTokenException exception)
            {
                var exitCode = await ErrorReporter.ReportAsync(error, exception, CliSettings.Scope.Token).ConfigureAwait(false);
                var message = CliSettings.MessageOf(exception, CliSettings.Scope.Token);
                if (!executable)
                {
                    // In gcp-executable format stderr goes to Google's library with stdout, not to the job's log.
                    await ActionsReport.FailureAsync(context, error, "token", exception, message, claims: null).ConfigureAwait(false);
                }

                return await FailAsync(executable, output, exception.ErrorCode.ToString(), message, exitCode, cancellationToken).ConfigureAwait(false);
            }

            var text = formatValue switch
            {
                "json" => ToJson(token),
                GcpExecutableResponse.Format => GcpExecutableResponse.Success(token, tokenType),
                _ => token.Reveal(),
            };
            await output.WriteAsync(text + "\n").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// With <c>--format gcp-executable</c>, also writes Google's failure response on stdout (the library shows its
    /// <c>code</c> and <c>message</c>); returns <paramref name="exitCode"/> either way.
    /// </summary>
    private static async Task<int> FailAsync(bool executable, TextWriter output, string code, string message, int exitCode, CancellationToken cancellationToken)
    {
        if (executable)
        {
            await output.WriteAsync(GcpExecutableResponse.Failure(code, message) + "\n").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return exitCode;
    }

    private static string ToJson(IdToken token)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("token", token.Reveal());
            json.WriteString("audience", token.Audience);
            json.WriteString("subject", token.UnverifiedClaims.Subject);
            json.WriteString("issued_at", token.IssuedAt.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("expires_at", token.ExpiresAt.ToString("O", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
