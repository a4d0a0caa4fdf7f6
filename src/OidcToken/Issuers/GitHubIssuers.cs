using System.Globalization;
using OidcToken.Rules;

namespace OidcToken;

/// <summary>
/// The issuer (<c>iss</c>) values GitHub Actions uses, and the one rule that maps a GitHub server to its issuer. The token
/// client's diagnosis (<c>oidc-token doctor</c>, <see cref="GitHubOidc.Diagnose()"/>), the validator's runner self-check and the
/// command line all take the issuer from here, so they always name the same one.
/// </summary>
public static class GitHubIssuers
{
    /// <summary>The issuer of github.com: <c>https://token.actions.githubusercontent.com</c>.</summary>
    public const string GitHubCom = "https://token.actions.githubusercontent.com";

    /// <summary>
    /// The variable <c>oidc-token-mock</c> and <c>MockGitHubOidcIssuer</c> set to their own issuer; honoured only when the
    /// runner's request URL and the issuer are both loopback addresses (see <see cref="ForJob"/>).
    /// </summary>
    public const string LocalIssuerVariable = "OIDC_ISSUER";

    private const string GheComSuffix = ".ghe.com";

    /// <summary>The kind of GitHub an issuer belongs to.</summary>
    internal enum Kind
    {
        GitHubCom,
        DataResidency,
        EnterpriseServer,
        LocalMock,
    }

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
        if (!SlugRule.IsSlug(slug))
        {
            throw new ArgumentException(
                $"The enterprise slug '{Shorten(slug)}' is not valid: use the slug from the enterprise's URL (letters, digits and '-').",
                nameof(slug));
        }

