// Property: validating arbitrary input never throws anything but OperationCanceledException (and only when cancelled),
// and never yields a valid result. Inputs: arbitrary strings, JWT-alphabet strings, arbitrary bytes joined as
// base64url segments, random JSON documents signed with the genuine key, and GitHub-shaped payloads made hostile
// (duplicate members, deep nesting, huge numbers, non-string claims, BOMs, NULs, truncation) and signed with the
// genuine key so they get past the signature check into claim handling.
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property; defaults here 1000–3000) and OIDCTOKEN_FUZZ_SEED
// (replay a reported seed) — see FuzzSettings.cs. Example long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=1000000 dotnet test tests/OidcToken.Validation.Tests -c Release --filter "FullyQualifiedName~Properties"
using System.Globalization;
using System.Text;
using CsCheck;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Properties;

public sealed class ArbitraryInputProperties
{
    private const string JwtChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \n";

    private static readonly GitHubOidcTokenValidator SharedValidator = Validator();

    internal static readonly Gen<string> ArbitraryStrings = Gen.String[0, 300];

    internal static readonly Gen<string> JwtAlphabetStrings =
        Gen.Char[JwtChars].Array[0, 400].Select(chars => new string(chars));

    internal static readonly Gen<string> Base64UrlJoinedBytes =
        Gen.Byte.Array[0, 200].Array[1, 6].Select(parts => string.Join('.', parts.Select(p => B64(p))));

    /// <summary>A generated hostile token with a description of how it was made (for failure reports).</summary>
    internal sealed record Case(string Description, string Token)
    {
        public override string ToString() => Description;
    }

    internal static readonly Gen<Case> HostileGitHubPayloads = Gen.Int.Select(seed => HostilePayload(seed));

    internal static readonly Gen<Case> RandomJsonDocuments = Gen.Int.Select(seed => RandomJsonToken(seed));

    private static async Task NeverValidNeverThrows(string token)
    {
        var result = await SharedValidator.ValidateAsync(token);
        Assert.False(result.IsValid, "arbitrary input was accepted");
        Assert.NotEqual(GitHubOidcValidationFailure.None, result.Failure);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        AssertNoLeak(result, token);
    }

