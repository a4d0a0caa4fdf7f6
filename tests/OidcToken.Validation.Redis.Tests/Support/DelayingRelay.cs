using System.Net;
using System.Net.Sockets;

namespace OidcToken.Validation.Redis.Tests.Support;

/// <summary>
/// A loopback TCP relay in front of a server that can hold the server's answers back: while <see cref="AnswerDelay"/> is
/// set, every chunk the server sends waits that long before it reaches the client. A server made slow, for a backend
/// that has no command to make itself slow (Garnet has neither <c>DEBUG SLEEP</c> nor <c>CLIENT PAUSE</c>).
/// </summary>
internal sealed class DelayingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly Lock _lock = new();
    private readonly Task _acceptLoop;
    private long _answerDelayTicks;

    public DelayingRelay(int serverPort)
    {
        _serverPort = serverPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The relay's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>How long each chunk of the server's answers is held; zero passes them straight on.</summary>
    public TimeSpan AnswerDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _answerDelayTicks));
        set => Interlocked.Exchange(ref _answerDelayTicks, value.Ticks);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] pumps;
        lock (_lock)
        {
            pumps = [.. _pumps, _acceptLoop];
        }

        await Task.WhenAll(pumps.Select(p => p.ContinueWith(static _ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_lock)
            {
                _pumps.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using (client)
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _serverPort, _stop.Token);
                var up = PumpAsync(client, server, delayed: false);
                var down = PumpAsync(server, client, delayed: true);
                await Task.WhenAny(up, down);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The relay or one side closed.
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool delayed)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                if (delayed && AnswerDelay > TimeSpan.Zero)
                {
                    await Task.Delay(AnswerDelay, _stop.Token);
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The relay or one side closed.
        }
        finally
        {
            try
            {
                to.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Closed already.
            }
        }
    }
}
