// Fuzz: the runner's token endpoint answers with anything. GitHubOidcClient must return a token or throw
// OidcTokenException (a documented code, a message, never the request token) — never another exception, never hang.
//   - HTTP 200 with hostile bodies through MockGitHubOidcIssuer (MockHttpTargetFault.Status(200, body)): random text, deep
//     nesting, huge numbers, token soup, and mutations of {"value":"<real token>"} (duplicate members, non-string
//     values, BOMs, NULs, lone surrogates, truncation, trailing garbage).
//   - Random status codes 200–599 with hostile bodies (GitHub's error shapes mutated too) and Retry-After headers,
//     with retries on (Retry-After 0, or beyond the deadline, so no real waiting).
//   - Raw bytes (invalid UTF-8, UTF-16, BOMs) and raw Retry-After / request-id header text, which the mock cannot
//     send (it writes strings as UTF-8 and Retry-After as whole seconds), and 1xx statuses: an in-process
//     HttpMessageHandler answers.
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property; defaults here 200–600) and OIDCTOKEN_FUZZ_SEED (replay)
// — see tests/Shared/Fuzz/FuzzSettings.cs and docs/TESTING.md. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=50000 dotnet test tests/OidcToken.Tests -c Release --filter "FullyQualifiedName~.Fuzz."
using System.Globalization;
using System.Net;
using System.Text;
using CsCheck;
using OidcToken.Fuzzing;
using OidcToken.Testing;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Fuzz;

public sealed class TokenEndpointFuzz : IDisposable
{
    private const string Audience = "fuzz-audience";

    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    private string[] ValueTemplates()
    {
        var token = _issuer.IssueToken(Audience);
        return
        [
            "{\"value\":\"" + token + "\"}",
            "{\"count\":1,\"value\":\"" + token + "\",\"message\":\"OK\"}",
        ];
    }

    /// <summary>A GitHub-shaped JWT (valid claims, a fake signature) that no mock issued, so no secret registry knows it.</summary>
    private static readonly string UnregisteredJwt =
        System.Buffers.Text.Base64Url.EncodeToString("{\"alg\":\"RS256\",\"kid\":\"fuzz\",\"typ\":\"JWT\"}"u8)
        + "." + System.Buffers.Text.Base64Url.EncodeToString("{\"aud\":\"fuzz-audience\",\"exp\":4102444800,\"iat\":4102444500,\"iss\":\"https://token.actions.githubusercontent.com\",\"sub\":\"repo:o/r:ref:refs/heads/main\"}"u8)
        + ".ZnV6ei1zaWduYXR1cmUtbm90LXJlYWw";

    private static string[] ErrorTemplates(string audience) =>
    [
        "{\"source\":\"actions-run-service\",\"statusCode\":400,\"errorMessage\":\"Can't issue ID_TOKEN for audience '" + audience + "'\"}",
        "{\"$id\":\"1\",\"innerException\":null,\"message\":\"Can't issue ID_TOKEN for job in 'Pending' state.\",\"typeName\":\"x\",\"typeKey\":\"CannotGenerateIdTokenException\",\"errorCode\":0,\"eventId\":3000}",
        "{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com/rest\"}",
        "{\"error\":\"invalid_request\",\"error_description\":\"nope\"}",
    ];

