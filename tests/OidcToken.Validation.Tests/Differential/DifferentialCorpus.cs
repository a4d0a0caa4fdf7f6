using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OidcToken.Validation.Tests.Attacks;
using OidcToken.Validation.Tests.RealTokens;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Differential;

/// <summary>
/// The fixed part of the differential input: (1) the attack corpus, built with <see cref="AttackKit"/> and the attack
/// suite's own data sets (garbage inputs, bad JSON, bad payloads, key encodings, other RSA algorithms) so both suites
/// attack the same way; (2) the real GitHub fixtures, each at instants inside, at the edges of, and outside its window,
/// with the JWKS that signed it and with JWKS that did not.
/// </summary>
internal static class DifferentialCorpus
{
    /// <summary>A third RSA key and a 1024-bit one, for JWKS entries our rules skip.</summary>
    private static readonly RSA ThirdKey = RSA.Create(2048);

    private static readonly RSA WeakKey = RSA.Create(1024);

    /// <summary><see cref="AttackKit"/>'s configuration: its key as its kid, its clock, audience and repository id.</summary>
    public static readonly DifferentialSetup Kit = new(
        "kit", DifferentialSetup.KeySet((KeyId, Key, "sig", "RS256")), Now, Audience, RepositoryId);

    /// <summary>Two published keys: a kid selects its key, no fallback to the other.</summary>
    public static readonly DifferentialSetup TwoKeys = new(
        "kit+second-key", DifferentialSetup.KeySet((KeyId, Key, "sig", "RS256"), ("attack-kit-key-2", OtherKey, "sig", "RS256")), Now, Audience, RepositoryId);

    /// <summary>A JWKS with entries our snapshot skips (weak, encryption, other alg) next to usable ones.</summary>
    public static readonly DifferentialSetup MixedJwks = new(
        "mixed-jwks",
        DifferentialSetup.KeySet(
            (KeyId, Key, "sig", "RS256"),
            ("bare-key", ThirdKey, null, null),
            ("weak-1024", WeakKey, "sig", "RS256"),
            ("enc-key", ThirdKey, "enc", null),
            ("rs384-key", ThirdKey, "sig", "RS384")),
        Now,
        Audience,
        RepositoryId);

    /// <summary>JSON values that are not strings: numbers, Booleans, null, arrays and objects.</summary>
    public static readonly string[] NonStringJson = ["1", "true", "[\"JWT\"]", "{\"a\":\"b\"}", "null", "false", "0.5", "[]", "{}"];

    private static readonly Lazy<IReadOnlyList<DiffCase>> AttackCases = new(BuildAttackCorpus);

    private static readonly Lazy<IReadOnlyList<DiffCase>> RealCases = new(BuildRealFixtureCorpus);

    public static IReadOnlyList<DiffCase> Attacks => AttackCases.Value;

    public static IReadOnlyList<DiffCase> RealFixtureCases => RealCases.Value;

    public static IEnumerable<DiffCase> All => Attacks.Concat(RealFixtureCases);

