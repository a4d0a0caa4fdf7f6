namespace OidcToken.Testing;

/// <summary>Reads a raw query string the way ASP.NET Core does (<c>+</c> is a space, percent escapes are UTF-8).</summary>
internal static class QueryString
{
    public static string? First(string rawQuery, string name)
    {
        var query = rawQuery.StartsWith('?') ? rawQuery[1..] : rawQuery;
        foreach (var pair in query.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(equals < 0 ? pair : pair[..equals]);
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]);
            }
        }

        return null;
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
