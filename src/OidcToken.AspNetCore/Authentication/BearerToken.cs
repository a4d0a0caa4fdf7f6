using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OidcToken.AspNetCore;

/// <summary>Reads an RFC 6750 bearer token and writes RFC 7235 quoted strings.</summary>
internal static class BearerToken
{
    /// <summary>The token of <c>Authorization: Bearer &lt;token&gt;</c> (scheme case-insensitive); false when there is none.</summary>
    public static bool TryRead(HttpRequest request, [NotNullWhen(true)] out string? token)
    {
        token = null;
        var values = request.Headers.Authorization;
        if (values.Count != 1 || values[0] is not { } header
            || header.Length <= 7 || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var value = header.AsSpan(7).Trim(' ');
        if (value.IsEmpty)
        {
            return false;
        }

        token = value.ToString();
        return true;
    }

    /// <summary>The content of a quoted-string: '"' and '\' escaped, control characters dropped.</summary>
    public static string QuotedStringContent(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (!char.IsControl(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
