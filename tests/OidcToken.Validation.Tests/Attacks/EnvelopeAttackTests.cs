using System.Security.Cryptography;
using System.Text;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Attacks;

/// <summary>What is not a compact JWS at all: encrypted tokens, oversized input, garbage, broken or ambiguous JSON.</summary>
public sealed class EnvelopeAttackTests
{
    [Fact]
    public async Task Control_compact_JWS_is_accepted()
    {
        using var validator = Validator();
        AssertAccepted(await validator.ValidateAsync(ValidToken()));
    }

    [Fact]
    public async Task Five_part_JWE_is_refused_as_encrypted()
    {
        using var validator = Validator();
        var header = B64("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":\"" + KeyId + "\"}");
        var encryptedKey = B64(Key.Encrypt(RandomNumberGenerator.GetBytes(32), RSAEncryptionPadding.OaepSHA256));
        var token = string.Join('.', header, encryptedKey, B64(RandomNumberGenerator.GetBytes(12)), B64(RandomNumberGenerator.GetBytes(300)), B64(RandomNumberGenerator.GetBytes(16)));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Encrypted, token);
    }

    [Fact]
    public async Task Five_part_JWE_with_dir_and_empty_key_is_refused_as_encrypted()
    {
        using var validator = Validator();
        var token = string.Join('.', B64("{\"alg\":\"dir\",\"enc\":\"A128CBC-HS256\"}"), string.Empty, B64(RandomNumberGenerator.GetBytes(16)), B64(RandomNumberGenerator.GetBytes(64)), B64(RandomNumberGenerator.GetBytes(16)));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Encrypted, token);
    }

    [Fact]
    public async Task Token_over_the_length_cap_is_refused_before_parsing()
    {
        using var validator = Validator();
        var token = Token(c => c["padding"] = new string('x', 16 * 1024));
        Assert.True(token.Length > 16 * 1024);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.TooLarge, token);
    }

    [Fact]
    public async Task Megabyte_of_garbage_is_refused_as_too_large()
    {
        using var validator = Validator();
        var token = new string('A', 1024 * 1024) + "." + new string('B', 10) + "." + new string('C', 10);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.TooLarge, token);
    }

    [Fact]
    public async Task Control_token_just_under_a_lowered_length_cap_is_accepted_and_one_over_it_refused()
    {
        using var validator = Validator(o => o.MaxTokenLength = 2048);
        string? under = null, over = null;
        for (var n = 0; n < 2048 && (under is null || over is null); n++)
        {
            var token = Token(c => c["padding"] = new string('x', n));
            if (token.Length <= 2048)
            {
                under = token;
            }
            else
            {
                over ??= token;
            }
        }

        AssertAccepted(await validator.ValidateAsync(under!));
        AssertRejected(await validator.ValidateAsync(over!), GitHubOidcValidationFailure.TooLarge, over!);
    }

    public static TheoryData<string> GarbageInputs() => new()
    {
        string.Empty,
        " ",
        "\n",
        "a",
        ".",
        "..",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e.f",
        "!!!.###.$$$",
        "Bearer eyJhbGciOiJSUzI1NiJ9.e30.AAAA",
        "eyJhbGciOiJSUzI1NiJ9.e30.AAAA\n",
        " eyJhbGciOiJSUzI1NiJ9.e30.AAAA",
        "eyJhbGciOiJSUzI1NiJ9.e30 .AAAA",
        "\u00e9\u00e9\u00e9.\u00e9\u00e9.\u00e9",
        "A.AAAA.AAAA",
        "{\"alg\":\"RS256\"}.{}.sig",
    };

    [Theory]
    [MemberData(nameof(GarbageInputs))]
    public async Task Garbage_input_is_refused_as_malformed(string token)
    {
        using var validator = Validator();
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Malformed, token);
    }

    public static TheoryData<string, string> BadJson() => new()
    {
        { "header-not-json", "not json" },
        { "header-array", "[\"RS256\"]" },
        { "header-string", "\"RS256\"" },
        { "header-null", "null" },
        { "header-number", "256" },
        { "header-truncated", "{\"alg\":\"RS256\",\"kid\":\"" + KeyId + "\"" },
        { "header-trailing-garbage", "{\"alg\":\"RS256\",\"kid\":\"" + KeyId + "\"}x" },
        { "header-two-objects", "{\"alg\":\"RS256\",\"kid\":\"" + KeyId + "\"}{}" },
        { "header-duplicate-alg", "{\"alg\":\"none\",\"alg\":\"RS256\",\"kid\":\"" + KeyId + "\"}" },
        { "header-duplicate-alg-reverse", "{\"alg\":\"RS256\",\"alg\":\"none\",\"kid\":\"" + KeyId + "\"}" },
        { "header-duplicate-kid", "{\"alg\":\"RS256\",\"kid\":\"other\",\"kid\":\"" + KeyId + "\"}" },
        { "header-raw-nul", "{\"alg\":\"RS256\u0000\",\"kid\":\"" + KeyId + "\"}" },
        { "header-single-quotes", "{'alg':'RS256','kid':'" + KeyId + "'}" },
        { "header-comment", "{\"alg\":\"RS256\",/*x*/\"kid\":\"" + KeyId + "\"}" },
        { "header-trailing-comma", "{\"alg\":\"RS256\",\"kid\":\"" + KeyId + "\",}" },
        { "header-lone-surrogate-member-name", "{\"alg\":\"RS256\",\"kid\":\"" + KeyId + "\",\"\\ud800\":1}" },
        { "header-deep", "{\"alg\":\"RS256\",\"kid\":\"" + KeyId + "\",\"x\":" + new string('[', 5000) + new string(']', 5000) + "}" },
    };

    [Theory]
    [MemberData(nameof(BadJson))]
    public async Task Header_that_is_not_one_plain_JSON_object_is_refused_as_malformed(string name, string headerText)
    {
        using var validator = Validator();
        var token = Sign(headerText, Payload().ToJsonString());
        var result = await validator.ValidateAsync(token);
        AssertRejected(result, GitHubOidcValidationFailure.Malformed, token);
        Assert.False(string.IsNullOrEmpty(name));
    }

    public static TheoryData<string> BadPayloads()
    {
        var valid = Payload().ToJsonString();
        var body = valid[1..^1];
        return new()
        {
            "not json",
            "[" + valid + "]",
            "null",
            "\"" + body.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
            valid[..^1],
            valid + "x",
            valid + valid,
            "{" + body + ",\"repository_id\":\"999999\"}",
            "{\"repository_id\":\"999999\"," + body + "}",
            "{" + body + ",\"iss\":\"https://attacker.example\"}",
            "{" + body + ",\"aud\":\"https://attacker.example\"}",
            "{" + body + ",\"exp\":99999999999}",
            "{" + body + ",\"sub\":\"repo:attacker/repo:ref:refs/heads/main\"}",
            "{" + body + ",\"x\":" + new string('[', 5000) + new string(']', 5000) + "}",
            "{" + body + ",\"x\":\"a\u0000b\"}",
            "{" + body + ",}",
            "{" + body + ",\"\\udd7b\":1}",
            "{\"\\ud800x\":{\"iss\":null}," + body + "}",
        };
    }

    [Theory]
    [MemberData(nameof(BadPayloads))]
    public async Task Payload_that_is_not_one_plain_JSON_object_is_refused_as_malformed(string payloadText)
    {
        // Duplicates are the dangerous ones: the signature covers both values and parsers disagree on which one wins.
        using var validator = Validator();
        var token = Sign(Header().ToJsonString(), payloadText);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Malformed, token);
    }

    [Fact]
    public async Task Payload_bytes_that_are_not_UTF8_are_refused_as_malformed()
    {
        using var validator = Validator();
        var payload = Encoding.UTF8.GetBytes(Payload().ToJsonString());
        var broken = payload[..^2].Concat(new byte[] { 0xC3, 0x28 }).Concat(payload[^2..]).ToArray();
        var token = SignBytes(Encoding.UTF8.GetBytes(Header().ToJsonString()), broken);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Malformed, token);
    }

    [Fact]
    public async Task Payload_with_a_UTF8_byte_order_mark_is_refused_as_malformed()
    {
        // RFC 8259 forbids adding a BOM to networked JSON and only lets parsers ignore one; GitHub never sends it.
        // Safest reading of the contract ("payload not a JSON object -> Malformed"): the signed bytes must be exactly
        // one JSON object, so a BOM-prefixed payload is refused even though its signature verifies.
        using var validator = Validator();
        byte[] payload = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Payload().ToJsonString())];
        var token = SignBytes(Encoding.UTF8.GetBytes(Header().ToJsonString()), payload);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Malformed, token);
    }

    [Fact]
    public async Task Header_with_a_UTF8_byte_order_mark_is_refused_as_malformed()
    {
        using var validator = Validator();
        byte[] header = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Header().ToJsonString())];
        var token = SignBytes(header, Encoding.UTF8.GetBytes(Payload().ToJsonString()));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Malformed, token);
    }
}
