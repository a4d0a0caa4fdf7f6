using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OidcToken.Validation.Tests.Attacks;
using static OidcToken.Validation.Tests.Attacks.AttackKit;
using static OidcToken.Validation.Tests.KeySources.HandMadeKeys;

namespace OidcToken.Validation.Tests.KeySources;

/// <summary>A kid published more than once is ambiguous: none of its keys is used, whichever comes first; other kids still work.</summary>
public sealed class DuplicateKeyIdTests
{
    private static readonly RSA ThirdKey = RSA.Create(2048);

    private static string SignedAs(string kid, RSA key, Action<JsonObject>? editClaims = null) => Token(editClaims, h => h["kid"] = kid, key);

    [Fact]
    public async Task Offline_token_signed_with_either_key_of_a_duplicated_kid_is_UnknownKey_while_a_unique_kid_works()
    {
        using var validator = Validator(o => o.SigningKeys = Jwks(Jwk("dup", Key), Jwk("dup", OtherKey), Jwk("unique", ThirdKey)));

        foreach (var key in new[] { Key, OtherKey })
        {
            var token = SignedAs("dup", key);
            AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.UnknownKey, token);
        }

        AssertAccepted(await validator.ValidateAsync(SignedAs("unique", ThirdKey)));
    }

    [Fact]
    public async Task Offline_kid_repeated_with_the_same_key_is_still_unused()
    {
        using var validator = Validator(o => o.SigningKeys = Jwks(Jwk("dup", Key), Jwk("dup", Key), Jwk("unique", ThirdKey)));
        var token = SignedAs("dup", Key);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.UnknownKey, token);
    }

    [Fact]
    public async Task Offline_kid_repeated_by_an_unusable_entry_makes_its_usable_key_unused_too()
    {
        using var validator = Validator(o => o.SigningKeys = Jwks(Jwk("dup", Key), Jwk("dup", OtherKey, use: "enc"), Jwk("unique", ThirdKey)));
        var token = SignedAs("dup", Key);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.UnknownKey, token);
    }

    [Fact]
    public void Offline_set_in_which_every_kid_is_duplicated_is_refused_by_the_constructor()
    {
        var options = Options();
        options.SigningKeys = Jwks(Jwk("a", Key), Jwk("a", OtherKey), Jwk("b", ThirdKey), Jwk("b", ThirdKey));

        var error = Assert.Throws<GitHubOidcSettingsException>(() => new GitHubOidcTokenValidator(options));

        Assert.Contains("SigningKeys holds no usable key", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.Problems, p => p.Setting == nameof(GitHubOidcValidationOptions.SigningKeys));
    }

    [Fact]
    public async Task Online_token_signed_with_either_key_of_a_duplicated_kid_is_UnknownKey_while_a_unique_kid_works()
    {
        using var issuer = StartIssuer();
        issuer.OverrideJwksBody(JwksJson(Jwk("dup", Key), Jwk("dup", OtherKey), Jwk("unique", ThirdKey)));
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        string Online(string kid, RSA key) => SignedAs(kid, key, c =>
        {
            foreach (var (name, value) in Payload(TimeProvider.System.GetUtcNow()))
            {
                c[name] = value?.DeepClone();
            }

            c["iss"] = issuer.Issuer;
        });

        AssertAccepted(await validator.ValidateAsync(Online("unique", ThirdKey)));
        foreach (var key in new[] { Key, OtherKey })
        {
            var token = Online("dup", key);
            AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.UnknownKey, token);
        }

        AssertAccepted(await validator.ValidateAsync(Online("unique", ThirdKey)));
    }

    [Fact]
    public async Task Online_JWKS_in_which_every_kid_is_duplicated_is_refused_as_keys_unavailable()
    {
        using var issuer = StartIssuer();
        issuer.OverrideJwksBody(JwksJson(Jwk("dup", Key), Jwk("dup", OtherKey)));
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        var token = Token(
            c =>
            {
                foreach (var (name, value) in Payload(TimeProvider.System.GetUtcNow()))
                {
                    c[name] = value?.DeepClone();
                }

                c["iss"] = issuer.Issuer;
            },
            h => h["kid"] = "dup");

        var result = await validator.ValidateAsync(token);

        AssertRejected(result, GitHubOidcValidationFailure.KeysUnavailable, token, GitHubOidcFailureKind.KeysUnavailable);
        Assert.Contains("the JWKS holds no usable RS256 signing key", result.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// The RSA public exponent must be odd and at least 3: with e = 1 every message is its own signature, and an even e is
/// not an RSA key. Keys with e = 3 and e = 65537 are used. (OpenSSL 3 also refuses e = 1 and even exponents when the key
/// is imported, "bad e value"; the validator's own rule makes the verdict the same where the platform would import them.)
/// </summary>
public sealed class RsaExponentTests
{
    private static byte[] Modulus => Key.ExportParameters(false).Modulus!;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(65536)]
    public async Task Key_with_an_exponent_of_one_or_an_even_exponent_is_unused(long exponent)
    {
        using var validator = Validator(o => o.SigningKeys = Jwks(Jwk(KeyId, Key), Jwk("odd-e", Modulus, HandMadeKeys.Exponent(exponent))));
        var token = Token(editHeader: h => h["kid"] = "odd-e");
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.UnknownKey, token);
        AssertAccepted(await validator.ValidateAsync(ValidToken()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(65536)]
    public void Offline_set_whose_only_key_has_an_exponent_of_one_or_an_even_exponent_is_refused_by_the_constructor(long exponent)
    {
        var options = Options();
        options.SigningKeys = Jwks(Jwk(KeyId, Modulus, HandMadeKeys.Exponent(exponent)));

        var error = Assert.Throws<GitHubOidcSettingsException>(() => new GitHubOidcTokenValidator(options));

        Assert.Contains("SigningKeys holds no usable key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_is_its_own_signature_under_e_equal_1_and_that_forgery_is_refused()
    {
        using var validator = Validator(o => o.SigningKeys = Jwks(Jwk(KeyId, Key), Jwk("e-one", Modulus, [1])));
        var header = AttackKit.Header(kid: "e-one").ToJsonString();
        var signingInput = B64(header) + "." + B64(Payload().ToJsonString());
        var signature = Pkcs1Sha256Block(Encoding.ASCII.GetBytes(signingInput), Modulus.Length);
        var forged = signingInput + "." + B64(signature);

        // Textbook RS256 verification with (n, e = 1) recovers exactly the expected block: no private key was needed.
        Assert.Equal(signature, RaiseToExponent(signature, [1], Modulus));

        AssertRejected(await validator.ValidateAsync(forged), GitHubOidcValidationFailure.UnknownKey, forged);
    }

    [Fact]
    public async Task Key_with_exponent_3_is_used()
    {
        var key = KeyWithExponentThree;
        Assert.Equal(new byte[] { 3 }, key.ExportParameters(false).Exponent);
        using var validator = Validator(o => o.SigningKeys = Jwks(Jwk("e-three", key)));

        AssertAccepted(await validator.ValidateAsync(Token(editHeader: h => h["kid"] = "e-three", key: key)));
        var wrong = Token(editHeader: h => h["kid"] = "e-three", key: OtherKey);
        AssertRejected(await validator.ValidateAsync(wrong), GitHubOidcValidationFailure.InvalidSignature, wrong);
    }

    [Fact]
    public async Task Key_with_exponent_65537_is_used()
    {
        Assert.Equal(new byte[] { 1, 0, 1 }, Key.ExportParameters(false).Exponent);
        using var validator = Validator(o => o.SigningKeys = Jwks(Jwk("e-65537", Modulus, HandMadeKeys.Exponent(65537))));
        AssertAccepted(await validator.ValidateAsync(Token(editHeader: h => h["kid"] = "e-65537")));
    }

    [Fact]
    public async Task Online_key_with_exponent_1_is_unused_and_its_forgery_refused()
    {
        using var issuer = StartIssuer();
        issuer.OverrideJwksBody(JwksJson(Jwk("e-one", Modulus, [1]), Jwk(KeyId, Key)));
        using var validator = new GitHubOidcTokenValidator(OnlineOptions(issuer));
        var claims = Payload(TimeProvider.System.GetUtcNow());
        claims["iss"] = issuer.Issuer;
        var signingInput = B64(AttackKit.Header(kid: "e-one").ToJsonString()) + "." + B64(claims.ToJsonString());
        var forged = signingInput + "." + B64(Pkcs1Sha256Block(Encoding.ASCII.GetBytes(signingInput), Modulus.Length));

        AssertRejected(await validator.ValidateAsync(forged), GitHubOidcValidationFailure.UnknownKey, forged);
        claims["jti"] = Guid.NewGuid().ToString("D");
        AssertAccepted(await validator.ValidateAsync(Sign(AttackKit.Header().ToJsonString(), claims.ToJsonString())));
    }
}