    private static IReadOnlyList<DiffCase> BuildAttackCorpus()
    {
        var cases = new List<DiffCase>();
        void Add(string name, string token, DifferentialSetup? setup = null, bool compareFamily = true) =>
            cases.Add(new DiffCase(name, token, setup ?? Kit, compareFamily));

        var t = Now.ToUnixTimeSeconds();
        var header = Header().ToJsonString();
        var payload = Payload().ToJsonString();

        // Controls.
        Add("control: valid token", ValidToken());
        Add("control: valid, all segments with unused bits", SignatureAttackTests.CanonicalTokenWithUnusedBits());
        Add("control: valid, audience array with ours", Token(c => c["aud"] = new JsonArray("https://a.example", Audience)));
        Add("control: valid, no nbf", Token(c => c.Remove("nbf")));
        Add("control: valid, no iat", Token(c => c.Remove("iat")));
        Add("control: valid, no typ", Token(editHeader: h => h.Remove("typ")));
        Add("control: valid, typ at+jwt", Token(editHeader: h => h["typ"] = "at+jwt"));
        Add("control: valid, x5t next to kid", Token(editHeader: h => h["x5t"] = "ykNaY4qM_ta4k2TgZOCEYLkcYlA"));
        Add("control: valid, second key with its own kid", Token(editHeader: h => h["kid"] = "attack-kit-key-2", key: OtherKey), TwoKeys);
        Add("control: valid, kid of the bare JWKS entry (no use, no alg)", Token(editHeader: h => h["kid"] = "bare-key", key: ThirdKey), MixedJwks);
        Add("control: valid, escaped JSON spelling of the claims", Sign(header, payload.Replace("\"iss\"", "\"\\u0069ss\"", StringComparison.Ordinal)));
        Add("control: valid, whitespace in the JSON", Sign(" {\n\"alg\" : \"RS256\", \"kid\":\"" + KeyId + "\"}\t", "\r\n" + payload + " "));
        Add("control: valid, unknown extra header members", Token(editHeader: h => { h["cty"] = "JWT"; h["zip"] = "DEF"; h["b64"] = false; h["x-extra"] = new JsonObject { ["a"] = 1 }; }));
        Add("control: valid, fractional exp", Token(c => c["exp"] = t + 295.75));
        Add("control: valid, exp in exponent notation", Sign(header, payload.Replace("\"exp\":" + (t + 295), "\"exp\":" + (t + 295) / 100 + "e2", StringComparison.Ordinal)));
        Add("control: valid, exp as a float with exponent", Sign(header, payload.Replace("\"exp\":" + (t + 295), "\"exp\":" + ((t + 295) / 10.0).ToString("R", CultureInfo.InvariantCulture) + "E1", StringComparison.Ordinal)));
        Add("control: valid, exp at the largest NumericDate we read (9999-12-31T23:59:59Z)", Token(c => c["exp"] = 253402300799L));
        Add("control: valid, alg and kid spelled with JSON escapes", Sign("{\"alg\":\"RS\\u0032\\u00356\",\"kid\":\"attack-kit-key-\\u0031\"}", payload));

        // Algorithm attacks (reusing the attack suite's data).
        foreach (var alg in new[] { "none", "None", "NONE", "nOnE" })
        {
            Add($"alg {alg}, empty signature", B64(Header(alg).ToJsonString()) + "." + B64(payload) + ".");
        }

        Add("alg none carrying a genuine RS256 signature", Sign(Header("none").ToJsonString(), payload));
        foreach (var encoding in AlgorithmAttackTests.PublicKeyEncodings())
        {
            var parameters = Key.ExportParameters(false);
            var secret = encoding switch
            {
                "spki-pem" => Encoding.ASCII.GetBytes(Key.ExportSubjectPublicKeyInfoPem()),
                "spki-der" => Key.ExportSubjectPublicKeyInfo(),
                "pkcs1-der" => Key.ExportRSAPublicKey(),
                "modulus" => parameters.Modulus!,
                _ => Encoding.UTF8.GetBytes("{\"e\":\"" + B64(parameters.Exponent!) + "\",\"kty\":\"RSA\",\"n\":\"" + B64(parameters.Modulus!) + "\"}"),
            };
            var input = B64(Header("HS256").ToJsonString()) + "." + B64(payload);
            Add($"HS256 keyed with the RSA public key ({encoding})", input + "." + B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input))));
        }

        foreach (var alg in AlgorithmAttackTests.OtherRsaAlgorithms())
        {
            var hash = alg[2..] switch
            {
                "256" => HashAlgorithmName.SHA256,
                "384" => HashAlgorithmName.SHA384,
                _ => HashAlgorithmName.SHA512,
            };
            var padding = alg.StartsWith('P') ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            Add($"{alg} signed with the right key", SignBytes(Encoding.UTF8.GetBytes(Header(alg).ToJsonString()), Encoding.UTF8.GetBytes(payload), Key, hash, padding));
        }

        foreach (var alg in new[] { "rs256", "RS256 ", "ES256", string.Empty, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" })
        {
            Add($"alg '{alg}' over a valid RS256 signature", Sign(Header(alg).ToJsonString(), payload));
        }

        Add("alg missing", Token(editHeader: h => h.Remove("alg")));
        // The handler's reader refuses a non-string alg while parsing (Malformed); we report the alg check. Both reject.
        Add("alg not a string", Token(editHeader: h => h["alg"] = 256), compareFamily: false);

        // Lifetime.
        foreach (var ago in new long[] { 61, 3600, 86400 * 365 })
        {
            Add($"expired {ago} s beyond the skew", Token(c => { c["exp"] = t - 60 - ago; c["iat"] = t - 60 - ago - 300; c["nbf"] = t - 60 - ago - 600; }));
        }

        Add("control: expired exactly at the skew edge (exp + skew == now)", Token(c => { c["exp"] = t - 60; c["iat"] = t - 360; c["nbf"] = t - 660; }));
        Add("expired one second past the skew edge", Token(c => { c["exp"] = t - 61; c["iat"] = t - 361; c["nbf"] = t - 661; }));
        foreach (var ahead in new long[] { 61, 3600 })
        {
            Add($"not yet valid {ahead} s beyond the skew", Token(c => { c["nbf"] = t + 60 + ahead; c["iat"] = t + 60 + ahead; c["exp"] = t + 60 + ahead + 300; }));
        }

        Add("control: nbf exactly at the skew edge (nbf - skew == now)", Token(c => { c["nbf"] = t + 60; c["iat"] = t + 60; c["exp"] = t + 360; }));
        Add("exp missing", Token(c => c.Remove("exp")));
        Add("exp null", Token(c => c["exp"] = null));
        Add("exp a numeric string", Token(c => c["exp"] = (t + 295).ToString(CultureInfo.InvariantCulture)));
        Add("exp negative", Token(c => c["exp"] = -1));
        Add("exp far future (1e11)", Token(c => c["exp"] = 100_000_000_000L));
        Add("exp beyond year 9999 (1e15)", Token(c => c["exp"] = 1_000_000_000_000_000L));
        Add("exp zero", Token(c => c["exp"] = 0));
        Add("nbf a numeric string in the future", Token(c => c["nbf"] = (t + 3600).ToString(CultureInfo.InvariantCulture)));
        Add("iat a string", Token(c => c["iat"] = "yesterday"));
        Add("nbf after exp, both inside the skew", Token(c => { c["exp"] = t + 10; c["nbf"] = t + 30; c["iat"] = t; }));
        Add("nbf after exp, token long expired", Token(c => { c["exp"] = t - 3600; c["nbf"] = t - 1800; }));
        Add("exp beyond the largest NumericDate we read", Token(c => c["exp"] = 253402300800L));
        Add("exp a boolean", Token(c => c["exp"] = true));
        Add("nbf negative", Token(c => c["nbf"] = -5));
        foreach (var fraction in new[] { 0.1, 0.3, 0.5, 0.7, 0.9 })
        {
            // Exact semantics: valid iff nbf - skew <= now <= exp + skew, with fractional seconds.
            Add($"fractional nbf = now + skew + {fraction}", Token(c => { c["nbf"] = t + 60 + fraction; c["iat"] = t; c["exp"] = t + 300; }));
            Add($"fractional nbf = now + skew - 1 + {fraction}", Token(c => { c["nbf"] = t + 59 + fraction; c["iat"] = t; c["exp"] = t + 300; }));
            Add($"fractional exp = now - skew - {fraction}", Token(c => { c["exp"] = t - 60 - fraction; c["iat"] = t - 400; c["nbf"] = t - 700; }));
            Add($"fractional exp = now - skew + {fraction}", Token(c => { c["exp"] = t - 60 + fraction; c["iat"] = t - 400; c["nbf"] = t - 700; }));
        }

        // Issuer.
        foreach (var iss in new[]
        {
            "https://token.actions.githubusercontent.com/",
            "https://token.actions.githubusercontent.com.attacker.example",
            "https://token.actions.githubusercontent.comx",
            "https://token.actions.githubusercontent.com/octo-enterprise",
            "https://token.actions.githubusercontent.com:443",
            "https://token.actions.githubusercontent.com#",
            "https://token.actions.githubusercontent.com?x",
            " https://token.actions.githubusercontent.com",
            "https://token.actions.githubusercontent.com ",
            "http://token.actions.githubusercontent.com",
            "HTTPS://TOKEN.ACTIONS.GITHUBUSERCONTENT.COM",
            "https://token.actions.githubusercontent.com\u0000",
            "https://attacker.example",
            string.Empty,
        })
        {
            Add($"issuer '{iss.Replace("\u0000", "\\0", StringComparison.Ordinal)}'", Token(c => c["iss"] = iss));
        }

        Add("issuer missing", Token(c => c.Remove("iss")));
        // The handler's reader refuses a non-string iss while parsing (Malformed); we report the issuer check. Both reject.
        Add("issuer a number", Token(c => c["iss"] = 42), compareFamily: false);
        Add("issuer an array holding the right value", Token(c => c["iss"] = new JsonArray(Issuer)), compareFamily: false);
        Add("issuer twice, the escaped spelling last (attacker's first)", Sign(header, "{\"iss\":\"https://attacker.example\"," + payload[1..^1] + ",\"\\u0069ss\":\"" + Issuer + "\"}"));
        Add("issuer twice, the escaped spelling last (genuine first)", Sign(header, payload[..^1] + ",\"\\u0069ss\":\"https://attacker.example\"}"));

        // Registered string claims of another JSON type (the handler's reader refuses some of them outright).
        foreach (var (claim, value) in new (string, JsonNode?)[] { ("sub", true), ("sub", 42), ("sub", null), ("sub", new JsonArray("repo:octo-org/octo-repo:ref:refs/heads/main")), ("jti", 42), ("jti", false), ("iss", true), ("iss", null) })
        {
            Add($"{claim} = {value?.ToJsonString() ?? "null"}", Token(c => c[claim] = value?.DeepClone()), compareFamily: claim != "iss");
        }

        // Header parameters the handler reads as strings, and azp: both refuse a number, Boolean, array or object as
        // malformed (the handler: IDX14102/IDX14101); null the handler reads as absent (StricterRule.NullStringMember).
        foreach (var json in NonStringJson)
        {
            foreach (var member in new[] { "typ", "cty", "x5t", "zip" })
            {
                Add($"non-string header {member} = {json}", Token(editHeader: h => h[member] = JsonNode.Parse(json)));
            }

            Add($"non-string azp = {json}", Token(c => c["azp"] = JsonNode.Parse(json)));
        }

        // Audience.
        foreach (var aud in new[] { "https://vault.example.com/", "https://VAULT.example.com", "https://vault.example.com.attacker.example", "https://vault.example", "https://github.com/octo-org", string.Empty })
        {
            Add($"audience '{aud}'", Token(c => c["aud"] = aud));
        }

        Add("audience array without ours", Token(c => c["aud"] = new JsonArray("https://a.example", "https://b.example")));
        Add("audience missing", Token(c => c.Remove("aud")));
        Add("audience empty array", Token(c => c["aud"] = new JsonArray()));
        Add("audience array with ours and a number", Token(c => c["aud"] = new JsonArray(Audience, 5)));
        Add("audience array with ours and null", Token(c => c["aud"] = new JsonArray(Audience, null)));
        Add("audience a number", Token(c => c["aud"] = 7));

        // Policy (the oracle mirrors RepositoryId(x): repository_id is the string x).
        foreach (var value in new[] { "456780", "0456789", "456789 ", string.Empty })
        {
            Add($"repository_id '{value}'", Token(c => c["repository_id"] = value));
        }

        Add("repository_id a number", Token(c => c["repository_id"] = 456789));
        Add("repository_id missing", Token(c => c.Remove("repository_id")));
        Add("repository_id null", Token(c => c["repository_id"] = null));
        Add("repository_id an array", Token(c => c["repository_id"] = new JsonArray(RepositoryId)));

        // Keys.
        Add("same kid, signed by another key", Token(key: OtherKey));
        foreach (var kid in new[] { "attack-kit-key-2", "ATTACK-KIT-KEY-1", "attack-kit-key-1 ", "../../../../etc/passwd", "https://attacker.example/key" })
        {
            Add($"unknown kid '{kid}'", Token(editHeader: h => h["kid"] = kid));
        }

        Add("kid missing", Token(editHeader: h => h.Remove("kid")));
        Add("kid empty", Token(editHeader: h => h["kid"] = string.Empty));
        Add("kid a number", Token(editHeader: h => h["kid"] = 1));
        Add("kid missing, x5t present", Token(editHeader: h => { h.Remove("kid"); h["x5t"] = "ykNaY4qM_ta4k2TgZOCEYLkcYlA"; }));
        Add("kid of another published key, signed by the first key", Token(editHeader: h => h["kid"] = "attack-kit-key-2", key: Key), TwoKeys);
        Add("kid of a 1024-bit JWKS key, signed by it", Token(editHeader: h => h["kid"] = "weak-1024", key: WeakKey), MixedJwks);
        Add("kid of a use=enc JWKS key, signed by it", Token(editHeader: h => h["kid"] = "enc-key", key: ThirdKey), MixedJwks);
        Add("kid of an alg=RS384 JWKS key, signed by it", Token(editHeader: h => h["kid"] = "rs384-key", key: ThirdKey), MixedJwks);

        // Headers that bring keys or demand extensions.
        JsonObject PublicJwk(RSA key, string kid)
        {
            var p = key.ExportParameters(false);
            return new JsonObject { ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
        }

        Add("embedded jwk with the attacker's key, signed by it", Token(editHeader: h => h["jwk"] = PublicJwk(OtherKey, KeyId), key: OtherKey));
        Add("embedded jwk (genuine key), signed by the genuine key", Token(editHeader: h => h["jwk"] = PublicJwk(Key, KeyId)));
        foreach (var (member, url) in new[] { ("jku", "https://attacker.example/jwks.json"), ("x5u", "https://attacker.example/cert.pem") })
        {
            Add($"{member} to the attacker, signed by the attacker", Token(editHeader: h => h[member] = url, key: OtherKey));
            Add($"{member} to the attacker, signed by the genuine key", Token(editHeader: h => h[member] = url));
        }

        Add("x5c with the attacker's key, signed by it", Token(editHeader: h => h["x5c"] = new JsonArray(Convert.ToBase64String(OtherKey.ExportSubjectPublicKeyInfo())), key: OtherKey));
        Add("x5c, signed by the genuine key", Token(editHeader: h => h["x5c"] = new JsonArray(Convert.ToBase64String(Key.ExportSubjectPublicKeyInfo()))));
        foreach (var critJson in new[] { "[\"urn:example:unknown\"]", "[\"exp\"]", "[\"b64\"]", "[]" })
        {
            Add($"crit {critJson}, signed by the genuine key", Token(editHeader: h =>
            {
                h["crit"] = JsonNode.Parse(critJson);
                h["urn:example:unknown"] = true;
                h["b64"] = false;
            }));
        }

        // Signatures.
        var valid = Segments(ValidToken());
        var tampered = Payload();
        tampered["repository_id"] = "999999";
        Add("tampered payload, original signature", valid[0] + "." + B64(tampered.ToJsonString()) + "." + valid[2]);
        var otherHeader = Header();
        otherHeader["typ"] = "at+jwt";
        Add("tampered header, original signature", B64(otherHeader.ToJsonString()) + "." + valid[1] + "." + valid[2]);
        Add("signature stripped, last dot kept", valid[0] + "." + valid[1] + ".");
        Add("signature and last dot stripped", valid[0] + "." + valid[1]);
        var second = Segments(ValidToken());
        Add("signature moved from another valid token", valid[0] + "." + valid[1] + "." + second[2]);
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(valid[2]);
        Add("signature with a zero byte prepended", valid[0] + "." + valid[1] + "." + B64([0, .. signature]));
        Add("signature missing its last byte", valid[0] + "." + valid[1] + "." + B64(signature[..^1]));
        Add("signature with a zero byte appended", valid[0] + "." + valid[1] + "." + B64([.. signature, 0]));
        Add("signature all zero", valid[0] + "." + valid[1] + "." + B64(new byte[signature.Length]));
        var zeroLed = LeadingZeroSignatureToken();
        var zs = Segments(zeroLed);
        Add("control: valid, signature whose first byte is zero", zeroLed);
        Add("signature with its leading zero byte stripped (255 bytes)", zs[0] + "." + zs[1] + "." + B64(System.Buffers.Text.Base64Url.DecodeFromChars(zs[2])[1..]));
        Add("signature first bit flipped", valid[0] + "." + valid[1] + "." + B64([(byte)(signature[0] ^ 0x80), .. signature[1..]]));
        var claims = Payload();
        var signedCompact = Segments(Sign(header, claims.ToJsonString()));
        Add("same claims re-serialized indented, original signature", signedCompact[0] + "." + B64(claims.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })) + "." + signedCompact[2]);

        // Encodings.
        var unusedBits = Segments(SignatureAttackTests.CanonicalTokenWithUnusedBits());
        for (var segment = 0; segment < 3; segment++)
        {
            var unused = UnusedBits(unusedBits[segment]);
            for (var bits = 1; bits < 1 << unused; bits++)
            {
                var copy = (string[])unusedBits.Clone();
                copy[segment] = NonCanonical(copy[segment], bits);
                Add($"non-canonical base64url: segment {segment}, unused bits {bits}", string.Join('.', copy));
            }
        }

        string Pad(string segment) => segment + (segment.Length % 4 == 2 ? "==" : segment.Length % 4 == 3 ? "=" : string.Empty);
        Add("base64 padding on the signature", unusedBits[0] + "." + unusedBits[1] + "." + Pad(unusedBits[2]));
        Add("base64 padding on the header", Pad(unusedBits[0]) + "." + unusedBits[1] + "." + unusedBits[2]);
        Add("base64 padding on the payload", unusedBits[0] + "." + Pad(unusedBits[1]) + "." + unusedBits[2]);
        Add("base64 padding on every segment", string.Join('.', unusedBits.Select(Pad)));
        var dashed = ValidToken();
        while (!SignatureOf(dashed).Any(c => c is '-' or '_'))
        {
            dashed = ValidToken();
        }

        var ds = Segments(dashed);

        // Text-level corruption: we refuse the alphabet (Malformed), the handler fails to verify (Signature). Both reject.
        Add("standard base64 alphabet in the signature", ds[0] + "." + ds[1] + "." + ds[2].Replace('-', '+').Replace('_', '/'), compareFamily: false);

        // Envelope: JWE, size, garbage, JSON.
        Add("JWE, five parts (RSA-OAEP-256)", string.Join('.', B64("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":\"" + KeyId + "\"}"), B64(Key.Encrypt(RandomNumberGenerator.GetBytes(32), RSAEncryptionPadding.OaepSHA256)), B64(RandomNumberGenerator.GetBytes(12)), B64(RandomNumberGenerator.GetBytes(300)), B64(RandomNumberGenerator.GetBytes(16))));
        Add("JWE, five parts (dir, empty key)", string.Join('.', B64("{\"alg\":\"dir\",\"enc\":\"A128CBC-HS256\"}"), string.Empty, B64(RandomNumberGenerator.GetBytes(16)), B64(RandomNumberGenerator.GetBytes(64)), B64(RandomNumberGenerator.GetBytes(16))));
        Add("oversized: a valid token over 16 KiB", Token(c => c["padding"] = new string('x', 16 * 1024)));
        Add("oversized: a megabyte of garbage", new string('A', 1024 * 1024) + "." + new string('B', 10) + "." + new string('C', 10));
        foreach (var garbage in EnvelopeAttackTests.GarbageInputs())
        {
            Add($"garbage '{Printable(garbage)}'", garbage);
        }

        foreach (var row in EnvelopeAttackTests.BadJson())
        {
            Add($"header JSON: {(string)row[0]}", Sign((string)row[1], payload));
        }

        var index = 0;
        foreach (var text in EnvelopeAttackTests.BadPayloads())
        {
            Add($"payload JSON #{index++}: {Printable(text.Length > 60 ? text[..60] + "…" : text)}", Sign(header, text));
        }

        var payloadBytes = Encoding.UTF8.GetBytes(payload);
        Add("payload bytes not UTF-8", SignBytes(Encoding.UTF8.GetBytes(header), [.. payloadBytes[..^2], 0xC3, 0x28, .. payloadBytes[^2..]]));
        Add("payload with a UTF-8 BOM", SignBytes(Encoding.UTF8.GetBytes(header), [0xEF, 0xBB, 0xBF, .. payloadBytes]));
        Add("header with a UTF-8 BOM", SignBytes([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(header)], payloadBytes));
        foreach (var depth in new[] { 14, 15, 16, 17, 40 })
        {
            var nested = new string('[', depth) + new string(']', depth);
            Add($"payload with a claim nested {depth} deep", Sign(header, payload[..^1] + ",\"nested\":" + nested + "}"));
        }

        Add("payload duplicate custom claim (same value)", Sign(header, payload[..^1] + ",\"workflow\":\"CI\"}"));
        Add("payload duplicate inside a nested object", Sign(header, payload[..^1] + ",\"o\":{\"a\":1,\"a\":2}}"));
        Add("header duplicate typ (same value)", Sign("{\"alg\":\"RS256\",\"kid\":\"" + KeyId + "\",\"typ\":\"JWT\",\"typ\":\"JWT\"}", payload));
        Add("payload whitespace around the object", Sign(header, " \n" + payload + "\r\n\t "));

        // Several defects at once (no iss, aud, exp, repository_id): the validators check in different orders.
        Add("payload an empty object", Sign(header, "{}"), compareFamily: false);
        Add("payload empty", Sign(header, string.Empty), compareFamily: false);

        return cases;
    }

    private static IReadOnlyList<DiffCase> BuildRealFixtureCorpus()
    {
        var cases = new List<DiffCase>();
        var setups = new Dictionary<string, DifferentialSetup>(StringComparer.Ordinal);
        DifferentialSetup Setup(string jwks, string at, string audience, string repositoryId, bool defaultAudience, string issuer = GitHubIssuers.GitHubCom)
        {
            var key = string.Join('|', jwks, at, audience, repositoryId, defaultAudience, issuer);
            if (!setups.TryGetValue(key, out var setup))
            {
                setup = new DifferentialSetup(
                    $"{jwks} at {at}, aud '{audience}', repository_id {repositoryId}" + (issuer == GitHubIssuers.GitHubCom ? string.Empty : ", issuer " + issuer),
                    RealFixtures.Jwks(jwks),
                    DateTimeOffset.Parse(at, CultureInfo.InvariantCulture),
                    audience,
                    repositoryId,
                    issuer,
                    defaultAudience);
                setups.Add(key, setup);
            }

            return setup;
        }

        // token, JWKS that verify it, audience, repository_id, default audience?, nbf, exp (README windows).
        var fixtures = new (string Token, string[] Jwks, string Audience, string RepositoryId, bool DefaultAudience, string Nbf, string Exp)[]
        {
            (RealFixtures.TokenA, [RealFixtures.JwksA], "https://github.com/varunsh-coder", "433903792", true, "2022-08-05T01:19:53Z", "2022-08-05T01:34:53Z"),
            (RealFixtures.TokenB, [RealFixtures.JwksB, RealFixtures.JwksC], "https://example.com", "957014466", false, "2025-03-29T10:58:47Z", "2025-03-29T17:03:47Z"),
            (RealFixtures.TokenC, [RealFixtures.JwksC, RealFixtures.JwksB], "demo", "1217768983", false, "2026-04-22T07:49:53Z", "2026-04-22T07:59:53Z"),
        };

        foreach (var f in fixtures)
        {
            var token = RealFixtures.Read(f.Token);
            var nbf = DateTimeOffset.Parse(f.Nbf, CultureInfo.InvariantCulture);
            var exp = DateTimeOffset.Parse(f.Exp, CultureInfo.InvariantCulture);
            var instants = new (string Label, DateTimeOffset At)[]
            {
                ("inside", nbf + ((exp - nbf) / 2)),
                ("at nbf", nbf),
                ("at exp", exp),
                ("nbf - skew (edge, valid)", nbf.AddSeconds(-60)),
                ("nbf - skew - 1 s (not yet valid)", nbf.AddSeconds(-61)),
                ("exp + skew (edge, valid)", exp.AddSeconds(60)),
                ("exp + skew + 1 s (expired)", exp.AddSeconds(61)),
                ("an hour before", nbf.AddHours(-1)),
                ("a day after", exp.AddDays(1)),
            };

            foreach (var jwks in f.Jwks)
            {
                foreach (var (label, at) in instants)
                {
                    var setup = Setup(jwks, at.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), f.Audience, f.RepositoryId, f.DefaultAudience);
                    cases.Add(new DiffCase($"{f.Token} {label}", token, setup));
                }
            }

            var inside = (nbf + ((exp - nbf) / 2)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            var own = Setup(f.Jwks[0], inside, f.Audience, f.RepositoryId, f.DefaultAudience);
            cases.Add(new DiffCase($"{f.Token} inside, other audience configured", token, Setup(f.Jwks[0], inside, "https://other.example", f.RepositoryId, f.DefaultAudience)));
            cases.Add(new DiffCase($"{f.Token} inside, other repository_id in the policy", token, Setup(f.Jwks[0], inside, f.Audience, "1", f.DefaultAudience)));
            cases.Add(new DiffCase($"{f.Token} inside, enterprise issuer configured", token, Setup(f.Jwks[0], inside, f.Audience, f.RepositoryId, f.DefaultAudience, GitHubIssuers.EnterpriseSlug("octo-enterprise"))));

            // Text-level variants of the real token under its own setup.
            var s = Segments(token);
            var unused = UnusedBits(s[2]);
            if (unused > 0)
            {
                var respelled = s[0] + "." + s[1] + "." + NonCanonical(s[2], (1 << unused) - 1);
                cases.Add(new DiffCase($"{f.Token} signature respelled non-canonically (same bytes)", respelled, own));
            }

            var flipped = s[1].ToCharArray();
            flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
            cases.Add(new DiffCase($"{f.Token} one payload character changed", s[0] + "." + new string(flipped) + "." + s[2], own));
            cases.Add(new DiffCase($"{f.Token} signature stripped", s[0] + "." + s[1] + ".", own));
            cases.Add(new DiffCase($"{f.Token} header re-signed as alg none", B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + s[1] + ".", own));
            cases.Add(new DiffCase($"{f.Token} header swapped for HS256, same kid", B64(Encoding.UTF8.GetString(LenientDecode(s[0])!).Replace("RS256", "HS256", StringComparison.Ordinal)) + "." + s[1] + "." + s[2], own));
        }

        // Cross pairs: a kid absent from the JWKS; the request token (not an ID token).
        cases.Add(new DiffCase("token C with JWKS A (kid absent)", RealFixtures.Read(RealFixtures.TokenC), Setup(RealFixtures.JwksA, "2026-04-22T07:55:30.000Z", "demo", "1217768983", false)));
        cases.Add(new DiffCase("token A with JWKS B (kid absent)", RealFixtures.Read(RealFixtures.TokenA), Setup(RealFixtures.JwksB, "2022-08-05T01:30:00.000Z", "https://github.com/varunsh-coder", "433903792", true)));
        cases.Add(new DiffCase("request token D (not an ID token)", RealFixtures.Read(RealFixtures.TokenD), Setup(RealFixtures.JwksB, "2025-03-06T18:00:00.000Z", "https://example.com", "957014466", false), CompareFamily: false));
        return cases;
    }

    /// <summary>A valid token whose RS256 signature happens to start with a zero byte (about one in 256).</summary>
    private static string LeadingZeroSignatureToken()
    {
        for (var i = 0; ; i++)
        {
            var token = Token(c => c["x-attempt"] = i.ToString(CultureInfo.InvariantCulture));
            if (System.Buffers.Text.Base64Url.DecodeFromChars(SignatureOf(token))[0] == 0)
            {
                return token;
            }
        }
    }

    private static string Printable(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            builder.Append(c is >= ' ' and < '\u007f' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return builder.ToString();
    }
}
