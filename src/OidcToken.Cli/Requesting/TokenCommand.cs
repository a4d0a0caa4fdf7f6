using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OidcToken.Cli.Output;

namespace OidcToken.Cli.Requesting;

/// <summary><c>oidc-token token [--audience AUD] [--format raw|json] [--timeout SECONDS]</c>.</summary>
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
            Description = "raw: the JWT and a newline. json: {\"token\",\"audience\",\"subject\",\"issued_at\",\"expires_at\"}.",
            DefaultValueFactory = _ => "raw",
        };
        format.AcceptOnlyFromAmong("raw", "json");
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
            if (requested is not null && string.IsNullOrWhiteSpace(requested))
            {
                await error.WriteLineAsync("oidc-token: --audience must not be empty or white space; omit it for GitHub's default audience.").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            using var client = CliClientFactory.Create(context, error, deadline);
            IdToken token;
            try
            {
                token = await client.GetTokenAsync(requested, cancellationToken).ConfigureAwait(false);
            }
            catch (OidcTokenException exception)
            {
                var failed = await ErrorReporter.ReportAsync(error, exception, CliSettings.Scope.Token).ConfigureAwait(false);
                await ActionsReport.FailureAsync(context, error, "token", exception, CliSettings.MessageOf(exception, CliSettings.Scope.Token), claims: null)
                    .ConfigureAwait(false);
                return failed;
            }

            var text = parseResult.GetValue(format) == "json" ? ToJson(token) : token.Reveal();
            await output.WriteAsync(text + "\n").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
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
