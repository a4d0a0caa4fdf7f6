using System.Security.Cryptography;
using System.Text;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Attacks;

/// <summary>The header's <c>alg</c> is never trusted: RS256 is the only algorithm, whatever key material fits another.</summary>
public sealed class AlgorithmAttackTests
{
    [Fact]
    public async Task Control_RS256_token_signed_with_the_published_key_is_accepted()
    {
        using var validator = Validator();
        AssertAccepted(await validator.ValidateAsync(ValidToken()));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("nOnE")]
    public async Task Alg_none_with_an_empty_signature_is_refused(string alg)
    {
        using var validator = Validator();
        var token = B64(Header(alg).ToJsonString()) + "." + B64(Payload().ToJsonString()) + ".";
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.AlgorithmNotAllowed, token);
    }

    [Fact]
    public async Task Alg_none_carrying_a_genuine_RS256_signature_is_still_refused()
    {
        // The signature would verify under RS256; the header still names another algorithm.
        using var validator = Validator();
        var token = Sign(Header("none").ToJsonString(), Payload().ToJsonString());
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.AlgorithmNotAllowed, token);
    }

    public static TheoryData<string> PublicKeyEncodings() => new()
    {
        "spki-pem",
        "spki-der",
        "pkcs1-der",
        "modulus",
        "jwk-json",
    };

    [Theory]
    [MemberData(nameof(PublicKeyEncodings))]
    public async Task HS256_signed_with_the_RSA_public_key_is_refused(string encoding)
    {
        // Key confusion: a verifier that picks the algorithm from the header would use the public key as an HMAC secret.
        var parameters = Key.ExportParameters(false);
        var secret = encoding switch
        {
            "spki-pem" => Encoding.ASCII.GetBytes(Key.ExportSubjectPublicKeyInfoPem()),
            "spki-der" => Key.ExportSubjectPublicKeyInfo(),
            "pkcs1-der" => Key.ExportRSAPublicKey(),
            "modulus" => parameters.Modulus!,
            _ => Encoding.UTF8.GetBytes("{\"e\":\"" + B64(parameters.Exponent!) + "\",\"kty\":\"RSA\",\"n\":\"" + B64(parameters.Modulus!) + "\"}"),
        };
        var input = B64(Header("HS256").ToJsonString()) + "." + B64(Payload().ToJsonString());
        var token = input + "." + B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));

        using var validator = Validator();
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.AlgorithmNotAllowed, token);
    }

    public static TheoryData<string> OtherRsaAlgorithms() => new() { "RS384", "RS512", "PS256", "PS384", "PS512" };

    [Theory]
    [MemberData(nameof(OtherRsaAlgorithms))]
    public async Task Other_RSA_algorithm_signed_with_the_right_key_is_refused(string alg)
    {
        var hash = alg[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            _ => HashAlgorithmName.SHA512,
        };
        var padding = alg.StartsWith('P') ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var token = SignBytes(
            Encoding.UTF8.GetBytes(Header(alg).ToJsonString()), Encoding.UTF8.GetBytes(Payload().ToJsonString()), Key, hash, padding);

        using var validator = Validator();
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.AlgorithmNotAllowed, token);
    }

    [Theory]
    [InlineData("rs256")]
    [InlineData("RS256 ")]
    [InlineData("ES256")]
    [InlineData("")]
    [InlineData("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")]
    public async Task Alg_spelled_differently_from_RS256_is_refused_even_with_a_valid_RS256_signature(string alg)
    {
        using var validator = Validator();
        var token = Sign(Header(alg).ToJsonString(), Payload().ToJsonString());
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.AlgorithmNotAllowed, token);
    }

    [Fact]
    public async Task Missing_alg_is_refused()
    {
        using var validator = Validator();
        var token = Token(editHeader: h => h.Remove("alg"));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.AlgorithmNotAllowed, token);
    }
}
