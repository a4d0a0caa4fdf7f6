using System.Text.Json.Nodes;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Attacks;

/// <summary>Headers that try to bring their own key, point at a key elsewhere, or demand extensions (offline validator).</summary>
public sealed class HeaderAttackTests
{
    [Fact]
    public async Task Control_plain_header_with_the_published_kid_is_accepted()
    {
        using var validator = Validator();
        AssertAccepted(await validator.ValidateAsync(ValidToken()));
    }

    private static JsonObject PublicJwk(System.Security.Cryptography.RSA key, string kid)
    {
        var p = key.ExportParameters(false);
        return new JsonObject { ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
    }

    [Fact]
    public async Task Embedded_jwk_with_the_attackers_key_is_refused()
    {
        using var validator = Validator();
        var token = Token(editHeader: h => h["jwk"] = PublicJwk(OtherKey, KeyId), key: OtherKey);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.ForbiddenHeader, token);
    }

    [Fact]
    public async Task Embedded_jwk_is_refused_even_when_it_is_the_genuine_key_and_the_signature_verifies()
    {
        // The header member itself is forbidden; no verifier may ever read keys from the token.
        using var validator = Validator();
        var token = Token(editHeader: h => h["jwk"] = PublicJwk(Key, KeyId));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.ForbiddenHeader, token);
    }

    [Theory]
    [InlineData("jku", "https://attacker.example/jwks.json")]
    [InlineData("x5u", "https://attacker.example/cert.pem")]
    public async Task Key_url_header_is_refused_offline(string member, string url)
    {
        using var validator = Validator();
        var token = Token(editHeader: h => h[member] = url, key: OtherKey);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.ForbiddenHeader, token);
    }

    [Fact]
    public async Task Embedded_x5c_certificate_chain_is_refused()
    {
        using var validator = Validator();
        var token = Token(editHeader: h => h["x5c"] = new JsonArray(Convert.ToBase64String(OtherKey.ExportSubjectPublicKeyInfo())), key: OtherKey);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.ForbiddenHeader, token);
    }

    [Theory]
    [InlineData("[\"urn:example:unknown\"]")]
    [InlineData("[\"exp\"]")]
    [InlineData("[\"b64\"]")]
    [InlineData("[]")]
    public async Task Crit_header_is_refused(string critJson)
    {
        using var validator = Validator();
        var token = Token(editHeader: h =>
        {
            h["crit"] = JsonNode.Parse(critJson);
            h["urn:example:unknown"] = true;
            h["b64"] = false;
        });
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.ForbiddenHeader, token);
    }

    [Fact]
    public async Task Missing_kid_is_refused()
    {
        using var validator = Validator();
        var token = Token(editHeader: h => h.Remove("kid"));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.MissingKeyId, token);
    }

    [Theory]
    [InlineData("attack-kit-key-2")]
    [InlineData("ATTACK-KIT-KEY-1")]
    [InlineData("attack-kit-key-1 ")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("https://attacker.example/key")]
    public async Task Unknown_kid_is_refused_offline(string kid)
    {
        using var validator = Validator();
        var token = Token(editHeader: h => h["kid"] = kid);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.UnknownKey, token);
    }

    [Fact]
    public async Task Same_kid_signed_by_another_key_is_refused()
    {
        using var validator = Validator();
        var token = Token(key: OtherKey);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidSignature, token);
    }

    [Fact]
    public async Task Kid_of_another_published_key_does_not_let_a_signature_by_a_different_published_key_through()
    {
        // TryAllIssuerSigningKeys must be off: the kid picks the key, no fallback to the others.
        using var validator = Validator(o => o.SigningKeys = KeySet((KeyId, Key), ("attack-kit-key-2", OtherKey)));
        var token = Token(editHeader: h => h["kid"] = "attack-kit-key-2", key: Key);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidSignature, token);

        // Control with the same validator: each key verifies its own kid.
        AssertAccepted(await validator.ValidateAsync(Token(editHeader: h => h["kid"] = "attack-kit-key-2", key: OtherKey)));
        AssertAccepted(await validator.ValidateAsync(ValidToken()));
    }

    public static TheoryData<string, string> NonStringHeaderMembers()
    {
        var data = new TheoryData<string, string>();
        foreach (var member in new[] { "typ", "cty", "x5t", "zip" })
        {
            foreach (var json in new[] { "1", "0.5", "true", "null", "false", "[\"JWT\"]", "[]", "{\"typ\":\"JWT\"}", "{}" })
            {
                data.Add(member, json);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NonStringHeaderMembers))]
    public async Task Header_member_read_as_a_string_of_another_JSON_type_is_malformed(string member, string json)
    {
        using var validator = Validator();
        var token = Token(editHeader: h => h[member] = JsonNode.Parse(json));
        var result = await validator.ValidateAsync(token);
        AssertRejected(result, GitHubOidcValidationFailure.Malformed, token);
        Assert.Contains($"'{member}'", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("typ", "JWT")]
    [InlineData("cty", "JWT")]
    [InlineData("x5t", "ykNaY4qM_ta4k2TgZOCEYLkcYlA")]
    [InlineData("zip", "DEF")]
    public async Task Control_header_member_read_as_a_string_is_accepted_as_a_string(string member, string value)
    {
        using var validator = Validator();
        AssertAccepted(await validator.ValidateAsync(Token(editHeader: h => h[member] = value)));
    }
}
