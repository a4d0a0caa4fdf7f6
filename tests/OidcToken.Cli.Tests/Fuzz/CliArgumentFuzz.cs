// Fuzz: the command line is outside input. Random argv — every subcommand (and unknown ones), every option name (and
// unknown ones, '--', '-', '@file'), values that are hostile text, numbers, dates, URLs, file paths (missing, a
// directory, /dev/null, files of hostile JSON) and JWT-shaped text — with stdin of hostile text, in an empty
// environment or the mock issuer's, run in-process through OidcTokenCommand (CliRun):
//   - the exit code is a documented one (0, 2–7): never 1, the internal-error code that only the top-level catch-all
//     returns, and never an unhandled exception;
//   - every run ends within the bound.
// Loopback only: 'exchange' always gets --endpoint on the mock issuer (its own --endpoint values are loopback or not
// URLs), 'validate' always gets --jwks FILE (offline: no discovery), and the only request URL is the mock issuer's.
//
// A second property aims past the parser: decode and validate (offline, --jwks) with GitHub-shaped payloads made hostile
// and hostile JWKS files (HostileJson mutations of the mock's real JWKS).
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property; default 300–400 here) and OIDCTOKEN_FUZZ_SEED (replay) —
// see tests/Shared/Fuzz/FuzzSettings.cs and docs/TESTING.md. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=20000 dotnet test tests/OidcToken.Cli.Tests -c Release --filter "FullyQualifiedName~.Fuzz."
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using CsCheck;
using OidcToken.Fuzzing;
using OidcToken.Testing;

namespace OidcToken.Cli.Fuzz;

public sealed class CliArgumentFuzz : IDisposable
{
    private static readonly int[] DocumentedExitCodes =
        [ExitCodes.Success, ExitCodes.UsageError, ExitCodes.TokenUnavailable, ExitCodes.RequestFailed, ExitCodes.UnusableResponse, ExitCodes.TokenInvalid, ExitCodes.ExchangeRefused];

    private static readonly string[] Targets = ["aws", "azure", "gcp", "vault", "nuget", "pypi", "npm", "crates", "AWS", "s3", ""];

    private static readonly string[] OptionNames =
    [
        "--audience", "--format", "--timeout", "--probe", "--token", "--endpoint", "--ca-file", "--namespace", "--path", "--role", "--package", "--user",
        "--region", "--role-arn", "--session-name", "--duration", "--client-id", "--scope", "--tenant-id", "--service-account",
        "--workload-identity-provider", "--allow-any-repository", "--allow-default-audience", "--at", "--clock-skew", "--deny-event",
        "--enterprise", "--environment", "--event", "--ghes-host", "--issuer", "--job-workflow-ref", "--max-age", "--owner", "--owner-id",
        "--ref", "--ref-protected", "--repository", "--repository-id", "--runner-environment", "--sub",
        "--help", "-h", "-?", "--version", "--", "-", "--unknown", "-x", "--format=json", "--audience=", "@args.rsp", "--AUDIENCE",
    ];

    private static readonly string[] Values =
    [
        "", " ", "-", "--", "0", "-1", "1.5", "NaN", "Infinity", "1e309", "99999999999999999999", "2147483648", "-0",
        "json", "env", "github-env", "text", "JSON", "yaml",
        "2026-04-22T07:52:00Z", "yesterday", "9999-12-31T23:59:59Z", "0001-01-01", "2026-02-30T25:00:00Z",
        "http://127.0.0.1:1/", "https://127.0.0.1:1/", "http://[::1]:1/", "ftp://127.0.0.1/", "file:///etc/passwd", "http://", "not a url", "http://127.0.0.1:99999/",
        "/dev/null", "/nonexistent/x.json", "/", "repo:octo-org/*", "repo:**", "*", "octo-org/octo-repo", "refs/heads/main", "@scope/name", "@",
        "arn:aws:iam::123456789012:role/x", "arn:aws:iam::1:role/", "us-east-1", "cn-north-1", "mars-1", "\0", "\u202e", "\ud800", "a\r\nb", "$(id)", "`id`", "%s%n",
    ];

    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();
    private readonly string _directory = Directory.CreateTempSubdirectory("oidctoken-clifuzz-").FullName;
    private readonly string _jwksFile;
    private readonly string[] _files;

