namespace OidcToken.Testing;

/// <summary>Builds <c>sub</c> with GitHub's default template (<c>repo</c> + context).</summary>
internal static class SubjectBuilder
{
    public static string Build(string owner, string repository, string? environment, string eventName, string gitRef)
    {
        var repo = "repo:" + Encode(owner + "/" + repository);
        if (!string.IsNullOrEmpty(environment))
        {
            return repo + ":environment:" + Encode(environment);
        }

        if (string.Equals(eventName, "pull_request", StringComparison.Ordinal))
        {
            return repo + ":pull_request";
        }

        return repo + ":ref:" + Encode(gitRef);
    }

    /// <summary>GitHub encodes a <c>:</c> inside a value as <c>%3A</c> so the separators stay unambiguous.</summary>
    public static string Encode(string value) => value.Replace(":", "%3A", StringComparison.Ordinal);
}
