// Fuzz: the runner's environment is outside input. With random ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN, GITHUB_SERVER_URL,
// GITHUB_EVENT_NAME and the other variables the client reads, and random JSON (or random paths) at GITHUB_EVENT_PATH:
//   - Diagnose() never throws and always says something;
//   - GetTokenAsync returns a token or throws OidcTokenException (ArgumentException only for a white-space audience,
//     a caller bug), within the bound, and never echoes the request token.
// Requests only ever reach the mock issuer: the client's HttpClient refuses every other destination (loopback only).
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property; defaults here 300–500) and OIDCTOKEN_FUZZ_SEED (replay) —
// see tests/Shared/Fuzz/FuzzSettings.cs and docs/TESTING.md. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=50000 dotnet test tests/OidcToken.Tests -c Release --filter "FullyQualifiedName~.Fuzz.EnvironmentFuzz"
using System.Globalization;
using System.Text;
using CsCheck;
using OidcToken.Fuzzing;
using OidcToken.RunnerContext;
using OidcToken.Testing;

namespace OidcToken.Tests.Fuzz;

public sealed class EnvironmentFuzz : IDisposable
{
    private static readonly string[] Variables =
    [
        "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "GITHUB_SERVER_URL", "GITHUB_EVENT_NAME", "GITHUB_ACTIONS",
        "ACT", "RUNNER_ENVIRONMENT", "GITHUB_REPOSITORY", "GITHUB_ACTOR", "GITHUB_WORKFLOW_REF", "container", "KUBERNETES_SERVICE_HOST",
    ];

    private static readonly string[] EventNames =
    [
        "pull_request", "pull_request_review", "pull_request_review_comment", "pull_request_target", "push", "", "PULL_REQUEST", "pull_request\0",
    ];

    private const string EventTemplate =
        "{\"action\":\"opened\",\"number\":1,\"pull_request\":{\"head\":{\"ref\":\"f\",\"repo\":{\"full_name\":\"fork/octo-repo\",\"fork\":true}},"
        + "\"base\":{\"ref\":\"main\",\"repo\":{\"full_name\":\"octo-org/octo-repo\",\"fork\":false}}},\"repository\":{\"full_name\":\"octo-org/octo-repo\"}}";

    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();
    private readonly string _directory = Directory.CreateTempSubdirectory("oidctoken-envfuzz-").FullName;

    public void Dispose()
    {
        _issuer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A random environment: the mock's real one with some variables removed, emptied or replaced by hostile values.</summary>
    private sealed record Case(string Description, Dictionary<string, string> Variables, string? Audience)
    {
        public override string ToString() => Description;
    }

    private Case NewCase(int seed)
    {
        var random = new Random(seed);
        var variables = new Dictionary<string, string>(_issuer.GetEnvironment(), StringComparer.Ordinal);
        var log = new StringBuilder("seed " + seed.ToString(CultureInfo.InvariantCulture) + ":");
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var name = Variables[random.Next(Variables.Length)];
            var value = name switch
            {
                "ACTIONS_ID_TOKEN_REQUEST_URL" or "GITHUB_SERVER_URL" => HostileUrl(random, variables.GetValueOrDefault(name) ?? _issuer.RequestUrl.OriginalString),
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN" => HostileToken(random),
                "GITHUB_EVENT_NAME" => EventNames[random.Next(EventNames.Length)],
                _ => random.Next(3) == 0 ? null : FuzzKit.RandomText(random, 60),
            };
            if (value is null)
            {
                variables.Remove(name);
            }
            else
            {
                variables[name] = value;
            }

            // The request token is a registered secret: never in a case description (CsCheck prints failing cases).
            var shown = value?.Replace(_issuer.RequestToken, "<request token>", StringComparison.Ordinal);
            log.Append(' ').Append(name).Append('=').Append(shown is null ? "(unset)" : FuzzKit.JsonString(FuzzKit.Shorten(shown, 60)));
        }

        string? audience = random.Next(6) switch
        {
            0 => null,
            1 => string.Empty,
            2 => FuzzKit.RandomText(random, 40),
            3 => " \t",
            _ => "fuzz-audience",
        };
        log.Append(" audience=").Append(audience is null ? "null" : FuzzKit.JsonString(audience));
        return new Case(log.ToString(), variables, audience);
    }

