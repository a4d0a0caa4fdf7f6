namespace OidcToken.Rules;

/// <summary>The shape of an enterprise slug, or of one label of a GHE.com subdomain.</summary>
internal static class SlugRule
{
    /// <summary>True for a non-empty run of ASCII letters, digits and '-'.</summary>
    public static bool IsSlug(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