    private void AssertOutcome(Exception? error, IdToken? token, object what, OidcTokenErrorCode? expected = null)
    {
        var documented = FuzzKit.AssertDocumented(error, what);
        if (documented is null)
        {
            Assert.NotNull(token);
            Assert.False(string.IsNullOrEmpty(token!.Reveal()));
            return;
        }

        if (expected is { } code)
        {
            Assert.True(documented.ErrorCode == code, $"expected {code}, got {documented.ErrorCode} for {what}: {documented.Message}");
        }

        Assert.DoesNotContain(_issuer.RequestToken, documented.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_200_with_hostile_bodies_gives_a_token_or_InvalidResponse()
    {
        using var client = MockClientFactory.Create(_issuer, o => o.MaxAttempts = 1);
        await HostileJson.Cases(ValueTemplates()).SampleAsync(
            async c =>
            {
                _issuer.FailNextRequests(1, MockHttpTargetFault.Status(200, c.Text));
                IdToken? token = null;
                var error = await FuzzKit.Bounded(async () => token = await client.GetTokenAsync(Audience, IdTokenRequestOptions.Fresh), c);
                AssertOutcome(error, token, c, OidcTokenErrorCode.InvalidResponse);
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(600),
            threads: 1);
    }

    [Fact]
    public async Task Random_status_codes_bodies_and_Retry_After_give_a_token_or_a_documented_error()
    {
        using var client = MockClientFactory.Create(_issuer, o =>
        {
            o.MaxAttempts = 2;
            o.Deadline = TimeSpan.FromSeconds(30);
        });
        // Error bodies quote a JWT-shaped text the issuer never issued: a server's error text ends up (scrubbed) in the
        // exception message, and a real token cut by a mutation would leave a fragment the leak guard rightly reports.
        var templates = ErrorTemplates(Audience).Append("{\"value\":\"" + UnregisteredJwt + "\"}").ToArray();
        var gen = Gen.Select(
            // 1xx are interim answers: a server that sends only one leaves the request unanswered until AttemptTimeout
            // (the fault matrix's "accept and never answer"); the canned-handler property below hands 1xx to the client directly.
            Gen.Int[200, 599],
            HostileJson.Cases(templates),
            Gen.Int[0, 3],
            Gen.Long[31, 10_000_000_000]);
        await gen.SampleAsync(
            async (status, body, retryKind, farSeconds) =>
            {
                // No Retry-After, 0 (retry at once), or beyond the 30 s deadline (the client stops and reports it).
                TimeSpan? retryAfter = retryKind switch { 0 => null, 1 => TimeSpan.Zero, _ => TimeSpan.FromSeconds(farSeconds) };
                var what = $"HTTP {status}, Retry-After {retryAfter?.TotalSeconds.ToString(CultureInfo.InvariantCulture) ?? "none"}, body {body}";
                _issuer.FailNextRequests(1, MockHttpTargetFault.Status(status, retryKind == 3 ? null : body.Text, retryAfter));
                IdToken? token = null;
                var error = await FuzzKit.Bounded(async () => token = await client.GetTokenAsync(Audience, IdTokenRequestOptions.Fresh), what);
                AssertOutcome(error, token, what);
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(400),
            threads: 1);
    }

    [Fact]
    public async Task Raw_bytes_and_raw_headers_give_a_token_or_a_documented_error()
    {
        var templates = ErrorTemplates(Audience).Append("{\"value\":\"" + UnregisteredJwt + "\"}").ToArray();
        var gen = Gen.Int.Select(seed => RawAnswer.Create(seed, templates));
        await gen.SampleAsync(
            async answer =>
            {
                using var handler = new CannedHandler(answer);
                using var http = new HttpClient(handler);
                using var client = MockClientFactory.Create(_issuer, o =>
                {
                    o.HttpClient = http;
                    o.MaxAttempts = 1;
                });
                IdToken? received = null;
                var error = await FuzzKit.Bounded(async () => received = await client.GetTokenAsync(Audience), answer);
                AssertOutcome(error, received, answer);
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(600));
    }

    [Fact]
    public async Task A_token_whose_exp_is_the_last_second_of_year_9999_is_returned_not_left_hanging()
    {
        // Found by this campaign: receive time + (exp − iat) overflowed DateTimeOffset when caching the token; the
        // exception escaped the shared request and every caller waited for ever. Now the reuse limit saturates.
        var parts = _issuer.IssueToken(Audience).Split('.');
        var payload = System.Text.Json.Nodes.JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        payload["exp"] = 253402300799;
        var token = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[2];
        using var client = MockClientFactory.Create(_issuer, o => o.MaxAttempts = 1);
        _issuer.FailNextRequests(1, MockHttpTargetFault.Status(200, "{\"value\":\"" + token + "\"}"));

        IdToken? received = null;
        var error = await FuzzKit.Bounded(async () => received = await client.GetTokenAsync(Audience), "exp 253402300799");

        Assert.Null(error);
        Assert.Equal(9999, received!.ExpiresAt.Year);
        Assert.Same(received, await client.GetTokenAsync(Audience));
    }

    /// <summary>One canned HTTP answer with any bytes and any header text.</summary>
    internal sealed record RawAnswer(string Description, int Status, byte[] Body, string? ContentType, string? RetryAfter, string? RequestId)
    {
        private static readonly string[] RetryAfters =
        [
            "0", "-1", "1.5", "99999999999999999999", "2147483648", "9223372036854775807", " 5", "5 ", "\t", "",
            "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "Thu, 32 Foo 2026 99:99:99 GMT",
            "soon", "1e9", "0x10", "١٢", "\u0000", "5, 6",
        ];

        public override string ToString() => Description;

        public static RawAnswer Create(int seed, IReadOnlyList<string> templates)
        {
            var random = new Random(seed);
            var status = random.Next(4) == 0 ? random.Next(100, 600) : (random.Next(2) == 0 ? 200 : new[] { 400, 401, 403, 404, 429, 500, 503 }[random.Next(7)]);
            var text = HostileJson.Case(random.Next(), templates);
            byte[] body;
            string how;
            switch (random.Next(6))
            {
                case 0:
                    body = FuzzKit.RandomBytes(random, 400);
                    how = "random bytes";
                    break;
                case 1:
                    body = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text.Text)).ToArray();
                    how = "UTF-16 with BOM of " + text.Description;
                    break;
                case 2:
                {
                    // Valid UTF-8 with invalid sequences spliced in: lone continuation bytes, overlongs, surrogates, 0xFF.
                    var bytes = Encoding.UTF8.GetBytes(text.Text).ToList();
                    byte[][] bad = [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]];
                    bytes.InsertRange(random.Next(bytes.Count + 1), bad[random.Next(bad.Length)]);
                    body = [.. bytes];
                    how = "invalid UTF-8 in " + text.Description;
                    break;
                }

                case 3:
                    body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text.Text)];
                    how = "UTF-8 BOM + " + text.Description;
                    break;
                default:
                    body = Encoding.UTF8.GetBytes(text.Text);
                    how = text.Description;
                    break;
            }

            var contentType = random.Next(5) switch
            {
                0 => null,
                1 => "text/html",
                2 => "application/json; charset=utf-16",
                3 => "application/json; charset=nonsense",
                _ => "application/json",
            };
            var retryAfter = random.Next(3) == 0 ? RetryAfters[random.Next(RetryAfters.Length)] : null;
            var requestId = random.Next(3) == 0 ? FuzzKit.RandomText(random, 300) : null;
            return new RawAnswer(
                $"seed {seed.ToString(CultureInfo.InvariantCulture)}: HTTP {status}, {how}, Content-Type {contentType ?? "none"}, Retry-After {retryAfter ?? "none"}",
                status,
                body,
                contentType,
                retryAfter,
                requestId);
        }
    }

    private sealed class CannedHandler(RawAnswer answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage((HttpStatusCode)answer.Status)
            {
                RequestMessage = request,
                Content = new ByteArrayContent(answer.Body),
            };
            if (answer.ContentType is { } type)
            {
                response.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }

            if (answer.RetryAfter is { } retryAfter)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            }

            if (answer.RequestId is { } id)
            {
                response.Headers.TryAddWithoutValidation("x-github-request-id", id);
            }

            return Task.FromResult(response);
        }
    }
}
