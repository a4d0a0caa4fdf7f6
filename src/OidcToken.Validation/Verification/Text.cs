using System.Text;

namespace OidcToken.Validation;

/// <summary>Formats untrusted values for messages: length-capped, control characters escaped.</summary>
internal static class Text
{
    private const int MaxLength = 200;

    public static string Quote(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var needsWork = value.Length > MaxLength;
        foreach (var c in value)
        {
            if (char.IsControl(c) || c == '\'')
            {
                needsWork = true;
                break;
            }
        }

        if (!needsWork)
        {
            return value;
        }

        var builder = new StringBuilder(Math.Min(value.Length, MaxLength) + 16);
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, MaxLength)))
        {
            if (char.IsControl(c))
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

        if (value.Length > MaxLength)
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
