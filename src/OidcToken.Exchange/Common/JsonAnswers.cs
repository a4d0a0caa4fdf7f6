using System.Globalization;
using System.Text.Json;

namespace OidcToken.Exchange.Common;

/// <summary>Reads target answers with <see cref="JsonDocument"/> (no reflection, AOT-safe).</summary>
internal static class JsonAnswers
{
    /// <summary>The success body as a JSON object, or an unusable-answer failure that never repeats the body (it may hold a secret).</summary>
    public static JsonDocument RequireObject(ExchangeResponse response)
    {
        if (response.Truncated)
        {
            throw ExchangeFailure.Invalid(Status(response) + " with a body larger than 64 KiB", response);
        }

        var document = response.TryParseJson();
        if (document is null)
        {
            throw ExchangeFailure.Invalid(Status(response) + " with a body that is not JSON" + MediaType(response), response);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw ExchangeFailure.Invalid(Status(response) + " with JSON that is not an object", response);
        }

        return document;
    }

    /// <summary>A non-empty string property (at most 16 KiB), or an unusable-answer failure naming the field.</summary>
    public static string RequireString(JsonElement parent, string name, string where, ExchangeResponse response)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw ExchangeFailure.Invalid($"{Status(response)} without a string \"{name}\" in {where}", response);
        }

        var text = value.GetString();
        if (string.IsNullOrWhiteSpace(text) || text.Length > ExchangeSession.MaxTokenChars || text.Any(char.IsControl))
        {
            throw ExchangeFailure.Invalid($"{Status(response)} with an empty, over-long or malformed \"{name}\" in {where}", response);
        }

        return text;
    }

    /// <summary>A string property, or null when absent or not a string.</summary>
    public static string? OptionalString(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The error text of a failed answer: <paramref name="extract"/> on JSON, else the body as text (scrubbed later).</summary>
    public static string? ErrorText(ExchangeResponse response, Func<JsonElement, string?> extract)
    {
        using var document = response.TryParseJson();
        if (document is not null)
        {
            return extract(document.RootElement);
        }

        var text = response.BodyText().Trim();
        return text.Length == 0 ? null : text;
    }

    /// <summary>"HTTP 200".</summary>
    public static string Status(ExchangeResponse response) => "HTTP " + response.StatusCode.ToString(CultureInfo.InvariantCulture);

    private static string MediaType(ExchangeResponse response) =>
        response.MediaType is { Length: > 0 and < 100 } media ? " (" + media + ")" : string.Empty;
}
