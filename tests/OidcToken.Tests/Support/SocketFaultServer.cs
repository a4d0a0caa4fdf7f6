using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OidcToken.Faults;

/// <summary>
/// A loopback HTTP/1.1 server on <see cref="TcpListener"/> for the network faults WireMock.Net cannot make: a reset in
/// the middle of a body, a connection that is accepted and never answered, a body trickling one byte at a time, and a
/// TLS handshake that fails. Plus the seams for faults that need no server: a closed port
/// (<see cref="ClosedPortAddress"/>) and a DNS failure (<see cref="CreateDnsFailureHandler"/>).
/// </summary>
/// <remarks>
/// <para>
/// Each accepted connection takes the next fault of the script given to <see cref="Start"/>; when the script is used up
/// its last entry repeats. Every answer carries <c>Connection: close</c> and the connection is closed after it, so each
/// HTTP attempt of a client is one connection and one script entry.
/// </para>
/// <para>
/// Shared by the fault tests of several test projects (linked, not copied): internal, so the public API of
/// OidcToken.Testing does not grow. Real sockets, real time: tests using it assert loose bounds only.
/// </para>
/// </remarks>
internal sealed class SocketFaultServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly SocketFault[] _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly ConcurrentQueue<string> _served = new();
    private readonly Task _acceptLoop;
    private int _connections;
    private int _requests;

    private SocketFaultServer(SocketFault[] script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(backlog: 64);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The listening port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri BaseAddress => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/"));

    /// <summary><c>https://127.0.0.1:&lt;port&gt;/</c>: only <see cref="SocketFault.TlsHandshakeFailure"/> makes sense here.</summary>
    public Uri HttpsBaseAddress => new(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{Port}/"));

    /// <summary>How many connections were accepted.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>How many HTTP request heads were read (a TLS fault reads none).</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>The faults applied so far, in order, with the request line when one was read.</summary>
    public IReadOnlyList<string> Served => _served.ToArray();

    /// <summary>Starts listening on 127.0.0.1 with an ephemeral port.</summary>
    /// <param name="script">The fault for each connection in turn; the last repeats. At least one.</param>
    /// <returns>The running server; dispose it to stop and drop every open connection.</returns>
    public static SocketFaultServer Start(params SocketFault[] script)
    {
        ArgumentOutOfRangeException.ThrowIfZero(script.Length);
        return new SocketFaultServer(script);
    }

    /// <summary>
    /// Where a fault-matrix row sends its client: a closed port for <c>refused</c>, <see cref="HttpsBaseAddress"/> for
    /// <c>tls-handshake-failure</c>, else <see cref="BaseAddress"/>.
    /// </summary>
    /// <param name="row">The row's name (see <see cref="SocketFault.ForRow"/>).</param>
    /// <returns>The address, ending in <c>/</c>.</returns>
    public Uri AddressFor(string row) => row switch
    {
        "refused" => ClosedPortAddress(),
        "tls-handshake-failure" => HttpsBaseAddress,
        _ => BaseAddress,
    };

    /// <summary>
    /// Waits (at most 2 s) until <paramref name="done"/> holds, typically a count of this server's. Under load the server
    /// may accept a connection, or read its request, only after the client's attempt timeout has given up on it; the
    /// assertions that follow say whether the count caught up.
    /// </summary>
    /// <param name="done">The condition, e.g. <c>() =&gt; server.RequestCount &gt;= attempts</c>.</param>
    /// <returns>A task that completes when the condition holds or the 2 s are up.</returns>
    public static async Task CatchUpAsync(Func<bool> done)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!done() && waited.Elapsed < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(20);
        }
    }

    /// <summary>A loopback address nothing listens on (a port bound and released at once): connections are refused.</summary>
    /// <param name="scheme"><c>http</c> or <c>https</c>.</param>
    /// <returns>The address, ending in <c>/</c>.</returns>
    public static Uri ClosedPortAddress(string scheme = "http")
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://127.0.0.1:{port}/"));
    }

    /// <summary>
    /// A handler whose every connection fails name resolution, as <see cref="SocketError.HostNotFound"/> (what
    /// <see cref="Dns"/> throws for an unknown name), without any lookup leaving the machine.
    /// </summary>
    /// <param name="onLookup">Called with the host of each connection attempt (to count attempts).</param>
    /// <returns>A redirect-free handler; connections are never pooled.</returns>
    public static SocketsHttpHandler CreateDnsFailureHandler(Action<string>? onLookup = null) =>
        CreateRoutingHandler(context =>
        {
            onLookup?.Invoke(context.DnsEndPoint.Host);
            return null;
        });

    /// <summary>
    /// A handler that decides per connection where it really goes: to the <see cref="IPEndPoint"/> returned, or, when
    /// null is returned, nowhere (a DNS failure, <see cref="SocketError.HostNotFound"/>). Connections are never pooled, so
    /// the route is asked for every request; <see cref="SocketsHttpConnectionContext.InitialRequestMessage"/> is that request.
    /// </summary>
    /// <param name="route">Chooses the endpoint for a connection.</param>
    /// <returns>A redirect-free handler.</returns>
    public static SocketsHttpHandler CreateRoutingHandler(Func<SocketsHttpConnectionContext, IPEndPoint?> route) => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        UseProxy = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            if (route(context) is not { } target)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(target, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>Stops listening and closes every open connection (a waiting or trickling fault ends at once).</summary>
    /// <returns>A task that completes when the accept loop and all connection handlers have stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _open.Keys)
        {
            socket.Dispose();
        }

        await _acceptLoop;
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var handlers = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    break;
                }

                var index = Interlocked.Increment(ref _connections) - 1;
                var fault = _script[Math.Min(index, _script.Length - 1)];
                _open[socket] = 0;
                handlers.Add(HandleAsync(socket, fault));
            }
        }
        finally
        {
            await Task.WhenAll(handlers);
        }
    }

    private async Task HandleAsync(Socket socket, SocketFault fault)
    {
        var token = _stop.Token;
        try
        {
            socket.NoDelay = true;
            if (fault.Kind == SocketFaultKind.TlsHandshakeFailure)
            {
                // Read (some of) the ClientHello, answer with bytes that are no TLS record, and hang up.
                var hello = new byte[1024];
                await socket.ReceiveAsync(hello, SocketFlags.None, token);
                _served.Enqueue(fault.Name);
                await socket.SendAsync(Encoding.ASCII.GetBytes("this is not a TLS server\r\n"), SocketFlags.None, token);
                socket.Shutdown(SocketShutdown.Both);
                return;
            }

            var requestLine = await ReadRequestAsync(socket, token);
            if (requestLine is null)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            _served.Enqueue(fault.Name + " " + requestLine);
            switch (fault.Kind)
            {
                case SocketFaultKind.Respond:
                    await SendAsync(socket, Head(fault.StatusCode, fault.Body.Length, fault), token);
                    await SendAsync(socket, fault.Body, token);
                    socket.Shutdown(SocketShutdown.Send);
                    break;
                case SocketFaultKind.ResetMidBody:
                    await SendAsync(socket, Head(fault.StatusCode, fault.Body.Length, fault), token);
                    await SendAsync(socket, fault.Body.AsMemory(0, fault.BytesBeforeReset), token);

                    // Let the client take the head and the first bytes, then abort: linger 0 makes Close send RST, not FIN.
                    await Task.Delay(100, token);
                    socket.LingerState = new LingerOption(true, 0);
                    break;
                case SocketFaultKind.NeverAnswer:
                    await Task.Delay(Timeout.Infinite, token);
                    break;
                case SocketFaultKind.Trickle:
                    await SendAsync(socket, Head(fault.StatusCode, fault.Body.Length, fault), token);
                    for (var i = 0; i < fault.Body.Length; i++)
                    {
                        await SendAsync(socket, fault.Body.AsMemory(i, 1), token);
                        await Task.Delay(fault.Interval, token);
                    }

                    socket.Shutdown(SocketShutdown.Send);
                    break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client gave up or the server stopped: this connection is over.
        }
        finally
        {
            _open.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    /// <summary>Reads a request head and any Content-Length body; returns the request line, or null when the client left.</summary>
    private static async Task<string?> ReadRequestAsync(Socket socket, CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        var total = 0;
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(buffer.AsSpan(0, total))) < 0)
        {
            if (total == buffer.Length)
            {
                return null;
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, token);
            if (read == 0)
            {
                return null;
            }

            total += read;
        }

        var head = Encoding.ASCII.GetString(buffer, 0, headEnd);
        var lines = head.Split("\r\n");
        var length = 0;
        foreach (var line in lines.Skip(1))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Expect:", StringComparison.OrdinalIgnoreCase) && line.Contains("100-continue", StringComparison.OrdinalIgnoreCase))
            {
                await SendAsync(socket, "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), token);
            }
        }

        var bodyRead = total - (headEnd + 4);
        while (bodyRead < length)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
            if (read == 0)
            {
                return null;
            }

            bodyRead += read;
        }

        return lines[0];
    }

    private static int IndexOfHeadEnd(ReadOnlySpan<byte> data) => data.IndexOf("\r\n\r\n"u8);

    private static byte[] Head(int status, int length, SocketFault fault)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {Reason(status)}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Type: {fault.ContentType}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n");
        if (fault.RetryAfterSeconds is { } seconds)
        {
            head.Append(CultureInfo.InvariantCulture, $"Retry-After: {seconds}\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        return Encoding.ASCII.GetBytes(head.ToString());
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    };

    private static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, token);
            data = data[sent..];
        }
    }
}

