// Differential test, fuzzed inputs: mutations of valid tokens (AttackKit tokens and the real GitHub fixtures, using the
// Properties suite's mutation generator, stacked 1–3 deep) and generated tokens with random headers and claims signed
// with the genuine key (or not), each compared case for case with JsonWebTokenHandler (+ OraclePolicy).
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS = iterations for EACH property below (defaults: 1500 / 600 / 500, so the whole
// Differential folder stays well under 15 s on 2 cores); OIDCTOKEN_FUZZ_SEED = a CsCheck seed to replay (printed by
// a failing run). Both are read by Properties/FuzzSettings.cs. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=200000 dotnet test tests/OidcToken.Validation.Tests -c Release --filter "FullyQualifiedName~Differential"
using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;
using OidcToken.Validation.Tests.Attacks;
using OidcToken.Validation.Tests.Properties;
using OidcToken.Validation.Tests.RealTokens;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Differential;

public sealed class DifferentialFuzzTests
{
    private static readonly string[] KitPool =
    [
        SignatureAttackTests.CanonicalTokenWithUnusedBits(),
        ValidToken(),
        Token(c => c["aud"] = new JsonArray("https://a.example", Audience), h => h["x5t"] = "ykNaY4qM_ta4k2TgZOCEYLkcYlA"),
        Token(c => { c["environment"] = "production"; c["exp"] = Now.ToUnixTimeSeconds() - 60; }),
    ];

    private static readonly Lazy<(string Token, DifferentialSetup Setup)[]> RealPool = new(() =>
    [
        (RealFixtures.Read(RealFixtures.TokenA), Real(RealFixtures.JwksA, "2022-08-05T01:30:00Z", "https://github.com/varunsh-coder", "433903792", true)),
        (RealFixtures.Read(RealFixtures.TokenB), Real(RealFixtures.JwksB, "2025-03-29T17:04:47Z", "https://example.com", "957014466", false)),
        (RealFixtures.Read(RealFixtures.TokenC), Real(RealFixtures.JwksC, "2026-04-22T07:48:53Z", "demo", "1217768983", false)),
    ]);

    private static DifferentialSetup Real(string jwks, string at, string audience, string repositoryId, bool defaultAudience) =>
        new($"{jwks} at {at}", RealFixtures.Jwks(jwks), DateTimeOffset.Parse(at, CultureInfo.InvariantCulture), audience, repositoryId, allowDefaultAudience: defaultAudience);

    private static async Task AssertAgreesAsync(DiffCase c)
    {
        var outcome = await DiffOutcome.RunAsync(c);
        var difference = outcome.Difference();
        Assert.True(difference is null, $"{difference}{System.Environment.NewLine}{outcome}");
    }

    private static string ApplyAll(string token, TokenMutationProperties.Mutation[] mutations)
    {
        // Apply() expects a three-segment base64url token (it was written for single mutations of valid tokens): stack
        // further mutations only while the text still has that shape.
        foreach (var m in mutations)
        {
            if (token.Length == 0 || token.Split('.') is not { Length: 3 } s || s.Any(seg => AttackKit.LenientDecode(seg) is null))
            {
                break;
            }

            try
            {
                token = TokenMutationProperties.Apply(token, m);
            }
            catch (FormatException)
            {
                // FlipDecodedBit decodes strictly: a previous mutation left a segment that is not canonical base64url.
                break;
            }
        }

        return token;
    }

    [Fact]
    public async Task Control_every_pool_token_is_valid_in_both()
    {
        foreach (var token in KitPool)
        {
            Assert.True((await DifferentialCorpus.Kit.OursAsync(token)).Valid);
            Assert.True((await DifferentialCorpus.Kit.OracleAsync(token)).Valid);
        }

        foreach (var (token, setup) in RealPool.Value)
        {
            Assert.True((await setup.OursAsync(token)).Valid, setup.Name);
            Assert.True((await setup.OracleAsync(token)).Valid, setup.Name);
        }
    }

    [Fact]
    public async Task Mutations_of_valid_kit_tokens_get_the_same_verdict()
    {
        await Gen.Select(Gen.Int[0, KitPool.Length - 1], TokenMutationProperties.Mutations.Array[1, 3]).SampleAsync(
            async t =>
            {
                var (index, mutations) = t;
                var token = ApplyAll(KitPool[index], mutations);
                await AssertAgreesAsync(new DiffCase($"kit token {index} + {string.Join(" + ", mutations.Select(m => m.ToString()))}", token, DifferentialCorpus.Kit, SemanticFamiliesOnly: true));
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(1500));
    }

    [Fact]
    public async Task Mutations_of_real_GitHub_tokens_get_the_same_verdict()
    {
        var pool = RealPool.Value;
        await Gen.Select(Gen.Int[0, pool.Length - 1], TokenMutationProperties.Mutations.Array[1, 3]).SampleAsync(
            async t =>
            {
                var (index, mutations) = t;
                var (original, setup) = pool[index];
                var token = ApplyAll(original, mutations);
                await AssertAgreesAsync(new DiffCase($"real token {index} + {string.Join(" + ", mutations.Select(m => m.ToString()))}", token, setup, SemanticFamiliesOnly: true));
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(600));
    }

    [Fact]
    public async Task Generated_tokens_with_random_headers_and_claims_get_the_same_verdict()
    {
        await GeneratedToken.Generator.SampleAsync(
            async spec => await AssertAgreesAsync(new DiffCase(spec.ToString(), spec.Build(), DifferentialCorpus.Kit, CompareFamily: spec.DefectFamilies() <= 1)),
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(500));
    }
}

/// <summary>
/// A generated token: random choices (weighted towards the valid value) for each header member and claim, signed RS256.
/// <see cref="DefectFamilies"/> counts, independently of both validators, how many reason families the choices break,
/// so families are only compared when at most one is broken.
/// </summary>
internal sealed record GeneratedToken(
    string Alg,
    string? Kid,
    bool SignWithOtherKey,
    string? ExtraHeader,
    string? Iss,
    JsonNode? Aud,
    double? ExpOffset,
    double? NbfOffset,
    bool Iat,
    JsonNode? RepositoryId,
    (string Name, JsonNode? Value)[] Extra,
    string? Duplicate)
{
    private static readonly Gen<string> Algs = Gen.Frequency((30, Gen.Const("RS256")), (1, Gen.OneOf("none", "HS256", "RS384", "PS256", "rs256", string.Empty)));

    private static readonly Gen<string?> Kids = Gen.Frequency((30, Gen.Const((string?)KeyId)), (1, Gen.OneOf<string?>("attack-kit-key-2", "ATTACK-KIT-KEY-1", null, string.Empty)));

    private static readonly Gen<string?> ExtraHeaders = Gen.Frequency((20, Gen.Const((string?)null)), (1, Gen.OneOf<string?>("typ", "x5t", "cty", "crit", "jwk", "jku", "x5u", "x5c")));

    private static readonly Gen<string?> Issuers = Gen.Frequency(
        (15, Gen.Const((string?)Issuer)),
        (1, Gen.OneOf<string?>(Issuer + "/", Issuer + "/octo-enterprise", "https://attacker.example", "HTTPS://TOKEN.ACTIONS.GITHUBUSERCONTENT.COM", string.Empty, null)));

    private static readonly Gen<JsonNode?> Audiences = Gen.Frequency(
        (12, Gen.Const(0)),
        (3, Gen.Const(1)),
        (1, Gen.Int[2, 6])).Select(choice => (JsonNode?)(choice switch
        {
            0 => Audience,
            1 => new JsonArray("https://a.example", Audience),
            2 => Audience + "/",
            3 => "https://other.example",
            4 => new JsonArray("https://a.example", "https://b.example"),
            5 => new JsonArray(),
            _ => null,
        }));

    private static readonly Gen<double?> ExpOffsets = Gen.Frequency(
        (6, Gen.Int[-600, 600].Select(i => (double?)i)),
        (4, Gen.OneOf<double?>(-61, -60, -59, 0, 1)),
        (2, Gen.OneOf<double?>(-60.7, -60.5, -60.3, -59.5, -59.3)),
        (1, Gen.Const((double?)null)));

    private static readonly Gen<double?> NbfOffsets = Gen.Frequency(
        (4, Gen.Const((double?)-305)),
        (4, Gen.Int[-700, 120].Select(i => (double?)i)),
        (3, Gen.OneOf<double?>(59, 60, 61)),
        (2, Gen.OneOf<double?>(59.5, 60.3, 60.5, 60.7)),
        (2, Gen.Const((double?)null)));

    private static readonly Gen<JsonNode?> RepositoryIds = Gen.Frequency((15, Gen.Const(0)), (1, Gen.Int[1, 5])).Select(choice => choice switch
    {
        0 => (JsonNode?)AttackKit.RepositoryId,
        1 => "456780",
        2 => 456789,
        3 => new JsonArray(AttackKit.RepositoryId),
        4 => AttackKit.RepositoryId + " ",
        _ => null,
    });

    private static readonly Gen<JsonNode?> Values = Gen.Frequency(
        (4, Gen.String[Gen.Char.AlphaNumeric, 0, 12].Select(s => (JsonNode?)s)),
        (2, Gen.Long.Select(l => (JsonNode?)l)),
        (1, Gen.Bool.Select(b => (JsonNode?)b)),
        (1, Gen.Const((JsonNode?)null)),
        (1, Gen.Int[1, 20].Select(depth => (JsonNode?)JsonNode.Parse(new string('[', depth) + new string(']', depth)))),
        (1, Gen.String[Gen.Char.AlphaNumeric, 0, 5].Select(s => (JsonNode?)new JsonObject { ["k"] = s })));

    private static readonly Gen<(string, JsonNode?)[]> Extras =
        Gen.Select(Gen.OneOf("environment", "sub", "x", "ref", "\u00e9t\u00e9", "workflow", "custom_claim"), Values).Array[0, 3];

    private static readonly Gen<string?> Duplicates = Gen.Frequency((25, Gen.Const((string?)null)), (1, Gen.OneOf<string?>("iss", "aud", "repository_id", "exp", "workflow")));

    public static readonly Gen<GeneratedToken> Generator =
        Gen.Select(Algs, Kids, Gen.Frequency((25, Gen.Const(false)), (1, Gen.Const(true))), ExtraHeaders, Issuers, Audiences)
            .SelectMany(h => Gen.Select(ExpOffsets, NbfOffsets, Gen.Bool, RepositoryIds, Extras, Duplicates)
                .Select(c => new GeneratedToken(h.Item1, h.Item2, h.Item3, h.Item4, h.Item5, h.Item6, c.Item1, c.Item2, c.Item3, c.Item4, c.Item5, c.Item6)));

    public string Build()
    {
        var header = new JsonObject { ["alg"] = Alg };
        if (Kid is not null)
        {
            header["kid"] = Kid;
        }

        header["typ"] = "JWT";
        switch (ExtraHeader)
        {
            case "typ":
                header["typ"] = "at+jwt";
                break;
            case "x5t":
                header["x5t"] = "ykNaY4qM_ta4k2TgZOCEYLkcYlA";
                break;
            case "cty":
                header["cty"] = "JWT";
                break;
            case "crit":
                header["crit"] = new JsonArray("exp");
                break;
            case "jwk":
                var p = Key.ExportParameters(false);
                header["jwk"] = new JsonObject { ["kty"] = "RSA", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
                break;
            case "jku" or "x5u":
                header[ExtraHeader] = "https://attacker.example/keys";
                break;
            case "x5c":
                header["x5c"] = new JsonArray(Convert.ToBase64String(Key.ExportSubjectPublicKeyInfo()));
                break;
        }

        var t = Now.ToUnixTimeSeconds();
        var claims = Payload();
        Set(claims, "iss", Iss);
        claims["aud"] = Aud?.DeepClone();
        if (Aud is null)
        {
            claims.Remove("aud");
        }

        SetNumber(claims, "exp", ExpOffset is { } e ? t + e : null);
        SetNumber(claims, "nbf", NbfOffset is { } n ? t + n : null);
        if (!Iat)
        {
            claims.Remove("iat");
        }

        claims["repository_id"] = RepositoryId?.DeepClone();
        if (RepositoryId is null)
        {
            claims.Remove("repository_id");
        }

        foreach (var (name, value) in Extra)
        {
            claims[name] = value?.DeepClone();
        }

        var payload = claims.ToJsonString();
        if (Duplicate is not null)
        {
            // Appended after the genuine member: a duplicate the handler resolves to the last value.
            var value = Duplicate switch
            {
                "iss" => "\"https://attacker.example\"",
                "aud" => "\"" + Audience + "\"",
                "repository_id" => "\"" + AttackKit.RepositoryId + "\"",
                "exp" => (t + 100000).ToString(CultureInfo.InvariantCulture),
                _ => "\"CI\"",
            };
            payload = payload[..^1] + ",\"" + Duplicate + "\":" + value + "}";
        }

        return Sign(header.ToJsonString(), payload, SignWithOtherKey ? OtherKey : null);
    }

    /// <summary>How many reason families the choices break (exact real-number lifetime semantics, as in RFC 7519).</summary>
    public int DefectFamilies()
    {
        var signature = Alg != "RS256" || Kid != KeyId || SignWithOtherKey || ExtraHeader is "crit" or "jwk" or "jku" or "x5u" or "x5c";
        var issuer = Iss != Issuer;
        var audience = Aud switch
        {
            JsonValue v => v.GetValue<string>() != Audience,
            JsonArray a => !a.Any(x => x?.GetValue<string>() == Audience),
            _ => true,
        };
        var lifetime = ExpOffset is not { } exp || exp + 60 < 0 || (NbfOffset is { } nbf && (nbf - 60 > 0 || nbf > exp));
        var policy = RepositoryId is not JsonValue r || !r.TryGetValue<string>(out var s) || s != AttackKit.RepositoryId;
        var malformed = Duplicate is not null
            || Extra.Any(e => e.Value is JsonArray { } && JsonDepth(e.Value) > 15)
            || Extra.Any(e => e.Name is "sub" or "jti" && e.Value is not null && e.Value.GetValueKind() != System.Text.Json.JsonValueKind.String);
        return new[] { signature, issuer, audience, lifetime, policy, malformed }.Count(b => b);
    }

    private static int JsonDepth(JsonNode? node) => node is JsonArray a ? 1 + (a.Count == 0 ? 0 : a.Max(JsonDepth)) : 0;

    private static void Set(JsonObject o, string name, string? value)
    {
        if (value is null)
        {
            o.Remove(name);
        }
        else
        {
            o[name] = value;
        }
    }

    private static void SetNumber(JsonObject o, string name, double? value)
    {
        if (value is not { } v)
        {
            o.Remove(name);
        }
        else if (v == Math.Floor(v))
        {
            o[name] = (long)v;
        }
        else
        {
            o[name] = v;
        }
    }

    public override string ToString() =>
        $"generated(alg={Alg}, kid={Kid ?? "-"}, otherKey={SignWithOtherKey}, header+={ExtraHeader ?? "-"}, iss={Iss ?? "-"}, aud={Aud?.ToJsonString() ?? "-"}, "
        + $"exp=now{ExpOffset?.ToString("+0.###;-0.###", CultureInfo.InvariantCulture) ?? " absent"}, nbf=now{NbfOffset?.ToString("+0.###;-0.###", CultureInfo.InvariantCulture) ?? " absent"}, iat={Iat}, "
        + $"repository_id={RepositoryId?.ToJsonString() ?? "-"}, extra=[{string.Join(", ", Extra.Select(e => e.Name + "=" + (e.Value?.ToJsonString() ?? "null")))}], duplicate={Duplicate ?? "-"})";
}