    [Fact]
    public async Task Null_token_is_the_only_argument_exception()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => SharedValidator.ValidateAsync(null!));
    }

    [Fact]
    public async Task Arbitrary_strings_are_refused_without_throwing()
    {
        await ArbitraryStrings.SampleAsync(NeverValidNeverThrows, seed: FuzzSettings.Seed, iter: FuzzSettings.Iterations(3000));
    }

    [Fact]
    public async Task Strings_over_the_JWT_alphabet_are_refused_without_throwing()
    {
        await JwtAlphabetStrings.SampleAsync(NeverValidNeverThrows, seed: FuzzSettings.Seed, iter: FuzzSettings.Iterations(3000));
    }

    [Fact]
    public async Task Arbitrary_bytes_as_base64url_segments_are_refused_without_throwing()
    {
        await Base64UrlJoinedBytes.SampleAsync(NeverValidNeverThrows, seed: FuzzSettings.Seed, iter: FuzzSettings.Iterations(3000));
    }

    [Fact]
    public async Task Random_JSON_documents_signed_with_the_genuine_key_are_refused_without_throwing()
    {
        await RandomJsonDocuments.SampleAsync(c => NeverValidNeverThrows(c.Token), seed: FuzzSettings.Seed, iter: FuzzSettings.Iterations(1000));
    }

    [Fact]
    public async Task Hostile_GitHub_shaped_payloads_signed_with_the_genuine_key_are_refused_without_throwing()
    {
        await HostileGitHubPayloads.SampleAsync(c => NeverValidNeverThrows(c.Token), seed: FuzzSettings.Seed, iter: FuzzSettings.Iterations(1000));
    }

    [Fact]
    public async Task Pre_cancelled_validation_throws_OperationCanceledException_or_returns_a_result()
    {
        var valid = ValidToken();
        var inputs = Gen.OneOf(
            ArbitraryStrings,
            JwtAlphabetStrings,
            Base64UrlJoinedBytes,
            HostileGitHubPayloads.Select(c => c.Token),
            Gen.Const(valid));
        await inputs.SampleAsync(
            async token =>
            {
                using var cts = new CancellationTokenSource();
                await cts.CancelAsync();
                GitHubOidcValidationResult result;
                try
                {
                    result = await SharedValidator.ValidateAsync(token, cts.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (!ReferenceEquals(token, valid))
                {
                    Assert.False(result.IsValid);
                }
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(1000));
    }

    [Fact]
    public async Task Pre_cancelled_validation_before_any_key_fetch_throws_OperationCanceledException_or_returns_a_result()
    {
        using var issuer = StartIssuer();
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var token = issuer.IssueToken(Audience);
        try
        {
            var result = await validator.ValidateAsync(token, cts.Token);
            Assert.NotNull(result);
        }
        catch (OperationCanceledException)
        {
            // The documented outcome.
        }

        // And the validator is still usable afterwards.
        AssertAccepted(await validator.ValidateAsync(token));
    }

    // ---- generators ----

    private static readonly string[] HostileValues =
    [
        "0", "-1", "-0", "1.5", "1e400", "-1e400", "1e-400", "123456789012345678901234567890123456789",
        "9223372036854775808", "253402300800", "1.7976931348623157e308", "true", "false", "null", "[]", "{}",
        "[\"x\"]", "{\"a\":1}", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\uFEFF\"", "\"\\\\\"",
    ];

    private static readonly string[] InvalidatableClaims = ["iss", "aud", "exp", "repository_id"];

    private static string Deep(Random random, int depth) =>
        random.Next(2) == 0 ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    private static string HostileValue(Random random, string? original)
    {
        return random.Next(6) switch
        {
            0 => Deep(random, random.Next(1, 3000)),
            1 when original is not null && original.StartsWith('"') => "\"\\uFEFF" + original[1..],
            2 when original is not null && original.StartsWith('"') => original[..^1] + "\\u0000\"",
            3 => "\"" + new string('9', random.Next(1, 4000)) + "\"",
            4 => new string('9', random.Next(20, 400)),
            _ => HostileValues[random.Next(HostileValues.Length)],
        };
    }

    private static Case HostilePayload(int seed)
    {
        var random = new Random(seed);
        var log = new StringBuilder("seed " + seed.ToString(CultureInfo.InvariantCulture) + ":");
        var members = Payload().Select(p => new KeyValuePair<string, string>(p.Key, p.Value!.ToJsonString())).ToList();
        string Raw(string name) => members.First(m => m.Key == name).Value;

        // 1) One edit that must make the token invalid on its own.
        switch (random.Next(6))
        {
            case 0:
            {
                var victim = members[random.Next(members.Count)];
                var value = random.Next(2) == 0 ? victim.Value : HostileValue(random, victim.Value);
                members.Insert(random.Next(members.Count + 1), new(victim.Key, value));
                log.Append(" duplicate ").Append(victim.Key);
                break;
            }

            case 1:
            case 2:
            {
                var claim = InvalidatableClaims[random.Next(InvalidatableClaims.Length)];
                var value = HostileValue(random, Raw(claim));
                members[members.FindIndex(m => m.Key == claim)] = new(claim, value);
                log.Append(" set ").Append(claim).Append('=').Append(value.Length > 40 ? value[..40] + "…" : value);
                break;
            }

            case 3:
            {
                var claim = InvalidatableClaims[random.Next(InvalidatableClaims.Length)];
                members.RemoveAll(m => m.Key == claim);
                log.Append(" remove ").Append(claim);
                break;
            }

            case 4:
            {
                var index = members.FindIndex(m => m.Key == "iss");
                members[index] = new("iss", "\"" + Issuer + "\u0000\"");
                log.Append(" raw NUL in iss");
                break;
            }

            default:
                log.Append(" truncated/non-object");
                break;
        }

        // 2) Noise: legal-looking but unusual content that must not make the validator throw.
        for (var n = random.Next(3); n > 0; n--)
        {
            switch (random.Next(4))
            {
                case 0:
                    members.Insert(random.Next(members.Count + 1), new("x_" + random.Next(100), HostileValue(random, "\"v\"")));
                    log.Append(" +extra");
                    break;
                case 1:
                    members.Insert(random.Next(members.Count + 1), new("\u00e9\u0000\ud83d\ude00", "\"\\u0000\""));
                    log.Append(" +odd-name");
                    break;
                case 2:
                    members = [.. members.OrderBy(_ => random.Next())];
                    log.Append(" shuffle");
                    break;
                default:
                    members.Add(new("nbf", Raw("iat")));
                    log.Append(" +dup-nbf");
                    break;
            }
        }

        var separator = random.Next(4) == 0 ? " ,\n\t" : ",";
        var text = "{" + string.Join(separator, members.Select(m => JsonString(m.Key) + ":" + m.Value)) + "}";
        if (log.ToString().EndsWith("truncated/non-object", StringComparison.Ordinal) || log.ToString().Contains(" truncated/non-object ", StringComparison.Ordinal))
        {
            text = random.Next(3) switch
            {
                0 => text[..random.Next(1, text.Length - 1)],
                1 => "[" + text + "]",
                _ => text + text,
            };
        }

        var payload = Encoding.UTF8.GetBytes(text);
        if (random.Next(5) == 0)
        {
            payload = [0xEF, 0xBB, 0xBF, .. payload];
            log.Append(" +BOM");
        }

        var header = random.Next(8) switch
        {
            0 => "{\"alg\":\"RS256\",\"kid\":\"" + KeyId + "\",\"typ\":5}",
            1 => "{\"alg\":\"RS256\",\"kid\":\"" + KeyId + "\",\"zip\":\"DEF\",\"cty\":\"JWT\"}",
            2 => "{\"alg\":\"RS256\",\"kid\":" + HostileValue(random, "\"k\"") + "}",
            3 => "{\"alg\":" + HostileValue(random, "\"RS256\"") + ",\"kid\":\"" + KeyId + "\"}",
            _ => Header().ToJsonString(),
        };
        if (header != Header().ToJsonString())
        {
            log.Append(" header=").Append(header.Length > 60 ? header[..60] + "…" : header);
        }

        var token = random.Next(4) == 0
            ? B64(Encoding.UTF8.GetBytes(header)) + "." + B64(payload) + "." + B64(RandomBytes(random, random.Next(0, 300)))
            : SignBytes(Encoding.UTF8.GetBytes(header), payload);
        return new Case(log.ToString(), token);
    }

    private static Case RandomJsonToken(int seed)
    {
        var random = new Random(seed);
        var header = random.Next(3) == 0 ? RandomJson(random, 0) : Header().ToJsonString();
        var payload = RandomJson(random, 0);
        return new Case(
            "seed " + seed.ToString(CultureInfo.InvariantCulture) + ": header " + Shorten(header) + " payload " + Shorten(payload),
            Sign(header, payload));
    }

    private static string Shorten(string s) => s.Length > 80 ? s[..80] + "…" : s;

    private static string RandomJson(Random random, int depth)
    {
        var choice = depth > 6 ? random.Next(5) : random.Next(8);
        switch (choice)
        {
            case 0:
                return "null";
            case 1:
                return random.Next(2) == 0 ? "true" : "false";
            case 2:
                return HostileValues[random.Next(HostileValues.Length)];
            case 3:
                return random.NextInt64().ToString(CultureInfo.InvariantCulture);
            case 4:
                return JsonString(RandomText(random));
            case 5:
                return "[" + string.Join(',', Enumerable.Range(0, random.Next(4)).Select(_ => RandomJson(random, depth + 1))) + "]";
            default:
            {
                string[] names = ["iss", "aud", "exp", "nbf", "iat", "sub", "kid", "alg", "jti", "repository_id", "crit", "jku", "x"];
                var count = random.Next(6);
                var parts = Enumerable.Range(0, count).Select(_ =>
                    JsonString(random.Next(4) == 0 ? RandomText(random) : names[random.Next(names.Length)]) + ":" + RandomJson(random, depth + 1));
                return "{" + string.Join(',', parts) + "}";
            }
        }
    }

    private static string RandomText(Random random)
    {
        var chars = new char[random.Next(12)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = random.Next(4) == 0 ? (char)random.Next(0, 0x10000) : (char)random.Next(0x20, 0x7f);
        }

        return new string(chars);
    }

    private static string JsonString(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            if (c is '"' or '\\' || c < 0x20 || char.IsSurrogate(c))
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('"').ToString();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
