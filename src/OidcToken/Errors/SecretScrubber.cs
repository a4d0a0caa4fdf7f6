using System.Text;
using System.Text.RegularExpressions;

namespace OidcToken.Errors;

/// <summary>
/// Makes server text safe to show: removes known secrets and anything shaped like a JWT, drops control
/// characters and caps the length.
/// </summary>
internal static partial class SecretScrubber
{
    internal const int MaxLength = 512;
    internal const string Redacted = "[redacted]";

    public static string Scrub(string text, string? secret, int maxLength = MaxLength)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            text = text.Replace(secret, Redacted, StringComparison.Ordinal);
        }

        text = JwtLike().Replace(text, Redacted);
        text = LongOpaque().Replace(text, Redacted);

        var clean = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        foreach (var c in text)
        {
            if (clean.Length > maxLength)
            {
                break;
            }

            clean.Append(char.IsControl(c) ? ' ' : c);
        }

        var result = clean.ToString().Trim();
        return result.Length > maxLength ? result[..maxLength] + "…" : result;
    }

    /// <summary>Three base64url segments, the first starting like a JSON header: a JWT or JWS.</summary>
    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]*)?", RegexOptions.CultureInvariant)]
    private static partial Regex JwtLike();

    /// <summary>An unbroken run of 40+ token characters: opaque bearer tokens and keys.</summary>
    [GeneratedRegex(@"[A-Za-z0-9_\-+/=]{40,}", RegexOptions.CultureInvariant)]
    private static partial Regex LongOpaque();
}
