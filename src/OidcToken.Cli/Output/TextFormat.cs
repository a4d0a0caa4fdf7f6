using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OidcToken.Cli.Output;

/// <summary>
/// Turns values that came from a token into text for a terminal. Anyone can write an unverified token, so control,
/// format and line-separator characters are shown escaped (<c>\u001B</c>): a claim cannot move the cursor, recolour
/// the terminal or forge an extra output line.
/// </summary>
internal static class TextFormat
{
    /// <summary>Claims that hold a NumericDate (seconds since 1970): shown with their ISO-8601 instant.</summary>
    private static readonly HashSet<string> NumericDateClaims = new(StringComparer.Ordinal) { "exp", "iat", "nbf", "auth_time" };

    /// <summary>Escapes characters a terminal would act on.</summary>
    internal static string Safe(string value)
    {
        StringBuilder? text = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsUnsafe(c))
            {
                text ??= new StringBuilder(value, 0, i, value.Length + 16);
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                text?.Append(c);
            }
        }

        return text?.ToString() ?? value;
    }

    /// <summary>One <c>name: value</c> line for a JSON member, indented by <paramref name="indent"/>.</summary>
    internal static string MemberLine(JsonProperty property, string indent) =>
        indent + Safe(property.Name) + ": " + Value(property.Name, property.Value);

    /// <summary>An instant as ISO-8601 UTC with seconds, e.g. <c>2026-04-22T07:59:53Z</c>.</summary>
    internal static string Instant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="element"/> as compact JSON (every string escaped by the writer).</summary>
    internal static string CompactJson(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(json);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Value(string name, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = value.GetString()!;
                return text.Length == 0 ? "\"\"" : Safe(text);
            case JsonValueKind.Number:
                var raw = value.GetRawText();
                if (NumericDateClaims.Contains(name) && value.TryGetInt64(out var seconds)
                    && seconds >= 0 && seconds <= 253402300799)
                {
                    return raw + " (" + Instant(DateTimeOffset.FromUnixTimeSeconds(seconds)) + ")";
                }

                return raw;
            case JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null:
                return value.GetRawText();
            default:
                return CompactJson(value);
        }
    }

    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
