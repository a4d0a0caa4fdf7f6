using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Attacks;

/// <summary>Signatures that were removed, altered, moved, or spelled non-canonically.</summary>
public sealed class SignatureAttackTests
{
    [Fact]
    public async Task Control_untouched_token_is_accepted()
    {
        using var validator = Validator();
        AssertAccepted(await validator.ValidateAsync(ValidToken()));
    }

    [Fact]
    public async Task Tampered_payload_with_the_original_signature_is_refused()
    {
        using var validator = Validator();
        var original = Segments(ValidToken());
        var claims = Payload();
        claims["repository_id"] = "999999";
        var token = original[0] + "." + B64(claims.ToJsonString()) + "." + original[2];
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidSignature, token);
    }

    [Fact]
    public async Task Tampered_header_with_the_original_signature_is_refused()
    {
        using var validator = Validator();
        var original = Segments(ValidToken());
        var header = Header();
        header["typ"] = "at+jwt";
        var token = B64(header.ToJsonString()) + "." + original[1] + "." + original[2];
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidSignature, token);
    }

    [Fact]
    public async Task Stripped_signature_keeping_the_last_dot_is_refused()
    {
        using var validator = Validator();
        var s = Segments(ValidToken());
        var token = s[0] + "." + s[1] + ".";
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidSignature, token);
    }

    [Fact]
    public async Task Stripped_signature_and_dot_is_refused_as_malformed()
    {
        using var validator = Validator();
        var s = Segments(ValidToken());
        var token = s[0] + "." + s[1];
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Malformed, token);
    }

    [Fact]
    public async Task Signature_moved_from_another_valid_token_is_refused()
    {
        using var validator = Validator();
        var a = Segments(ValidToken());
        var b = Segments(ValidToken());
        var token = a[0] + "." + a[1] + "." + b[2];
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidSignature, token);
    }

    [Theory]
    [InlineData("prepend-zero")]
    [InlineData("drop-last-byte")]
    [InlineData("append-zero")]
    [InlineData("all-zero")]
    [InlineData("flip-first-bit")]
    public async Task Signature_bytes_altered_is_refused(string change)
    {
        using var validator = Validator();
        var s = Segments(ValidToken());
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(s[2]);
        byte[] altered = change switch
        {
            "prepend-zero" => [0, .. signature],
            "drop-last-byte" => signature[..^1],
            "append-zero" => [.. signature, 0],
            "all-zero" => new byte[signature.Length],
            _ => [(byte)(signature[0] ^ 0x80), .. signature[1..]],
        };
        var token = s[0] + "." + s[1] + "." + B64(altered);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidSignature, token);
    }

    [Fact]
    public async Task Signature_over_differently_spelled_JSON_of_the_same_claims_does_not_verify_the_reformatted_token()
    {
        // Signed compact JSON; presented re-serialized with spaces. Same claims, different bytes: refused.
        using var validator = Validator();
        var claims = Payload();
        var s = Segments(Sign(Header().ToJsonString(), claims.ToJsonString()));
        var pretty = claims.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var token = s[0] + "." + B64(pretty) + "." + s[2];
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidSignature, token);
    }

    /// <summary>
    /// Decision (contract): the unused low bits of a segment's last base64url character must be zero. Setting them
    /// decodes to the same bytes, so the signature would still verify; the validator refuses it as
    /// <see cref="GitHubOidcValidationFailure.NonCanonicalEncoding"/> so that one signed token has exactly one spelling
    /// (log-based dedupe/replay detection and the text shown to humans cannot diverge from what was verified).
    /// </summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, -1)]
    [InlineData(1, 1)]
    [InlineData(1, -1)]
    [InlineData(2, 1)]
    [InlineData(2, -1)]
    public async Task Non_canonical_base64url_with_the_same_decoded_bytes_is_refused(int segment, int bits)
    {
        using var validator = Validator();
        var token = CanonicalTokenWithUnusedBits();
        var s = Segments(token);
        var unused = UnusedBits(s[segment]);
        Assert.True(unused > 0, "test setup: the segment must have unused bits");
        s[segment] = NonCanonical(s[segment], bits < 0 ? (1 << unused) - 1 : bits);

        // Same bytes as the canonical token: a lenient decoder would accept it.
        Assert.Equal(LenientDecode(Segments(token)[segment]), LenientDecode(s[segment]));
        var mutated = string.Join('.', s);
        AssertRejected(await validator.ValidateAsync(mutated), GitHubOidcValidationFailure.NonCanonicalEncoding, mutated);

        // Control, same validator: the canonical spelling of the very same bytes passes.
        AssertAccepted(await validator.ValidateAsync(token));
    }

    /// <summary>A valid token whose three segments all end in a character with unused bits (lengths not multiples of 3).</summary>
    internal static string CanonicalTokenWithUnusedBits()
    {
        for (var pad = 0; pad < 64; pad++)
        {
            var header = Header();
            header["x-pad"] = new string('h', pad % 3);
            var claims = Payload();
            claims["x-pad"] = new string('p', pad / 3 % 3);
            var token = Sign(header.ToJsonString(), claims.ToJsonString());
            if (Segments(token).All(seg => UnusedBits(seg) > 0))
            {
                return token;
            }
        }

        throw new InvalidOperationException("unreachable: a 2048-bit signature is 256 bytes (256 % 3 == 1)");
    }

    [Fact]
    public async Task Base64_padding_is_refused_as_malformed()
    {
        using var validator = Validator();
        var s = Segments(CanonicalTokenWithUnusedBits());
        var padded = s[0] + "." + s[1] + "." + s[2] + (s[2].Length % 4 == 2 ? "==" : "=");
        AssertRejected(await validator.ValidateAsync(padded), GitHubOidcValidationFailure.Malformed, padded);
    }

    [Fact]
    public async Task Standard_base64_alphabet_is_refused_as_malformed()
    {
        using var validator = Validator();
        var token = ValidToken();
        while (!SignatureOf(token).Any(c => c is '-' or '_'))
        {
            token = ValidToken();
        }

        var s = Segments(token);
        var standard = s[0] + "." + s[1] + "." + s[2].Replace('-', '+').Replace('_', '/');
        AssertRejected(await validator.ValidateAsync(standard), GitHubOidcValidationFailure.Malformed, standard);
        AssertAccepted(await validator.ValidateAsync(token));
    }
}