    public CliArgumentFuzz()
    {
        _jwksFile = Path.Combine(_directory, "jwks.json");
        using (var http = new HttpClient())
        {
            File.WriteAllText(_jwksFile, http.GetStringAsync(new Uri(_issuer.BaseAddress, ".well-known/jwks")).GetAwaiter().GetResult());
        }

        var hostile = Path.Combine(_directory, "hostile.json");
        File.WriteAllText(hostile, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":1,\"n\":[],\"e\":\"\\ud800\"}]}");
        var deep = Path.Combine(_directory, "deep.json");
        File.WriteAllText(deep, new string('[', 100_000));
        var binary = Path.Combine(_directory, "binary.pem");
        File.WriteAllBytes(binary, [0xFF, 0xFE, 0x00, 0x2D, 0x2D, 0x2D, 0x2D, 0x2D, 0xC0, 0xAF]);
        var pem = Path.Combine(_directory, "bad.pem");
        File.WriteAllText(pem, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        _files = [_jwksFile, hostile, deep, binary, pem, _directory, "/dev/null", Path.Combine(_directory, "missing.json")];
    }

    public void Dispose()
    {
        _issuer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// A JWT-shaped text no issuer registered, sometimes broken. Unique per call: given as --audience in the mock
    /// environment it becomes a claim of a token the mock mints (a registered secret), and a later run that merely echoes
    /// the same text in a usage error would otherwise be reported by the leak guard.
    /// </summary>
    private static string FakeJwt(Random random)
    {
        var header = "{ \"alg\": \"" + (random.Next(3) == 0 ? "none" : "RS256") + "\", \"kid\": \"fuzz\" }";
        var payload = random.Next(3) == 0
            ? FuzzKit.RandomText(random, 80)
            // Spaced JSON and values of its own: no 12-byte run in common with the mock's compact tokens, whose every
            // 16-character base64url piece the leak guard watches for.
            : "{ \"iss\": \"https://fuzz.invalid\", \"aud\": \"x\", \"sub\": \"fuzz:o/r\", \"exp\": " + random.Next() + ", \"iat\": 1, \"jti\": \"" + Guid.NewGuid().ToString("N") + "\" }";
        var token = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + ".c2lnbmF0dXJl";
        return random.Next(4) switch
        {
            0 => token[..random.Next(token.Length)],
            1 => token + "." + token,
            _ => token,
        };
    }

    internal sealed record Case(string[] Args, string Stdin, bool MockEnvironment)
    {
        public override string ToString() =>
            "argv [" + string.Join(", ", Args.Select(a => FuzzKit.JsonString(FuzzKit.Shorten(a, 400)))) + "], stdin " + FuzzKit.JsonString(FuzzKit.Shorten(Stdin, 60))
            + (MockEnvironment ? ", mock environment" : ", empty environment");
    }

    private Case NewCase(int seed)
    {
        var random = new Random(seed);
        var args = new List<string>();
        var command = random.Next(10);
        switch (command)
        {
            case 0:
                args.Add("token");
                break;
            case 1:
                args.Add("doctor");
                break;
            case 2:
                args.Add("decode");
                break;
            case 3:
                // Offline keys first, so no run of 'validate' ever fetches discovery.
                args.AddRange(["validate", "--jwks", _jwksFile]);
                break;
            case 4:
            case 5:
                args.AddRange(["exchange", Targets[random.Next(Targets.Length)], "--endpoint", _issuer.BaseAddress.AbsoluteUri]);
                break;
            case 6:
                args.Add("cleanup");
                break;
            case 7:
                args.Add(FuzzKit.RandomText(random, 12));
                break;
        }

        for (var n = random.Next(7); n > 0; n--)
        {
            switch (random.Next(8))
            {
                case 0:
                    args.Add(FuzzKit.RandomText(random, 30));
                    break;
                case 1:
                    args.Add(FakeJwt(random));
                    break;
                case 2:
                    args.Add(_files[random.Next(_files.Length)]);
                    break;
                case 3:
                    args.Add(Values[random.Next(Values.Length)]);
                    break;
                default:
                {
                    var name = OptionNames[random.Next(OptionNames.Length)];
                    if (name == "--endpoint" || name == "--issuer" || name == "--ghes-host" || name == "--jwks")
                    {
                        // Given twice these are usage errors; given once (outside exchange/validate) they are loopback or not URLs.
                        args.Add(name);
                        args.Add(random.Next(2) == 0 ? "http://127.0.0.1:1/" : Values[random.Next(Values.Length)]);
                        break;
                    }

                    args.Add(name);
                    if (random.Next(3) > 0)
                    {
                        args.Add(random.Next(3) switch { 0 => FuzzKit.RandomText(random, 20), 1 => _files[random.Next(_files.Length)], _ => Values[random.Next(Values.Length)] });
                    }

                    break;
                }
            }
        }

        var stdin = random.Next(3) switch
        {
            0 => FakeJwt(random),
            1 => FuzzKit.RandomText(random, 200),
            _ => string.Empty,
        };
        return new Case([.. args], stdin, random.Next(3) == 0);
    }

    private const string PayloadTemplate =
        "{\"iss\":\"https://fuzz.invalid\",\"aud\":[\"x\",\"y\"],\"sub\":\"fuzz:o/r\",\"exp\":4102444800,\"iat\":4102444500,\"nbf\":4102444200,"
        + "\"jti\":\"j\",\"repository_id\":\"1\",\"ref_protected\":\"false\",\"event_name\":\"push\"}";

    [Fact]
    public async Task Decode_and_validate_with_hostile_payloads_and_JWKS_files_give_a_documented_exit_code()
    {
        var jwks = await File.ReadAllTextAsync(_jwksFile);
        var gen = Gen.Select(HostileJson.Cases(PayloadTemplate), HostileJson.Cases(jwks), Gen.Int[0, 3]);
        var counter = 0;
        await gen.SampleAsync(
            async (payload, keys, mode) =>
            {
                var header = mode == 3 ? payload.Text : "{ \"alg\": \"RS256\", \"kid\": \"fuzz\" }";
                var token = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.Text))
                            + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes("sig-" + Guid.NewGuid().ToString("N")));
                var file = Path.Combine(_directory, "jwks-" + Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture) + ".json");
                await File.WriteAllBytesAsync(file, Encoding.UTF8.GetBytes(keys.Text));
                string[] args = mode switch
                {
                    0 => ["decode", token],
                    1 => ["decode", "--format", "json", "-"],
                    _ => ["validate", "--jwks", file, "--audience", "x", "--allow-any-repository", token],
                };
                var what = $"mode {mode}, payload {payload}, JWKS {keys}";
                var context = new CliContext(_ => null, () => new StringReader(token));
                CliRun? run = null;
                var error = await FuzzKit.Bounded(async () => run = await CliRun.RunAsync(context, args), what);
                Assert.True(error is null, $"the command line threw for {what}:\n{error}");
                Assert.True(
                    DocumentedExitCodes.Contains(run!.ExitCode),
                    $"exit code {run.ExitCode.ToString(CultureInfo.InvariantCulture)} for {what}\nstderr: {FuzzKit.Shorten(run.Error, 2000)}");
                File.Delete(file);
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(300),
            threads: 1);
    }

    [Theory]
    [InlineData("{\"sub\":\"\\udc00x\"}")]
    [InlineData("{\"\\ud800\":1}")]
    [InlineData("{\"aud\":[\"\\ud800\"]}")]
    public async Task Decode_of_a_lone_surrogate_escape_is_not_an_internal_error(string payload)
    {
        // Found by this campaign: decode printed the claims and JsonElement.GetString() threw out of the command (exit 1).
        var token = Base64Url.EncodeToString("{\"alg\":\"RS256\"}"u8) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + ".c2ln";

        var run = await CliRun.RunWithStdinAsync(token, "decode", "-");

        Assert.Contains(run.ExitCode, DocumentedExitCodes);
        Assert.DoesNotContain("unexpected error", run.Error, StringComparison.Ordinal);
    }

    private static bool IsLoopbackOrNotAUrl(string value) =>
        !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsLoopback || string.IsNullOrEmpty(uri.Host);

    [Fact]
    public async Task Random_argv_gives_a_documented_exit_code_and_never_throws()
    {
        var environment = _issuer.GetEnvironment();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        await Gen.Int.Select(NewCase).SampleAsync(
            async c =>
            {
                // The harness's own promise: nothing in argv can send a request off this machine.
                Assert.All(c.Args, a => Assert.True(IsLoopbackOrNotAUrl(a), "not loopback: " + a));

                var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["RUNNER_TEMP"] = _directory };
                if (c.MockEnvironment)
                {
                    foreach (var (name, value) in environment)
                    {
                        variables[name] = value;
                    }
                }

                var context = new CliContext(name => variables.GetValueOrDefault(name), () => new StringReader(c.Stdin));
                CliRun? run = null;
                var error = await FuzzKit.Bounded(async () => run = await CliRun.RunAsync(context, c.Args), c);
                Assert.True(error is null, $"the command line threw for {c}:\n{error}");
                Assert.True(
                    DocumentedExitCodes.Contains(run!.ExitCode),
                    $"exit code {run.ExitCode.ToString(CultureInfo.InvariantCulture)} for {c}\nstderr: {FuzzKit.Shorten(run.Error, 2000)}");
                seen.AddOrUpdate(run.ExitCode, 1, (_, n) => n + 1);
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(400),
            threads: 1);

        // Depth check: the campaign got past the parser (not only usage errors).
        if (FuzzSettings.Seed is null && FuzzSettings.Iterations(400) >= 400)
        {
            Assert.True(seen.Keys.Count(code => code != ExitCodes.UsageError) >= 2, "exit codes seen: " + string.Join(", ", seen.Select(kv => kv.Key + "×" + kv.Value)));
        }
    }
}