/// <summary>What <see cref="SocketFaultServer"/> does with one connection.</summary>
internal enum SocketFaultKind
{
    Respond,
    ResetMidBody,
    NeverAnswer,
    Trickle,
    TlsHandshakeFailure,
}

/// <summary>One connection's behaviour at a <see cref="SocketFaultServer"/>. Immutable.</summary>
internal sealed class SocketFault
{
    private SocketFault(SocketFaultKind kind, string name)
    {
        Kind = kind;
        Name = name;
    }

    public SocketFaultKind Kind { get; }

    public string Name { get; }

    public int StatusCode { get; private init; } = 200;

    public byte[] Body { get; private init; } = [];

    public string ContentType { get; private init; } = "application/json";

    public int? RetryAfterSeconds { get; private init; }

    public int BytesBeforeReset { get; private init; }

    public TimeSpan Interval { get; private init; }

    /// <summary>A normal answer (then the connection is closed).</summary>
    public static SocketFault Respond(int status, string body = "", string contentType = "application/json", int? retryAfterSeconds = null) =>
        new(SocketFaultKind.Respond, string.Create(CultureInfo.InvariantCulture, $"Respond({status})"))
        {
            StatusCode = status,
            Body = Encoding.UTF8.GetBytes(body),
            ContentType = contentType,
            RetryAfterSeconds = retryAfterSeconds,
        };