        return GitHubCom + "/" + slug;
    }

    /// <summary>The issuer of a GHE.com (data residency) enterprise: <c>https://token.actions.&lt;subdomain&gt;.ghe.com</c>.</summary>
    /// <param name="subdomain">The enterprise's subdomain of ghe.com (the part before <c>.ghe.com</c>; several labels are allowed): letters, digits, '-' and '.' between labels.</param>
    /// <returns>The issuer.</returns>
    /// <exception cref="ArgumentException"><paramref name="subdomain"/> is empty or contains other characters.</exception>
    public static string GheCom(string subdomain)
    {
        ArgumentNullException.ThrowIfNull(subdomain);
        if (!IsSubdomain(subdomain))
        {
            throw new ArgumentException(
                $"The GHE.com subdomain '{Shorten(subdomain)}' is not valid: use the part before '.ghe.com' (letters, digits and '-', labels separated by '.').",
                nameof(subdomain));
        }

        return "https://token.actions." + subdomain.ToLowerInvariant() + GheComSuffix;
    }

    /// <summary>The issuer of a GitHub Enterprise Server reached over https: <c>https://&lt;host&gt;/_services/token</c>.</summary>
    /// <param name="host">The server's host name, optionally with <c>:port</c>; no scheme or path.</param>
    /// <returns>The issuer.</returns>
    /// <exception cref="ArgumentException"><paramref name="host"/> is not a host name.</exception>
    public static string EnterpriseServer(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (!TryParseHost(host, out var uri))
        {
            throw new ArgumentException(
                $"The GitHub Enterprise Server host '{Shorten(host)}' is not valid: give the host name only (for example github.example.com or github.example.com:8443), without scheme or path.",
                nameof(host));
        }

        return ServicesIssuer(uri);
    }

    /// <summary>
    /// Maps a <c>GITHUB_SERVER_URL</c> value to its issuer: <c>https://github.com</c> (and <c>www.github.com</c>) give
    /// <see cref="GitHubCom"/>; <c>https://&lt;sub&gt;.ghe.com</c> gives <see cref="GheCom"/>; any other http(s) URL is taken as a
    /// GitHub Enterprise Server, <c>&lt;scheme&gt;://&lt;host&gt;[:&lt;port&gt;]/_services/token</c>.
    /// </summary>
    /// <param name="serverUrl">The server URL, e.g. <c>https://github.com</c>.</param>
    /// <returns>The issuer, or null when <paramref name="serverUrl"/> is null, empty, or not an absolute http(s) URL.</returns>
    public static string? FromServerUrl(string? serverUrl) => Classify(serverUrl)?.Issuer;

    /// <summary>
    /// The issuer of the tokens this job's runner hands out: from <c>GITHUB_SERVER_URL</c> (github.com when it is unset), or,
    /// when <c>ACTIONS_ID_TOKEN_REQUEST_URL</c> is a loopback address (a local mock such as <c>oidc-token-mock</c>), the
    /// loopback issuer the mock names in <see cref="LocalIssuerVariable"/>.
    /// </summary>
    /// <param name="environment">Reads an environment variable; null reads the process environment.</param>
    /// <returns>The issuer, or null when <c>GITHUB_SERVER_URL</c> is set but is not an http(s) URL.</returns>
    public static string? ForJob(Func<string, string?>? environment = null) => ClassifyJob(environment ?? System.Environment.GetEnvironmentVariable)?.Issuer;

    /// <summary>The issuer and kind for this job's variables (see <see cref="ForJob"/>).</summary>
    internal static (string Issuer, Kind Kind)? ClassifyJob(Func<string, string?> environment)
    {
        if (LocalIssuer(environment(RunnerVariables.RequestUrl), environment(LocalIssuerVariable)) is { } local)
        {
            return (local, Kind.LocalMock);
        }

        var serverUrl = environment("GITHUB_SERVER_URL");
        return string.IsNullOrWhiteSpace(serverUrl) ? (GitHubCom, Kind.GitHubCom) : Classify(serverUrl);
    }

    /// <summary>The issuer and kind for a server URL, or null when it is missing or not an absolute http(s) URL.</summary>
    internal static (string Issuer, Kind Kind)? Classify(string? serverUrl)
    {
        if (string.IsNullOrWhiteSpace(serverUrl)
            || !Uri.TryCreate(serverUrl.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.Host.Length == 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }

        var host = uri.Host.ToLowerInvariant();
        if (host is "github.com" or "www.github.com")
        {
            return (GitHubCom, Kind.GitHubCom);
        }

        if (host.EndsWith(GheComSuffix, StringComparison.Ordinal) && IsSubdomain(host[..^GheComSuffix.Length]))
        {
            return (GheCom(host[..^GheComSuffix.Length]), Kind.DataResidency);
        }

        return (ServicesIssuer(uri), Kind.EnterpriseServer);
    }

    /// <summary>The mock's issuer, when both it and the request URL are loopback addresses; otherwise null.</summary>
    private static string? LocalIssuer(string? requestUrl, string? issuer) =>
        string.IsNullOrWhiteSpace(requestUrl)
        || !Uri.TryCreate(requestUrl.Trim(), UriKind.Absolute, out var request) || !UrlRules.IsLoopbackHost(request)
            ? null
            : LoopbackIssuer(issuer);

    /// <summary>
    /// <paramref name="issuer"/> (a mock's <see cref="LocalIssuerVariable"/>), trimmed, when it is a usable loopback URL;
    /// otherwise null: the one rule for when a mock's issuer is taken from the environment.
    /// </summary>
    internal static string? LoopbackIssuer(string? issuer) =>
        string.IsNullOrWhiteSpace(issuer) || UrlRules.CheckSecureUrl(issuer.Trim(), out var uri) is not null || !UrlRules.IsLoopbackHost(uri!)
            ? null
            : issuer.Trim();

    private static string ServicesIssuer(Uri uri)
    {
        var authority = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        return uri.Scheme + "://" + authority.ToLowerInvariant() + "/_services/token";
    }

    private static bool TryParseHost(string host, out Uri uri)
    {
        uri = null!;
        return host.Length != 0 && !host.Contains('/', StringComparison.Ordinal) && !host.Contains('@', StringComparison.Ordinal)
            && Uri.TryCreate("https://" + host + "/", UriKind.Absolute, out uri!) && uri.Authority.Length != 0
            && uri.HostNameType != UriHostNameType.Unknown
            && string.Equals(uri.PathAndQuery, "/", StringComparison.Ordinal);
    }

    private static bool IsSubdomain(string value) => value.Length != 0 && value.Split('.').All(SlugRule.IsSlug);

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
