using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OidcToken.Cli.Requesting;

namespace OidcToken.Cli.Validating;

/// <summary>
/// The red team's scenario, as a real process: HTTP_PROXY names a proxy that answers every discovery and JWKS request with
/// its own key, and the issuer is a loopback address where nothing listens. .NET's environment proxy does not skip loopback
/// on Linux, so a stock handler would take the forged keys and call the forged token valid. OidcToken's handler reaches
/// loopback directly: the keys are unavailable (exit 4) and the proxy sees nothing.
/// </summary>
public sealed class ProxyForgedKeysTests
{
    [Fact]
    public async Task A_proxy_cannot_answer_for_a_loopback_issuer()
    {
        using var key = RSA.Create(2048);
        using var proxy = new ForgingProxy(key);
        var issuer = "http://127.0.0.1:" + ClosedPort();
        var token = Forge(key, issuer);

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { TokenProcessTests.ToolPath, "validate", "--issuer", issuer, "--audience", "forged-audience", "--allow-any-repository", "--format", "json" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy" })
        {
            start.Environment[name] = proxy.Address;
        }

        start.Environment.Remove("NO_PROXY");
        start.Environment.Remove("no_proxy");

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(token);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, proxy.Requests);
        Assert.Equal(4, process.ExitCode);
        using var json = JsonDocument.Parse(await stdout);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal("KeysUnavailable", json.RootElement.GetProperty("kind").GetString());
        Assert.DoesNotContain(token, await stderr, StringComparison.Ordinal);
    }

    private static string Forge(RSA key, string issuer)
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var header = Base64Url.EncodeToString("""{"alg":"RS256","typ":"JWT","kid":"forged"}"""u8);
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $$"""{"iss":"{{issuer}}","aud":"forged-audience","sub":"repo:octo-org/octo-repo:ref:refs/heads/main","iat":{{now}},"nbf":{{now}},"exp":{{now + 300}},"repository":"octo-org/octo-repo","repository_id":"456789","repository_owner":"octo-org","repository_owner_id":"123456","ref":"refs/heads/main"}"""));
        var signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + Base64Url.EncodeToString(signature);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An HTTP proxy that answers every request itself: discovery naming the requested issuer, and a JWKS with its own key.</summary>
    private sealed class ForgingProxy : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly string _jwks;
        private int _requests;

        public ForgingProxy(RSA key)
        {
            var parameters = key.ExportParameters(includePrivateParameters: false);
            _jwks = $$"""{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"forged","n":"{{Base64Url.EncodeToString(parameters.Modulus)}}","e":"{{Base64Url.EncodeToString(parameters.Exponent)}}"}]}""";
            _listener.Start();
            _ = ServeAsync();
        }

        public string Address => "http://127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _requests);
                    var stream = client.GetStream();
                    using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                    var requestLine = await reader.ReadLineAsync(_stop.Token) ?? string.Empty;
                    while (!string.IsNullOrEmpty(await reader.ReadLineAsync(_stop.Token)))
                    {
                    }

                    // Absolute form through a proxy: "GET http://127.0.0.1:port/.well-known/openid-configuration HTTP/1.1".
                    var target = new Uri(requestLine.Split(' ')[1]);
                    var origin = target.GetLeftPart(UriPartial.Authority);
                    var body = target.AbsolutePath.EndsWith("openid-configuration", StringComparison.Ordinal)
                        ? $$"""{"issuer":"{{origin}}","jwks_uri":"{{origin}}/.well-known/jwks"}"""
                        : _jwks;
                    var answer = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(answer), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException or UriFormatException or IndexOutOfRangeException)
            {
                // Stopped, or a request this proxy does not understand.
            }
        }
    }
}
