using System.Net;
using System.Net.Sockets;

namespace OidcToken.Rules;

/// <summary>
/// The transport rules every OidcToken package applies, written once: which hosts are loopback, and which URLs may carry a
/// token or credential (https, or plain http only to loopback).
/// </summary>
internal static class UrlRules
{
    /// <summary>
    /// Loopback as OidcToken defines it: an IPv4 literal in 127.0.0.0/8, the IPv6 literal <c>::1</c>, or the name
    /// <c>localhost</c> (any case). Nothing else: not an IPv4-mapped IPv6 address (<c>::ffff:127.0.0.1</c>), not a name that
    /// merely resolves to loopback (<c>localhost.</c>, <c>foo.localhost</c>), whose traffic a resolver could send elsewhere.
    /// </summary>
    public static bool IsLoopbackHost(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            return false;
        }

        // Uri.Host, never Uri.IdnHost: IdnHost throws UriFormatException for a host that is not valid IDN (a lone surrogate,
        // say), and neither an IP literal nor "localhost" needs IDN processing.
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) || address.IsIPv4MappedToIPv6)
            {
                return false;
            }

            return address.AddressFamily == AddressFamily.InterNetwork
                ? address.GetAddressBytes()[0] == 127
                : address.Equals(IPAddress.IPv6Loopback);
        }

        return uri.HostNameType == UriHostNameType.Dns && string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Checks a URL that a token or credential is sent to: absolute, https, or http to a loopback host. Returns the problem in
    /// words (to follow "cannot be used:"), or null with <paramref name="uri"/> set when the URL is usable.
    /// </summary>
    public static string? CheckSecureUrl(string url, out Uri? uri)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out uri) || uri.IsFile || string.IsNullOrEmpty(uri.Host))
        {
            uri = null;
            return "it is not an absolute URL";
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            if (IsLoopbackHost(uri))
            {
                return null;
            }

            uri = null;
            return "it uses plain http to a host that is not loopback (http is accepted only for 127.0.0.0/8, ::1 and localhost)";
        }

        var scheme = uri.Scheme;
        uri = null;
        return "its scheme is '" + scheme + "', not https";
    }
}
