using OidcToken.Validation.Tests.Verifying;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Attacks;

/// <summary>
/// Untrusted header and claim text made to forge log lines or reorder what an operator reads (CR/LF, ESC, line
/// separators, bidirectional overrides) and to flood them (12 KB): every result shows it escaped and capped.
/// </summary>
public sealed class HostileTextAttackTests
{
    /// <summary>Every escaped character once, an apostrophe, then padding to <paramref name="length"/> characters.</summary>
    internal static string HostileText(string marker, int length = 12 * 1024)
    {
        var text = marker + new string(TextQuoteTests.Hostile) + "'";
        return text + new string('k', length - text.Length);
    }

    private static void AssertNoRawHostileCharacter(string? text)
    {
        Assert.NotNull(text);
        Assert.DoesNotContain(text, c => TextQuoteTests.Hostile.Contains(c));
    }

    /// <summary>
    /// The first 200 characters shown, each hostile one as <c>\uXXXX</c> and the apostrophe as <c>\'</c>, then the length
    /// note: the cap counts characters as shown, escapes included.
    /// </summary>
    private static void AssertQuotedAndCapped(string quoted, string marker, int originalLength)
    {
        Assert.StartsWith(marker, quoted, StringComparison.Ordinal);
        foreach (var c in TextQuoteTests.Hostile)
        {
            Assert.Contains(TextQuoteTests.Escaped(c), quoted, StringComparison.Ordinal);
        }

        Assert.Contains("\\'", quoted, StringComparison.Ordinal);
        Assert.EndsWith($"…({originalLength} chars)", quoted, StringComparison.Ordinal);
        Assert.InRange(quoted.Length, 195, 200 + $"…({originalLength} chars)".Length);
    }

    [Fact]
    public async Task Kid_of_12_KB_with_control_line_separator_and_bidi_characters_is_escaped_and_capped_in_KeyId_and_Message()
    {
        using var validator = Validator(o => o.MaxTokenLength = 32 * 1024);
        var kid = HostileText("hostile-kid-");
        var token = Token(editHeader: h => h["kid"] = kid);

        var result = await validator.ValidateAsync(token);

        AssertRejected(result, GitHubOidcValidationFailure.UnknownKey, token);
        AssertNoRawHostileCharacter(result.KeyId);
        AssertNoRawHostileCharacter(result.Message);
        AssertNoRawHostileCharacter(result.ToString());
        AssertQuotedAndCapped(result.KeyId!, "hostile-kid-", kid.Length);
        Assert.Contains(result.KeyId!, result.Message, StringComparison.Ordinal);
        Assert.True(result.Message!.Length < 2048, $"the message is {result.Message.Length} characters long");
    }

    [Fact]
    public async Task Kid_with_hostile_characters_is_escaped_in_KeyId_of_every_failure_after_the_header()
    {
        using var validator = Validator();
        var kid = "kid\r\nfake-log-line\u202e\u2028";
        var expected = "kid\\u000d\\u000afake-log-line\\u202e\\u2028";
        foreach (var (token, failure) in new[]
        {
            (Token(c => c["aud"] = "https://other.example", h => h["kid"] = kid), GitHubOidcValidationFailure.InvalidAudience),
            (Token(editHeader: h => h["kid"] = kid), GitHubOidcValidationFailure.UnknownKey),
        })
        {
            var result = await validator.ValidateAsync(token);
            AssertRejected(result, failure, token);
            Assert.Equal(expected, result.KeyId);
            AssertNoRawHostileCharacter(result.Message);
        }
    }

    [Fact]
    public async Task Control_ordinary_kid_is_shown_unchanged()
    {
        using var validator = Validator();
        var result = await validator.ValidateAsync(ValidToken());
        AssertAccepted(result);
        Assert.Equal(KeyId, result.KeyId);
    }

    [Theory]
    [InlineData("RS256\u202e")]
    [InlineData("\u2066RS256\u2069")]
    [InlineData("RS256\r\nkid: forged")]
    [InlineData("\u001b[2JRS256")]
    public async Task Alg_with_a_bidi_or_control_character_is_escaped_in_the_AlgorithmNotAllowed_message(string alg)
    {
        using var validator = Validator();
        var token = Token(editHeader: h => h["alg"] = alg);

        var result = await validator.ValidateAsync(token);

        AssertRejected(result, GitHubOidcValidationFailure.AlgorithmNotAllowed, token);
        AssertNoRawHostileCharacter(result.Message);
        Assert.Contains("\\u", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alg_of_12_KB_with_hostile_characters_is_escaped_and_capped_in_the_message()
    {
        using var validator = Validator(o => o.MaxTokenLength = 32 * 1024);
        var alg = HostileText("RS256-");
        var token = Token(editHeader: h => h["alg"] = alg);

        var result = await validator.ValidateAsync(token);

        AssertRejected(result, GitHubOidcValidationFailure.AlgorithmNotAllowed, token);
        AssertNoRawHostileCharacter(result.Message);
        Assert.Contains($"…({alg.Length} chars)", result.Message, StringComparison.Ordinal);
        Assert.True(result.Message!.Length < 2048, $"the message is {result.Message.Length} characters long");
    }

    [Theory]
    [InlineData("iss", GitHubOidcValidationFailure.InvalidIssuer)]
    [InlineData("aud", GitHubOidcValidationFailure.InvalidAudience)]
    [InlineData("repository_id", GitHubOidcValidationFailure.PolicyViolation)]
    public async Task Claim_value_with_hostile_characters_is_escaped_and_capped_in_the_message(string claim, GitHubOidcValidationFailure expected)
    {
        using var validator = Validator(o => o.MaxTokenLength = 32 * 1024);
        var value = HostileText("hostile-" + claim + "-", 8 * 1024);
        var token = Token(c => c[claim] = value);

        var result = await validator.ValidateAsync(token);

        AssertRejected(result, expected, token);
        AssertNoRawHostileCharacter(result.Message);
        Assert.Contains($"…({value.Length} chars)", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jti_with_hostile_characters_is_escaped_in_the_replay_message()
    {
        var clock = Clock();
        using var validator = Validator(o =>
        {
            o.TimeProvider = clock;
            o.ReplayStore = new InMemoryJtiReplayStore(clock);
        });
        var token = Token(c => c["jti"] = "jti\n\u2029\u202eforged");
        AssertAccepted(await validator.ValidateAsync(token));

        var replayed = await validator.ValidateAsync(token);

        AssertRejected(replayed, GitHubOidcValidationFailure.Replayed, token);
        AssertNoRawHostileCharacter(replayed.Message);
        Assert.Contains("jti\\u000a\\u2029\\u202eforged", replayed.Message, StringComparison.Ordinal);
    }
}
