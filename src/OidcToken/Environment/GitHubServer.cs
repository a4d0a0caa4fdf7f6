namespace OidcToken.RunnerContext;

/// <summary>Derives the OIDC issuer to expect from <c>GITHUB_SERVER_URL</c>, as <c>@actions/attest</c> does.</summary>
internal static class GitHubServer
{
    internal const string GitHubComIssuer = "https://token.actions.githubusercontent.com";

    /// <summary>The kind of GitHub a server URL points at.</summary>
    internal enum Kind
    {
        GitHubCom,
        DataResidency,
        EnterpriseServer,
    }

    /// <summary>Returns the issuer and kind for a server URL, or null when the URL is missing or not absolute.</summary>
    public static (string Issuer, Kind Kind)? GetExpectedIssuer(string? serverUrl)
    {
        if (string.IsNullOrEmpty(serverUrl) || !Uri.TryCreate(serverUrl, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var host = uri.Host.ToLowerInvariant();
        if (host == "github.com")
        {
            return (GitHubComIssuer, Kind.GitHubCom);
        }

        if (host.EndsWith(".ghe.com", StringComparison.Ordinal) && host.Count(c => c == '.') == 2)
        {
            return ("https://token.actions." + host, Kind.DataResidency);
        }

        return ("https://" + uri.Authority + "/_services/token", Kind.EnterpriseServer);
    }
}
