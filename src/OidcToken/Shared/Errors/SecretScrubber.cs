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

    /// <summary>Any shared run this long with a known secret is removed, not just the whole secret.</summary>
    internal const int PieceLength = 16;

    public static string Scrub(string text, string? secret, int maxLength = MaxLength)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            text = RedactPieces(text, secret);
        }

        text = JwtLike().Replace(text, Redacted);
        text = TailAfterRedaction().Replace(text, Redacted);
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

    /// <summary>Replaces every run of text that shares a piece of <see cref="PieceLength"/> or more characters with the secret.</summary>
    private static string RedactPieces(string text, string secret)
    {
        if (secret.Length < PieceLength || text.Length < PieceLength)
        {
            return text.Replace(secret, Redacted, StringComparison.Ordinal);
        }

        var pieces = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + PieceLength <= secret.Length; i++)
        {
            pieces.Add(secret.Substring(i, PieceLength));
        }

        var covered = new bool[text.Length];
        var any = false;
        for (var i = 0; i + PieceLength <= text.Length; i++)
        {
            if (pieces.Contains(text.Substring(i, PieceLength)))
            {
                any = true;
                Array.Fill(covered, true, i, PieceLength);
            }
        }

        if (!any)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (!covered[i])
            {
                result.Append(text[i]);
            }
            else if (i == 0 || !covered[i - 1])
            {
                result.Append(Redacted);
            }
        }

        return result.ToString();
    }

    /// <summary>Three base64url segments, the first starting like a JSON header: a JWT or JWS.</summary>
    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]*)?", RegexOptions.CultureInvariant)]
    private static partial Regex JwtLike();

    /// <summary>
    /// The rest of a token split by a few stray characters (an invalid byte decoded as U+FFFD, a quote) right after a
    /// redaction: the part before them was redacted, the part after is still the token's, and may be shorter than
    /// <see cref="LongOpaque"/>'s 40 characters (the end of a JWT's signature, found by the fuzz campaign and the
    /// suite's leak guard).
    /// </summary>
    [GeneratedRegex(@"\[redacted\][^A-Za-z0-9_\-\s]{1,4}[A-Za-z0-9_\-+/=.]{16,}", RegexOptions.CultureInvariant)]
    private static partial Regex TailAfterRedaction();

    /// <summary>An unbroken run of 40+ token characters: opaque bearer tokens and keys.</summary>
    [GeneratedRegex(@"[A-Za-z0-9_\-+/=]{40,}", RegexOptions.CultureInvariant)]
    private static partial Regex LongOpaque();
}
