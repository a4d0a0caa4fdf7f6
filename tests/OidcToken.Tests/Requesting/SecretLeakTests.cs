using System.Collections;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OidcToken.Testing;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Requesting;

/// <summary>
/// Runs every request failure path and proves that no secret (the request token, any issued token, or any
/// 16-character piece of one) appears in an exception's message, ToString() or Data, a log line, or a
/// serialized IdToken.
/// </summary>
public sealed class SecretLeakTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    public static TheoryData<string> Faults() =>
    [
        "status-400", "status-401", "status-403", "status-404", "status-418", "status-503-echo", "pending", "completed",
        "html", "no-value", "truncated", "oversized", "empty", "chunk", "redirect", "echo-jwt", "slow", "split-jwt",
    ];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task FailurePath_LeaksNoSecret(string name)
    {
        var issued = _issuer.IssueToken("aud");
        var fault = name switch
        {
            "status-400" => MockGitHubOidcIssuer.AudienceRefused(),
            "status-401" => MockHttpTargetFault.Status(401, "bad token " + _issuer.RequestToken),
            "status-403" => MockHttpTargetFault.Status(403, "{\"message\":\"forbidden for " + _issuer.RequestToken + "\"}"),
            "status-404" => MockHttpTargetFault.Status(404, _issuer.RequestToken),
            "status-418" => MockHttpTargetFault.Status(418, "teapot " + issued),
            "status-503-echo" => MockHttpTargetFault.Status(503, "{\"errorMessage\":\"" + issued + "\"}"),
            "pending" => MockGitHubOidcIssuer.JobPending(),
            "completed" => MockGitHubOidcIssuer.JobCompleted(),
            "html" => MockHttpTargetFault.Html(),
            "no-value" => MockGitHubOidcIssuer.JsonWithoutValue(),
            "truncated" => MockHttpTargetFault.TruncatedBody(),
            "oversized" => MockHttpTargetFault.OversizedBody(100_000),
            "empty" => MockHttpTargetFault.EmptyResponse(),
            "chunk" => MockHttpTargetFault.MalformedChunk(),
            "redirect" => MockHttpTargetFault.Redirect(new Uri("http://127.0.0.1:9/next?token=" + _issuer.RequestToken), 302),
            "echo-jwt" => MockHttpTargetFault.Status(500, "upstream said " + issued + " and " + _issuer.RequestToken[..20]),
            "slow" => MockHttpTargetFault.Delay(TimeSpan.FromSeconds(5)),
            // An invalid byte (decoded as U+FFFD) 30 characters before the end: the tail is no JWT and under 40 characters.
            "split-jwt" => MockHttpTargetFault.Status(500, "{\"message\":\"upstream said " + issued[..^30] + "\uFFFD" + issued[^30..] + "\"}"),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        _issuer.FailNextRequests(10, fault);
        using var logs = new FakeLogCollectorProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs.Provider).SetMinimumLevel(LogLevel.Trace));
        using var client = MockClientFactory.Create(_issuer, o =>
        {
            o.LoggerFactory = loggerFactory;
            o.MaxAttempts = 2;
            o.AttemptTimeout = TimeSpan.FromMilliseconds(200);
        });

        var result = await client.TryGetTokenAsync("aud");

        Assert.False(result.Succeeded);
        var error = result.Error;
        var surfaces = new StringBuilder()
            .AppendLine(error.Message)
            .AppendLine(error.ToString())
            .AppendLine(error.HelpLink);
        foreach (DictionaryEntry entry in error.Data)
        {
            surfaces.AppendLine(entry.Key + "=" + entry.Value);
        }

        for (Exception? inner = error.InnerException; inner is not null; inner = inner.InnerException)
        {
            surfaces.AppendLine(inner.Message);
        }

        foreach (var record in logs.Records)
        {
            surfaces.AppendLine(record);
        }

        Assert.NotEmpty(logs.Records);
        LeakAssert.NoSecret(surfaces.ToString(), _issuer.RequestToken, issued);
    }

    [Fact]
    public async Task SuccessPath_LogsAndSerializedTokenLeakNoSecret()
    {
        using var logs = new FakeLogCollectorProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs.Provider).SetMinimumLevel(LogLevel.Trace));
        using var client = MockClientFactory.Create(_issuer, o => o.LoggerFactory = loggerFactory);

        var token = await client.GetTokenAsync("aud");

        var surfaces = string.Join('\n', logs.Records) + token + JsonSerializer.Serialize(token) + client.Diagnose() + client.Diagnose().ToJson();
        Assert.Contains("Received a GitHub ID token for audience 'aud'", surfaces, StringComparison.Ordinal);
        LeakAssert.NoSecret(surfaces, _issuer.RequestToken, token.Reveal());
    }

    /// <summary>Collects formatted log lines (message, state and exception) from every logger.</summary>
    private sealed class FakeLogCollectorProvider : IDisposable
    {
        private readonly FakeLogCollector _collector = new();

        public FakeLogCollectorProvider() => Provider = new FakeLoggerProvider(_collector);

        public FakeLoggerProvider Provider { get; }

        public IEnumerable<string> Records => _collector.GetSnapshot().Select(r =>
            r.Message + " | " + string.Join(";", r.StructuredState?.Select(kv => kv.Key + "=" + kv.Value) ?? []) + " | " + r.Exception);

        public void Dispose() => Provider.Dispose();
    }
}

/// <summary>Asserts that text contains no secret, nor any 16-character piece of one.</summary>
internal static class LeakAssert
{
    public static void NoSecret(string text, params string[] secrets)
    {
        TestSupport.LeakGuard.AssertNoLeak(text, "LeakAssert.NoSecret text");
        foreach (var secret in secrets)
        {
            for (var i = 0; i + 16 <= secret.Length; i++)
            {
                var piece = secret.Substring(i, 16);
                if (piece.Contains('.', StringComparison.Ordinal) || IsPublicJwtPrefix(piece))
                {
                    continue;
                }

                Assert.False(text.Contains(piece, StringComparison.Ordinal), $"secret piece at offset {i} leaked");
            }
        }
    }

    // A JWT's header segment is public metadata shared by many tokens (alg/kid); its signature and payload are not.
    private static bool IsPublicJwtPrefix(string piece) => piece.StartsWith("eyJ", StringComparison.Ordinal);
}