    private static string HostileUrl(Random random, string real)
    {
        var rest = Uri.TryCreate(real, UriKind.Absolute, out var uri) ? uri.PathAndQuery : "/";
        var port = uri?.Port.ToString(CultureInfo.InvariantCulture) ?? "1";
        string[] hosts = ["127.0.0.1", "[::1]", "localhost", "LOCALHOST", "localhost.", "127.1", "0x7f.0.0.1", "2130706433", "[::ffff:127.0.0.1]", "0.0.0.0", "[::]", "user:pass@127.0.0.1", "127.0.0.1%00", "xn--", "ex ample", "-"];
        string[] schemes = ["http", "https", "HTTP", "ftp", "file", "javascript", "ws", "", "http:", "http:/"];
        string[] ports = ["", ":" + port, ":0", ":65535", ":65536", ":-1", ":99999999999", ":", ":8o"];
        return random.Next(9) switch
        {
            0 => FuzzKit.RandomText(random, 200),
            1 => schemes[random.Next(schemes.Length)] + "://" + hosts[random.Next(hosts.Length)] + ports[random.Next(ports.Length)] + rest,
            2 => real + (random.Next(2) == 0 ? "#" : "&") + FuzzKit.RandomText(random, 30),
            3 => real.Insert(random.Next(real.Length + 1), new[] { "\r\n", "\0", " ", "%", "%zz", "?", "#", "\\", "@", "\u00e9", "\ud800" }[random.Next(11)]),
            4 => real + new string('a', random.Next(1, 70_000)),
            5 => real[..random.Next(real.Length)],
            6 => real.Replace("?api-version=2.0", string.Empty, StringComparison.Ordinal),
            7 => "https://127.0.0.1:1" + rest,
            _ => real,
        };
    }

    private string HostileToken(Random random) => random.Next(6) switch
    {
        0 => FuzzKit.RandomText(random, 100),
        1 => _issuer.RequestToken + "\r\nX-Injected: 1",
        2 => " " + _issuer.RequestToken + " ",
        3 => new string('t', random.Next(1, 70_000)),
        4 => "\u00e9\u00e8" + _issuer.RequestToken,
        _ => _issuer.RequestToken,
    };

    private HttpClient LoopbackOnly() => new(new MockOnlyHandler(_issuer.BaseAddress));

