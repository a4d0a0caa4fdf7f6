namespace OidcToken.Testing;

/// <summary>
/// GitHub's rule for requested audiences, as its token service applies it: one that mentions <c>github.com</c> anywhere
/// (in any case) is refused unless the text from the first <c>github.com</c> on is the root, the owner
/// (<c>github.com/OWNER</c>, optional <c>/</c>) or the repository (<c>github.com/OWNER/REPO</c>, optional <c>/…</c>).
/// </summary>
internal static class AudiencePolicy
{
    private const string Marker = "github.com";

    public static bool IsAllowed(string audience, string owner, string repository)
    {
        var index = audience.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        if (index < 0)
        {
            return true;
        }

        var rest = audience[(index + Marker.Length)..];
        if (rest.Length == 0 || rest == "/")
        {
            return true;
        }

        var ownerPart = "/" + owner;
        if (rest.Equals(ownerPart, StringComparison.OrdinalIgnoreCase) || rest.Equals(ownerPart + "/", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var repoPart = ownerPart + "/" + repository;
        return rest.Equals(repoPart, StringComparison.OrdinalIgnoreCase)
            || rest.StartsWith(repoPart + "/", StringComparison.OrdinalIgnoreCase);
    }
}
