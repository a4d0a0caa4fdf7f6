using System.Net;
using System.Net.Sockets;
using OidcToken.Http;

namespace OidcToken.Tests.Http;

/// <summary>
/// The one handler every package sends tokens through never hands loopback traffic to a proxy (plain http is allowed
/// there only because it never leaves the machine), yet still uses the proxy for every other host.
/// </summary>
public sealed class ProxyBypassTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::1]")]
    public async Task A_loopback_request_goes_direct_never_through_the_proxy(string host)
    {
        using var proxy = new CountingListener(IPAddress.Loopback, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        using var target = new CountingListener(host == "[::1]" ? IPAddress.IPv6Loopback : IPAddress.Loopback, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        using var client = new HttpClient(SafeHttp.CreateHandler(new WebProxy(proxy.Address)));

        using var response = await client.GetAsync(new Uri($"http://{host}:{target.Port}/token"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, target.Connections);
        Assert.Equal(0, proxy.Connections);
    }

    [Fact]
    public async Task Any_other_host_still_goes_through_the_proxy()
    {
        using var proxy = new CountingListener(IPAddress.Loopback, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        using var client = new HttpClient(SafeHttp.CreateHandler(new WebProxy(proxy.Address)));

        using var response = await client.GetAsync(new Uri("http://oidctoken-proxy-test.invalid/token"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, proxy.Connections);
    }

    [Fact]
    public async Task The_handler_never_follows_a_redirect()
    {
        using var target = new CountingListener(IPAddress.Loopback, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        using var client = new HttpClient(SafeHttp.CreateHandler());
        var requested = new Uri($"http://127.0.0.1:{target.Port}/token");

        using var response = await client.GetAsync(requested);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.True(SafeHttp.ComesFrom(response, requested));
        Assert.False(SafeHttp.ComesFrom(response, new Uri($"http://127.0.0.1:{target.Port}/other")));
    }

    /// <summary>Accepts connections, reads one request head and answers it with a canned response.</summary>
    private sealed class CountingListener : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private int _connections;

        public CountingListener(IPAddress address, string answer)
        {
            _listener = new TcpListener(address, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = AcceptAsync(answer);
        }

        public int Port { get; }

        public Uri Address => new($"http://127.0.0.1:{Port}/");

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task AcceptAsync(string answer)
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    var buffer = new byte[8192];
                    var head = string.Empty;
                    while (!head.Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await socket.ReceiveAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            break;
                        }

                        head += System.Text.Encoding.ASCII.GetString(buffer, 0, read);
                    }

                    await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(answer), _stop.Token);
                    socket.Shutdown(SocketShutdown.Both);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }
}