    [Fact]
    public async Task Hostile_environment_values_give_a_diagnosis_and_a_token_or_a_documented_error()
    {
        using var http = LoopbackOnly();
        await Gen.Int.Select(NewCase).SampleAsync(
            async c =>
            {
                using var client = new GitHubOidcClient(new GitHubOidcClientOptions
                {
                    EnvironmentVariables = name => c.Variables.TryGetValue(name, out var value) ? value : null,
                    HttpClient = http,
                    MaskTokens = false,
                    MaxAttempts = 1,
                    FileExists = static _ => false,
                });
                var report = client.Diagnose();
                Assert.False(string.IsNullOrWhiteSpace(report.Message), "Diagnose() said nothing for " + c);
                _ = report.ToString();
                _ = report.ToJson();

                var error = await FuzzKit.Bounded(() => client.GetTokenAsync(c.Audience), c);
                if (error is ArgumentException argument && c.Audience is { Length: > 0 } audience && string.IsNullOrWhiteSpace(audience))
                {
                    Assert.Equal("audience", argument.ParamName);
                    return;
                }

                var documented = FuzzKit.AssertDocumented(error, c);
                if (documented is not null && c.Variables.GetValueOrDefault("ACTIONS_ID_TOKEN_REQUEST_TOKEN") is { Length: >= 16 } requestToken)
                {
                    Assert.DoesNotContain(requestToken, documented.ToString(), StringComparison.Ordinal);
                }
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(500));
    }

    [Fact]
    public async Task Hostile_event_payload_files_never_break_the_diagnosis()
    {
        var counter = 0;
        await HostileJson.Cases(EventTemplate).Select(Gen.Int[0, 9], Gen.Int[0, EventNames.Length - 1], (c, pathKind, eventIndex) => (c, pathKind, eventIndex)).SampleAsync(
            async input =>
            {
                var (c, pathKind, eventIndex) = input;
                var path = Path.Combine(_directory, "event-" + Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture) + ".json");
                string eventPath;
                switch (pathKind)
                {
                    case 0:
                        eventPath = Path.Combine(_directory, "missing.json");
                        break;
                    case 1:
                        eventPath = _directory;
                        break;
                    case 2:
                        eventPath = "relative/" + c.Text;
                        break;
                    case 3:
                        eventPath = path + "\0";
                        break;
                    case 4:
                        await File.WriteAllBytesAsync(path, [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(c.Text)]);
                        eventPath = path;
                        break;
                    case 5:
                        // Invalid UTF-8 spliced in.
                        await File.WriteAllBytesAsync(path, [.. Encoding.UTF8.GetBytes(c.Text), 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xFF]);
                        eventPath = path;
                        break;
                    default:
                        await File.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(c.Text));
                        eventPath = path;
                        break;
                }

                var variables = new Dictionary<string, string>(_issuer.GetEnvironment(), StringComparer.Ordinal)
                {
                    ["GITHUB_EVENT_NAME"] = EventNames[eventIndex],
                    ["GITHUB_EVENT_PATH"] = eventPath,
                };
                var what = $"{c} at path kind {pathKind}, event {FuzzKit.JsonString(EventNames[eventIndex])}";
                var error = await FuzzKit.Bounded(
                    () =>
                    {
                        _ = RunnerEnvironment.Read(name => variables.GetValueOrDefault(name), static _ => false);
                        using var client = new GitHubOidcClient(new GitHubOidcClientOptions
                        {
                            EnvironmentVariables = name => variables.GetValueOrDefault(name),
                            FileExists = static _ => false,
                            MaskTokens = false,
                        });
                        var report = client.Diagnose();
                        Assert.False(string.IsNullOrWhiteSpace(report.Message));
                        return Task.CompletedTask;
                    },
                    what);
                Assert.True(error is null, $"reading the event file threw for {what}:\n{error}");
                File.Delete(path);
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(300),
            threads: 1);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("/proc/self/status")]
    [InlineData("/dev/null")]
    public async Task Event_paths_naming_devices_or_pseudo_files_end_promptly(string device)
    {
        // Found by this campaign: these report a length of 0, so the 32 MiB size check passed and /dev/zero was read
        // without end (2 GiB in 3 s). Now the read itself stops at the cap.
        if (!File.Exists(device))
        {
            return;
        }

        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_EVENT_NAME"] = "pull_request",
            ["GITHUB_EVENT_PATH"] = device,
        };
        var error = await FuzzKit.Bounded(
            () => Task.Run(() => RunnerEnvironment.Read(name => variables.GetValueOrDefault(name), static _ => false)),
            device);
        Assert.Null(error);
    }

    [Fact]
    public async Task An_event_path_naming_a_fifo_with_no_writer_ends_promptly()
    {
        // Found by this campaign: opening a FIFO nobody writes to blocks for ever, and the diagnosis (which reads the event
        // file for the fork hint) hung with it. A FIFO reports a length of 0 and is no longer opened.
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var folder = Directory.CreateTempSubdirectory("oidctoken-fifo-");
        try
        {
            var fifo = Path.Combine(folder.FullName, "event.json");
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            {
                await mkfifo.WaitForExitAsync();
                Assert.Equal(0, mkfifo.ExitCode);
            }

            var variables = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["GITHUB_ACTIONS"] = "true",
                ["GITHUB_EVENT_NAME"] = "pull_request",
                ["GITHUB_EVENT_PATH"] = fifo,
            };
            var error = await FuzzKit.Bounded(
                () => Task.Run(() => RunnerEnvironment.Read(name => variables.GetValueOrDefault(name), static _ => false)),
                "a FIFO as the event file");
            Assert.Null(error);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_request_token_with_a_new_line_is_refused_before_any_request()
    {
        // Found by this campaign: the HTTP stack threw FormatException for the header, which escaped the shared request and
        // left every caller waiting for ever. Now the diagnosis refuses the value, and no request is made.
        var variables = new Dictionary<string, string>(_issuer.GetEnvironment(), StringComparer.Ordinal)
        {
            ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = _issuer.RequestToken + "\r\nX-Injected: 1",
        };
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = name => variables.GetValueOrDefault(name),
            MaskTokens = false,
            FileExists = static _ => false,
        });

        Assert.Equal(OidcTokenErrorCode.RequestTokenMissing, client.Diagnose().ErrorCode);
        var error = await FuzzKit.Bounded(() => client.GetTokenAsync("fuzz-audience"), "CR LF in the request token");
        Assert.Equal(OidcTokenErrorCode.RequestTokenMissing, Assert.IsType<OidcTokenException>(error).ErrorCode);
        Assert.Equal(0, _issuer.TokenRequestCount);
    }

    /// <summary>Sends only to the mock issuer; any other destination fails as a network error would, without leaving the process.</summary>
    private sealed class MockOnlyHandler(Uri mock) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is not { } uri || uri.Scheme != Uri.UriSchemeHttp || uri.Host != mock.Host || uri.Port != mock.Port)
            {
                throw new HttpRequestException("refused by the fuzz harness: only the mock issuer may be reached");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
