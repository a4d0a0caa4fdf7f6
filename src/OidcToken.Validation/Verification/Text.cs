using System.Text;

namespace OidcToken.Validation;

/// <summary>
/// Formats untrusted values (a token's <c>kid</c>, <c>alg</c>, claim values) for messages, logs, results and trace tags:
/// capped at 200 characters as shown (escapes included), with every character that could change how an operator reads the line escaped as
/// <c>\uXXXX</c> — control characters (CR, LF, ESC...), the line and paragraph separators U+2028/U+2029, and the
/// bidirectional formatting characters (U+200E/F, U+061C, U+202A–U+202E, U+2066–U+2069), which can make text read
/// in another order than it is written, and the invisible ones (U+200B–U+200D, U+2060, U+FEFF).
/// </summary>
internal static class Text
{
    private const int MaxLength = 200;

    /// <summary>True for a character that <see cref="Quote"/> escapes.</summary>
    internal static bool MustEscape(char c) =>
        char.IsControl(c)
        || c is '\u2028' or '\u2029' or '\u200E' or '\u200F' or '\u061C'
        || c is >= '\u202A' and <= '\u202E'
        || c is >= '\u2066' and <= '\u2069'
        || c is >= '\u200B' and <= '\u200D' or '\u2060' or '\uFEFF';

    public static string Quote(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var needsWork = value.Length > MaxLength;
        foreach (var c in value)
        {
            if (MustEscape(c) || c == '\'')
            {
                needsWork = true;
                break;
            }
        }

        if (!needsWork)
        {
            return value;
        }

        // The cap counts what is shown: an escape is written whole or not at all, so the text before the length note is
        // at most MaxLength characters however many characters needed escaping.
        var builder = new StringBuilder(MaxLength + 24);
        var shown = 0;
        for (; shown < value.Length; shown++)
        {
            var c = value[shown];
            var width = MustEscape(c) ? 6 : c == '\'' ? 2 : 1;
            if (builder.Length + width > MaxLength)
            {
                break;
            }

            if (MustEscape(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (c == '\'')
            {
                builder.Append("\\'");
            }
            else
            {
                builder.Append(c);
            }
        }

        if (shown < value.Length)
        {
            builder.Append("…(").Append(value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(" chars)");
        }

        return builder.ToString();
    }

    public static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";

    public static string Instant(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
