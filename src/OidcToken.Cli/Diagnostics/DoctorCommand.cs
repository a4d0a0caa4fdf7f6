using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OidcToken.Cli.Output;

namespace OidcToken.Cli.Diagnostics;

/// <summary><c>oidc-token doctor [--probe] [--format text|json]</c>: explains whether a token can be requested here.</summary>
internal static class DoctorCommand
{
    internal static Command Create(CliContext context)
    {
        var probe = new Option<bool>("--probe")
        {
            Description = "Also make one real token request (default audience, no retries) and report how the endpoint answered. The token is never printed.",
        };
        var format = new Option<string>("--format")
        {
            Description = "text (default) or json.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("doctor", "Explain whether this job can get an OIDC token and, if not, why and how to fix it. No network unless --probe.")
        {
            probe,
            format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            using var client = Requesting.CliClientFactory.Create(context, error, TimeSpan.FromSeconds(30), maxAttempts: 1);
            var report = client.Diagnose();
            ProbeOutcome? outcome = null;
            if (parseResult.GetValue(probe) && report.CanRequestToken)
            {
                var result = await client.TryGetTokenAsync(null, cancellationToken).ConfigureAwait(false);
                outcome = new ProbeOutcome(result);
            }

            var json = parseResult.GetValue(format) == "json";
            await output.WriteAsync(json ? ToJson(report, outcome) : ToText(report, outcome)).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (report.ErrorCode is { } code)
            {
                return OidcTokenException.GetExitCode(code);
            }

            return outcome?.Result.Error is { } failure ? failure.ExitCode : ExitCodes.Success;
        });
        return command;
    }

    private static string ToText(OidcEnvironmentReport report, ProbeOutcome? probe)
    {
        var text = new StringBuilder(report.ToString());
        if (probe is not null)
        {
            text.AppendLine();
            text.AppendLine("probe: " + probe.Summary);
            if (probe.Result.Error is { } failure)
            {
                text.AppendLine(CliSettings.MessageOf(failure, CliSettings.Scope.Token));
                text.AppendLine("More: " + failure.HelpLink);
            }
        }

        return text.ToString();
    }

    private static string ToJson(OidcEnvironmentReport report, ProbeOutcome? probe)
    {
        if (probe is null)
        {
            return report.ToJson() + "\n";
        }

        // Splice a "probe" member into the report's object.
        using var document = JsonDocument.Parse(report.ToJson());
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                property.WriteTo(json);
            }

            json.WriteStartObject("probe");
            json.WriteBoolean("succeeded", probe.Result.Succeeded);
            json.WriteString("summary", probe.Summary);
            if (probe.Result.Token is { } token)
            {
                json.WriteString("audience", token.Audience);
                json.WriteString("subject", token.UnverifiedClaims.Subject);
                json.WriteString("issuer", token.UnverifiedClaims.Issuer);
                json.WriteString("expires_at", token.ExpiresAt.ToString("O", CultureInfo.InvariantCulture));
            }

            if (probe.Result.Error is { } failure)
            {
                json.WriteString("error_code", failure.ErrorCode.ToString());
                json.WriteNumber("exit_code", failure.ExitCode);
                json.WriteString("message", CliSettings.MessageOf(failure, CliSettings.Scope.Token));
                json.WriteString("help_link", failure.HelpLink);
                if (failure.StatusCode is { } status)
                {
                    json.WriteNumber("status", status);
                }

                json.WriteNumber("attempts", failure.Attempts);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    private sealed class ProbeOutcome(IdTokenResult result)
    {
        public IdTokenResult Result { get; } = result;

        public string Summary => Result.Token is { } token
            ? string.Create(CultureInfo.InvariantCulture, $"the endpoint issued a token (aud {token.Audience}, sub {token.UnverifiedClaims.Subject}, iss {token.UnverifiedClaims.Issuer}, lifetime {(token.ExpiresAt - token.IssuedAt).TotalSeconds:0} s); it was discarded, not printed")
            : $"the endpoint did not issue a token: {Result.ErrorCode}";
    }
}
