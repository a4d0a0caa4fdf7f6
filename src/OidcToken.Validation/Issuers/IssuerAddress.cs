using System.Text.RegularExpressions;
using OidcToken.Rules;

namespace OidcToken.Validation;

/// <summary>Rules on issuer and key addresses: https, or plain http only for loopback hosts; default-audience shapes.</summary>
internal static partial class IssuerAddress
{
    /// <summary>Returns the problem with an issuer URL, or null when it is acceptable.</summary>
    public static string? Check(string? issuer, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(issuer))
        {
            return "Issuer is empty: set it to GitHubIssuers.GitHubCom or another value from GitHubIssuers.";
        }

        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var parsed) || parsed.Host.Length == 0)
        {
            return $"Issuer '{Text.Quote(issuer)}' is not an absolute URL: use a value from GitHubIssuers, e.g. {GitHubIssuers.GitHubCom}.";
        }

        if (parsed.UserInfo.Length > 0 || parsed.Query.Length > 0 || parsed.Fragment.Length > 0)
        {
            return $"Issuer '{Text.Quote(issuer)}' has user info, a query or a fragment: an issuer is a plain https URL.";
        }

        if (issuer.EndsWith('/'))
        {
            return $"Issuer '{Text.Quote(issuer)}' ends with '/': tokens carry it without one; remove the trailing '/'.";
        }

        if (parsed.Scheme == Uri.UriSchemeHttp)
        {
            if (!UrlRules.IsLoopbackHost(parsed))
            {
                return $"Issuer '{Text.Quote(issuer)}' uses plain http: use https (plain http is accepted only for loopback hosts 127.0.0.0/8, ::1 and localhost).";
            }
        }
        else if (parsed.Scheme != Uri.UriSchemeHttps)
        {
            return $"Issuer '{Text.Quote(issuer)}' is not an https URL: use a value from GitHubIssuers.";
        }

        uri = parsed;
        return null;
    }

    /// <summary>True when <paramref name="address"/> may be fetched for <paramref name="issuer"/>: same host and port, https (or http for a loopback issuer).</summary>
    public static bool IsSameOriginAllowed(Uri address, Uri issuer, out string? problem)
    {
        var schemeOk = address.Scheme == Uri.UriSchemeHttps
            || (address.Scheme == Uri.UriSchemeHttp && issuer.Scheme == Uri.UriSchemeHttp && UrlRules.IsLoopbackHost(issuer));
        if (!schemeOk)
        {
            problem = $"'{Text.Quote(address.GetLeftPart(UriPartial.Path))}' is not https (plain http is accepted only when the issuer itself is a loopback http address)";
            return false;
        }

        if (!string.Equals(address.IdnHost, issuer.IdnHost, StringComparison.OrdinalIgnoreCase) || address.Port != issuer.Port
            || address.UserInfo.Length > 0)
        {
            problem = $"'{Text.Quote(address.GetLeftPart(UriPartial.Path))}' is not on the issuer's host {issuer.Authority}; keys are only fetched from the issuer's own host";
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>True when <paramref name="audience"/> is shaped like the default audience GitHub uses for <paramref name="issuer"/>'s server.</summary>
    public static bool IsDefaultAudienceShape(string audience, Uri? issuer)
    {
        if (GitHubDefaultAudience().IsMatch(audience))
        {
            return true;
        }

        if (issuer is null || !Uri.TryCreate(audience.Trim(), UriKind.Absolute, out var aud) || aud.Query.Length > 0 || aud.Fragment.Length > 0)
        {
            return false;
        }

        var segments = aud.AbsolutePath.Trim('/');
        if (segments.Length == 0 || segments.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        // GitHub Enterprise Server: https://<host>/<owner>, where the issuer is https://<host>/_services/token.
        if (issuer.AbsolutePath.TrimEnd('/').EndsWith("/_services/token", StringComparison.OrdinalIgnoreCase)
            && string.Equals(aud.Authority, issuer.Authority, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // GHE.com: https://<subdomain>.ghe.com/<owner>, where the issuer is https://token.actions.<subdomain>.ghe.com.
        const string Prefix = "token.actions.";
        return issuer.Host.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            && issuer.Host.EndsWith(".ghe.com", StringComparison.OrdinalIgnoreCase)
            && string.Equals(aud.Host, issuer.Host[Prefix.Length..], StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^\s*https?://(www\.)?github\.com/[^/?#]+/?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GitHubDefaultAudience();
}
