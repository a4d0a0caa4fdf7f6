using OidcToken.Rules;

namespace OidcToken.Exchange.Common;

/// <summary>Checks a target URL a caller supplied: absolute, https (plain http only to loopback), no credentials in it.</summary>
internal static class EndpointRules
{
    /// <summary>Returns the URL, or throws <see cref="ArgumentException"/> naming <paramref name="optionName"/> and the rule it breaks.</summary>
    public static Uri Check(Uri? url, string optionName, string missingMessage)
    {
        if (url is null)
        {
            throw new ArgumentException(missingMessage, optionName);
        }

        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException($"{optionName} must be an absolute URL (https://…).", optionName);
        }

        var problem = UrlRules.CheckSecureUrl(url.OriginalString, out var checkedUrl);
        if (problem is not null)
        {
            throw new ArgumentException(
                $"{optionName} '{Describe(url)}' cannot be used: {problem}. A token or credential is sent there, so it must be https; plain http is accepted only for a loopback test server.",
                optionName);
        }

        if (!string.IsNullOrEmpty(checkedUrl!.UserInfo))
        {
            throw new ArgumentException($"{optionName} must not contain user information (user:password@).", optionName);
        }

        if (!string.IsNullOrEmpty(checkedUrl.Query) || !string.IsNullOrEmpty(checkedUrl.Fragment))
        {
            throw new ArgumentException($"{optionName} must not contain a query or fragment.", optionName);
        }

        return checkedUrl;
    }

    /// <summary>Scheme, host and port only: safe to show.</summary>
    public static string Describe(Uri url) => url.IsAbsoluteUri ? url.Scheme + "://" + url.Authority : "(relative URL)";

    /// <summary>Joins a base URL and a path below it, keeping any path the base already has.</summary>
    public static Uri Combine(Uri baseUrl, string relative)
    {
        var text = baseUrl.GetLeftPart(UriPartial.Path);
        return new Uri(text.TrimEnd('/') + "/" + relative.TrimStart('/'));
    }
}
