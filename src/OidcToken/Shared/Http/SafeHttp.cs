using System.Net;

namespace OidcToken.Http;

/// <summary>
/// The one primary handler every OidcToken package sends tokens and credentials through, and the response rule that goes
/// with it: redirects are never followed, loopback traffic never goes through a proxy, and a response that does not come
/// from the address requested is refused.
/// </summary>
internal static class SafeHttp
{
    /// <summary>
    /// A handler with redirects off, bounded connection reuse and headers, no cookie jar, and the environment's proxy for
    /// every host except loopback ones (an IP literal in 127.0.0.0/8, <c>::1</c>, <c>localhost</c>), which are always reached
    /// directly: plain http is allowed to them only because it never leaves the machine.
    /// </summary>
    /// <param name="proxy">The proxy for other hosts; null uses <see cref="HttpClient.DefaultProxy"/> (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).</param>
    public static SocketsHttpHandler CreateHandler(IWebProxy? proxy = null) => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        MaxResponseHeadersLength = 64,
        UseCookies = false,
        UseProxy = true,
        Proxy = new LoopbackBypassProxy(proxy ?? HttpClient.DefaultProxy),
    };

    /// <summary>
    /// True when the response answers the address requested. False when something between (a caller's handler that follows
    /// redirects, say) fetched it from elsewhere: such an answer is refused, never read.
    /// </summary>
    public static bool ComesFrom(HttpResponseMessage response, Uri requested) =>
        response.RequestMessage?.RequestUri is not { } final || final == requested;

    /// <summary>Wraps a proxy so that loopback destinations always bypass it.</summary>
    private sealed class LoopbackBypassProxy(IWebProxy inner) : IWebProxy
    {
        public ICredentials? Credentials
        {
            get => inner.Credentials;
            set => inner.Credentials = value;
        }

        public Uri? GetProxy(Uri destination) => Rules.UrlRules.IsLoopbackHost(destination) ? null : inner.GetProxy(destination);

        public bool IsBypassed(Uri host) => Rules.UrlRules.IsLoopbackHost(host) || inner.IsBypassed(host);
    }
}
