using System.Globalization;

namespace OidcToken.Validation;

/// <summary>
/// The issuer (<c>iss</c>) values GitHub Actions uses, for <see cref="GitHubOidcValidationOptions.Issuer"/>.
/// Discovery and the JWKS are always read from the issuer's <c>/.well-known/openid-configuration</c>.
/// </summary>
public static class GitHubIssuers
{
    /// <summary>The issuer of github.com: <c>https://token.actions.githubusercontent.com</c>.</summary>
    public const string GitHubCom = "https://token.actions.githubusercontent.com";

    /// <summary>
    /// The issuer of a github.com enterprise with the "unique issuer" setting on:
    /// <c>https://token.actions.githubusercontent.com/&lt;slug&gt;</c>.
    /// </summary>
    /// <param name="slug">The enterprise slug: letters, digits and '-' only.</param>
    /// <returns>The enterprise issuer.</returns>
    /// <exception cref="ArgumentException"><paramref name="slug"/> is empty or contains other characters.</exception>
    public static string EnterpriseSlug(string slug)
    {
        ArgumentNullException.ThrowIfNull(slug);
        if (!IsSlug(slug))
        {
            throw new ArgumentException(
                $"The enterprise slug '{Shorten(slug)}' is not valid: use the slug from the enterprise's URL (letters, digits and '-').",
                nameof(slug));
        }

        return GitHubCom + "/" + slug;
    }

    /// <summary>The issuer of a GHE.com (data residency) enterprise: <c>https://token.actions.&lt;subdomain&gt;.ghe.com</c>.</summary>
    /// <param name="subdomain">The enterprise's subdomain of ghe.com: letters, digits and '-' only.</param>
    /// <returns>The issuer.</returns>
    /// <exception cref="ArgumentException"><paramref name="subdomain"/> is empty or contains other characters.</exception>
    public static string GheCom(string subdomain)
    {
        ArgumentNullException.ThrowIfNull(subdomain);
        if (!IsSlug(subdomain))
        {
            throw new ArgumentException(
                $"The GHE.com subdomain '{Shorten(subdomain)}' is not valid: use the part before '.ghe.com' (letters, digits and '-').",
                nameof(subdomain));
        }

        return "https://token.actions." + subdomain.ToLowerInvariant() + ".ghe.com";
    }

    /// <summary>The issuer of a GitHub Enterprise Server: <c>https://&lt;host&gt;/_services/token</c>.</summary>
    /// <param name="host">The server's host name, optionally with <c>:port</c>; no scheme or path.</param>
    /// <returns>The issuer.</returns>
    /// <exception cref="ArgumentException"><paramref name="host"/> is not a host name.</exception>
    public static string EnterpriseServer(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (host.Length == 0 || host.Contains('/', StringComparison.Ordinal) || host.Contains('@', StringComparison.Ordinal)
            || !Uri.TryCreate("https://" + host + "/", UriKind.Absolute, out var uri) || uri.Authority.Length == 0
            || !string.Equals(uri.PathAndQuery, "/", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The GitHub Enterprise Server host '{Shorten(host)}' is not valid: give the host name only (for example github.example.com or github.example.com:8443), without scheme or path.",
                nameof(host));
        }

        return "https://" + host.ToLowerInvariant() + "/_services/token";
    }

    /// <summary>
    /// Maps a <c>GITHUB_SERVER_URL</c> value to its issuer: <c>https://github.com</c> gives <see cref="GitHubCom"/>,
    /// <c>https://&lt;sub&gt;.ghe.com</c> gives <see cref="GheCom"/>, any other https URL is taken as a GitHub Enterprise Server.
    /// </summary>
    /// <param name="serverUrl">The server URL, e.g. <c>https://github.com</c>; null or empty means github.com is not assumed.</param>
    /// <returns>The issuer, or null when <paramref name="serverUrl"/> is null, empty, or not an absolute http(s) URL.</returns>
    public static string? FromServerUrl(string? serverUrl)
    {
        if (string.IsNullOrWhiteSpace(serverUrl)
            || !Uri.TryCreate(serverUrl.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.Host.Length == 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }

        var host = uri.Host.ToLowerInvariant();
        if (host == "github.com" || host == "www.github.com")
        {
            return GitHubCom;
        }

        const string GheSuffix = ".ghe.com";
        if (host.EndsWith(GheSuffix, StringComparison.Ordinal))
        {
            var sub = host[..^GheSuffix.Length];
            return IsSlug(sub) ? "https://token.actions." + sub + ".ghe.com" : null;
        }

        var authority = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        return uri.Scheme + "://" + authority.ToLowerInvariant() + "/_services/token";
    }

    internal static bool IsSlug(string value)
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

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
