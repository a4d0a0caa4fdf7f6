using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OidcToken.Testing;

namespace OidcToken.Exchange.Tests.Support;

/// <summary>A mock GitHub issuer and a token source over it that remembers every token it handed out (to prove none leaks).</summary>
internal sealed class IssuerHarness : IDisposable
{
    private readonly GitHubOidcClient _client;
    private readonly ConcurrentQueue<string> _issued = new();

    public IssuerHarness()
    {
        Issuer = MockGitHubOidcIssuer.Start();
        var environment = Issuer.GetEnvironment();
        _client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
            MaskTokens = false,
        });
        var inner = IdTokenSources.FromClient(_client);
        Source = async (audience, cancellationToken) =>
        {
            var token = await inner(audience, cancellationToken);
            _issued.Enqueue(token);
            return token;
        };
    }

    public MockGitHubOidcIssuer Issuer { get; }

    /// <summary>A fresh GitHub token on every call.</summary>
    public IdTokenSource Source { get; }

    public IReadOnlyCollection<string> IssuedTokens => _issued.ToArray();

    public LogCollector Logs { get; } = new();

    /// <summary>Fast retries and captured logs for tests.</summary>
    public T Fast<T>(T options)
        where T : ExchangeOptions
    {
        options.RetryDelay = TimeSpan.FromMilliseconds(5);
        options.LoggerFactory = Logs;
        return options;
    }

    /// <summary>Asserts that no issued GitHub token and none of <paramref name="others"/> appears in <paramref name="text"/>, whole or in part.</summary>
    public void AssertNoSecrets(string text, params string[] others)
    {
        TestSupport.LeakGuard.AssertNoLeak(text, "IssuerHarness.AssertNoSecrets text");
        foreach (var secret in IssuedTokens.Concat(others))
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            foreach (var part in secret.Split('.').Where(p => p.Length >= 16))
            {
                Assert.DoesNotContain(part[..16], text, StringComparison.Ordinal);
            }

            if (secret.Length >= 20)
            {
                Assert.DoesNotContain(secret[^16..], text, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>Asserts the exception's message, ToString and the captured logs hold no secret.</summary>
    public void AssertNoSecrets(Exception exception, params string[] others)
    {
        AssertNoSecrets(exception.Message, others);
        AssertNoSecrets(exception.ToString(), others);
        AssertNoSecrets(Logs.Text, others);
    }

    /// <summary>A loopback URL nothing listens on.</summary>
    public static Uri ClosedPortUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    public void Dispose()
    {
        _client.Dispose();
        Issuer.Dispose();
    }
}

/// <summary>Collects formatted log lines.</summary>
internal sealed class LogCollector : ILoggerFactory, ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Text => string.Join("\n", _lines);

    public IReadOnlyCollection<string> Lines => _lines.ToArray();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{logLevel} {eventId.Id} {formatter(state, exception)} {exception}";
        TestSupport.LeakGuard.CheckLogLine(line, "log line (event " + eventId.Id + ")");
        _lines.Enqueue(line);
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            foreach (var (key, value) in values)
            {
                var property = $"  {key}={value}";
                TestSupport.LeakGuard.CheckLogLine(property, "log property '" + key + "' (event " + eventId.Id + ")");
                _lines.Enqueue(property);
            }
        }
    }

    public void Dispose()
    {
    }
}
