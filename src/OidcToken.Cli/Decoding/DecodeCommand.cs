using System.CommandLine;
using System.Text;
using System.Text.Json;
using OidcToken.Cli.Input;
using OidcToken.Cli.Output;

namespace OidcToken.Cli.Decoding;

/// <summary>
/// <c>oidc-token decode [TOKEN|-] [--format text|json]</c>: shows a JWT's header and claims, marked unverified. It gives
/// no verdict (nothing is checked) and never prints the signature.
/// </summary>
internal static class DecodeCommand
{
    /// <summary>The marking at the top of the text output.</summary>
    internal const string UnverifiedNotice =
        "UNVERIFIED - not verified: anyone can write these claims; use `oidc-token validate` to check the signature, issuer, audience, lifetime and policy.";

    internal static Command Create(CliContext context)
    {
        var token = TokenInput.CreateArgument();
        var format = new Option<string>("--format")
        {
            Description = "text (default) or json: {\"verified\":false,\"header\":{...},\"claims\":{...}}.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("decode", "Show a JWT's header and claims WITHOUT verifying them (no signature, issuer, audience or lifetime check). The signature is never printed.")
        {
            token,
            format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var input = await TokenInput.ReadAsync("decode", parseResult.GetValue(token), context, error, cancellationToken).ConfigureAwait(false);
            switch (input.Status)
            {
                case TokenInputStatus.Empty:
                    await error.WriteLineAsync("oidc-token: decode: " + input.Problem).ConfigureAwait(false);
                    return ExitCodes.UsageError;
                case TokenInputStatus.TooLarge:
                    await error.WriteLineAsync("oidc-token: decode: " + input.Problem).ConfigureAwait(false);
                    return ExitCodes.UnusableResponse;
            }

            using var segments = JwtSegments.TryDecode(input.Token!, out var problem);
            if (segments is null)
            {
                // The contract has no "cannot decode" code: 5 (something unusable was supplied) is the closest meaning;
                // 6 would be a verdict, which decode never gives.
                await error.WriteLineAsync("oidc-token: decode: " + problem).ConfigureAwait(false);
                return ExitCodes.UnusableResponse;
            }

            var text = parseResult.GetValue(format) == "json" ? ToJson(segments) : ToText(segments);
            await output.WriteAsync(text).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string ToText(JwtSegments segments)
    {
        var text = new StringBuilder();
        text.Append(UnverifiedNotice).Append('\n');
        text.Append("header:\n");
        foreach (var property in segments.Header.RootElement.EnumerateObject())
        {
            text.Append(TextFormat.MemberLine(property, "  ")).Append('\n');
        }

        text.Append("claims (unverified):\n");
        foreach (var property in segments.Payload.RootElement.EnumerateObject())
        {
            text.Append(TextFormat.MemberLine(property, "  ")).Append('\n');
        }

        return text.ToString();
    }

    private static string ToJson(JwtSegments segments)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("verified", false);
            json.WritePropertyName("header");
            segments.Header.RootElement.WriteTo(json);
            json.WritePropertyName("claims");
            segments.Payload.RootElement.WriteTo(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }
}