    /// <summary>Sends the head (with the full Content-Length) and <paramref name="bytesBeforeReset"/> bytes of the body, then resets (RST).</summary>
    public static SocketFault ResetMidBody(string body, int? bytesBeforeReset = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes.Length, 2, nameof(body));
        return new(SocketFaultKind.ResetMidBody, "ResetMidBody")
        {
            Body = bytes,
            BytesBeforeReset = bytesBeforeReset ?? bytes.Length / 2,
        };
    }

    /// <summary>Reads the request and never answers; the connection stays open until the client leaves or the server stops.</summary>
    public static SocketFault NeverAnswer() => new(SocketFaultKind.NeverAnswer, "NeverAnswer");

    /// <summary>Sends the head at once, then the body one byte per <paramref name="interval"/> (default one second).</summary>
    public static SocketFault Trickle(string body, TimeSpan? interval = null) =>
        new(SocketFaultKind.Trickle, "Trickle")
        {
            Body = Encoding.UTF8.GetBytes(body),
            Interval = interval ?? TimeSpan.FromSeconds(1),
        };

    /// <summary>Answers the TLS ClientHello with bytes that are no TLS record and hangs up: the handshake fails.</summary>
    public static SocketFault TlsHandshakeFailure() => new(SocketFaultKind.TlsHandshakeFailure, "TlsHandshakeFailure");

    /// <summary>
    /// The fault of a fault-matrix row, by the row names every matrix shares: <c>reset-mid-body</c> and <c>trickle</c>
    /// (of <paramref name="goodBody"/>), <c>tls-handshake-failure</c>, <c>429 storm with Retry-After…</c> (1 s) and
    /// <c>429 storm without Retry-After</c> (<paramref name="tooManyRequestsBody"/>), <c>NNN storm…</c> (status NNN, an
    /// HTML page as a proxy sends), and anything else (<c>refused</c>, <c>never-answers</c>) a server that never answers.
    /// </summary>
    /// <param name="row">The row's name.</param>
    /// <param name="goodBody">The target's well-formed answer, cut or trickled.</param>
    /// <param name="tooManyRequestsBody">The 429 body; default a short HTML page.</param>
    /// <param name="tooManyRequestsContentType">Its content type.</param>
    /// <returns>The fault for every connection of the row.</returns>
    public static SocketFault ForRow(string row, string goodBody, string tooManyRequestsBody = "<html>slow down</html>", string tooManyRequestsContentType = "text/html") => row switch
    {
        "reset-mid-body" => ResetMidBody(goodBody),
        "trickle" => Trickle(goodBody),
        "tls-handshake-failure" => TlsHandshakeFailure(),
        _ when row.StartsWith("429 storm without Retry-After", StringComparison.Ordinal) => Respond(429, tooManyRequestsBody, tooManyRequestsContentType),
        _ when row.StartsWith("429 storm with Retry-After", StringComparison.Ordinal) => Respond(429, tooManyRequestsBody, tooManyRequestsContentType, retryAfterSeconds: 1),
        _ when row.Length > 4 && row[3] == ' ' && row.Contains("storm", StringComparison.Ordinal) =>
            Respond(int.Parse(row[..3], CultureInfo.InvariantCulture), "<html><body>upstream error</body></html>", "text/html"),
        _ => NeverAnswer(),
    };

    /// <summary>
    /// The script of a recovery row: <paramref name="failures"/> connections with the row's temporary fault, then
    /// <paramref name="goodBody"/> with 200. Row names: <c>429 with Retry-After 1 s…</c>, <c>429 without Retry-After…</c>
    /// (<paramref name="tooManyRequestsBody"/>), <c>connection reset…</c> (after one byte of the good body),
    /// <c>never-answers…</c>, and <c>NNN …</c> (status NNN, an HTML page as a proxy sends).
    /// </summary>
    /// <param name="row">The row's name.</param>
    /// <param name="failures">How many connections fail before the good answer.</param>
    /// <param name="goodBody">The target's well-formed answer.</param>
    /// <param name="tooManyRequestsBody">The 429 body (JSON).</param>
    /// <returns>The script for <see cref="SocketFaultServer.Start"/>.</returns>
    public static SocketFault[] RecoveryScript(string row, int failures, string goodBody, string tooManyRequestsBody)
    {
        var fault = row switch
        {
            _ when row.StartsWith("429 with Retry-After 1 s", StringComparison.Ordinal) => Respond(429, tooManyRequestsBody, retryAfterSeconds: 1),
            _ when row.StartsWith("429 without Retry-After", StringComparison.Ordinal) => Respond(429, tooManyRequestsBody),
            _ when row.StartsWith("connection reset", StringComparison.Ordinal) => ResetMidBody(goodBody, 1),
            _ when row.StartsWith("never-answers", StringComparison.Ordinal) => NeverAnswer(),
            _ => Respond(int.Parse(row[..3], CultureInfo.InvariantCulture), "<html>upstream error</html>", "text/html"),
        };
        return [.. Enumerable.Repeat(fault, failures), Respond(200, goodBody)];
    }

    /// <summary>The fault's name, for test output.</summary>
    public override string ToString() => Name;
}
