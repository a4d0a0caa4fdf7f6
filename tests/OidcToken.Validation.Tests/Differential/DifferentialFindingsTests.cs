// Minimal reproducers for the differences the differential test found that are NOT deliberate stricter rules: places
// where our validator accepts what JsonWebTokenHandler (same rules) rejects, or breaks its own contract. Each test
// states the expected behaviour and FAILS until src/OidcToken.Validation is fixed; the corpus and fuzz tests fail on the
// same inputs. Do not turn them into documented exceptions: the invariant "we are never more permissive" has none.
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Differential;

public sealed class DifferentialFindingsTests
{
    [Fact]
    public async Task Finding_nbf_after_exp_is_accepted_inside_the_clock_skew()
    {
        // exp = now + 10 s, nbf = now + 30 s: an empty validity window. Both bounds pass with 60 s skew, so our validator
        // accepts; the handler refuses any token whose nbf is after its exp (IDX10224, SecurityTokenInvalidLifetimeException).
        var t = Now.ToUnixTimeSeconds();
        var token = Token(c => { c["iat"] = t; c["nbf"] = t + 30; c["exp"] = t + 10; });

        var oracle = await DifferentialCorpus.Kit.OracleAsync(token);
        var ours = await DifferentialCorpus.Kit.OursAsync(token);

        Assert.Equal(Family.Lifetime, oracle.Family);
        Assert.False(ours.Valid, "we accept a token whose nbf is after its exp; the reference rejects it: " + oracle);
    }

    [Fact]
    public async Task Finding_fractional_nbf_is_truncated_so_a_token_is_accepted_up_to_a_second_early()
    {
        // nbf = now + skew + 0.7 s: not valid for another 0.7 s (RFC 7519 NumericDate may be fractional). We truncate nbf to
        // whole seconds (JwtPayloadReader, Math.Floor) and accept; the handler rounds it to now + skew + 1 s and rejects.
        var t = Now.ToUnixTimeSeconds();
        var token = Token(c => { c["iat"] = t; c["nbf"] = t + 60.7; c["exp"] = t + 300; });

        var oracle = await DifferentialCorpus.Kit.OracleAsync(token);
        var ours = await DifferentialCorpus.Kit.OursAsync(token);

        Assert.Equal(Family.Lifetime, oracle.Family);
        Assert.False(ours.Valid, "we accept a token 0.7 s before its nbf - skew; the reference rejects it: " + oracle);
    }

    [Fact]
    public async Task Finding_exp_in_the_last_clock_skew_of_year_9999_makes_ValidateAsync_throw()
    {
        // exp = 253402300799 (9999-12-31T23:59:59Z), the largest NumericDate our reader accepts: exp + ClockSkew overflows
        // DateTimeOffset and ArgumentOutOfRangeException escapes ValidateAsync (contract: never throws for bad input).
        // Reached only after the signature verifies. The handler accepts the token.
        var token = Token(c => c["exp"] = 253402300799L);

        var ours = await DifferentialCorpus.Kit.OursAsync(token);

        Assert.NotEqual(Family.Threw, ours.Family);
    }

    [Theory]
    [InlineData("sub", "true")]
    [InlineData("sub", "[\"repo:octo-org/octo-repo:ref:refs/heads/main\"]")]
    [InlineData("jti", "42")]
    [InlineData("jti", "false")]
    public async Task Finding_registered_string_claim_of_another_JSON_type_is_accepted(string claim, string json)
    {
        // JsonWebTokenHandler's reader refuses these (IDX14101: the payload cannot be read); JwtPayloadReader maps a
        // boolean to "true"/"false" and silently drops numbers and arrays, so the token is valid for us (and a Subject()
        // or replay rule would see "true"/"false" or nothing). GitHub always sends strings; exp/nbf/iat/aud are already
        // type-checked, sub and jti (and the other registered string claims) are not.
        var token = Token(c => c[claim] = System.Text.Json.Nodes.JsonNode.Parse(json));

        var oracle = await DifferentialCorpus.Kit.OracleAsync(token);
        var ours = await DifferentialCorpus.Kit.OursAsync(token);

        Assert.False(oracle.Valid);
        Assert.False(ours.Valid, $"we accept {claim} = {json}; the reference rejects it: {oracle}");
    }
}
