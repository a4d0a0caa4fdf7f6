using System.Globalization;

namespace OidcToken.Validation.Tests.Verifying;

/// <summary><see cref="Text.Quote"/>: how untrusted text is shown in messages, logs, results and trace tags.</summary>
public sealed class TextQuoteTests
{
    /// <summary>Every character that can change how a line reads: controls, line separators, bidirectional formatting.</summary>
    public static readonly char[] Hostile =
    [
        '\0', '\a', '\b', '\t', '\n', '\v', '\f', '\r', '\u001b', '\u007f', '\u0085', '\u009b',
        '\u2028', '\u2029', '\u200e', '\u200f', '\u061c',
        '\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
        '\u2066', '\u2067', '\u2068', '\u2069',
    ];

    public static TheoryData<char> HostileCharacters() => [.. Hostile];

    internal static string Escaped(char c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(HostileCharacters))]
    public void Hostile_character_is_escaped_as_u_and_four_hex_digits(char c)
    {
        Assert.Equal("a" + Escaped(c) + "b", Text.Quote("a" + c + "b"));
    }

    [Theory]
    [InlineData("attack-kit-key-1")]
    [InlineData("ключ-ü-日本")]
    public void Ordinary_text_is_shown_as_it_is(string value)
    {
        Assert.Equal(value, Text.Quote(value));
    }

    [Fact]
    public void Apostrophe_is_escaped_so_a_quoted_value_cannot_close_its_quotes()
    {
        Assert.Equal("it\\'s", Text.Quote("it's"));
    }

    [Fact]
    public void Long_text_is_cut_at_200_characters_and_says_how_long_it_was()
    {
        var quoted = Text.Quote(new string('k', 12_000));
        Assert.Equal(new string('k', 200) + "…(12000 chars)", quoted);
    }

    [Fact]
    public void Cap_counts_characters_as_shown_so_escapes_never_make_the_text_longer()
    {
        var value = string.Concat(Enumerable.Repeat(new string(Hostile), 500));
        var quoted = Text.Quote(value);

        Assert.DoesNotContain(quoted, c => Hostile.Contains(c));
        Assert.EndsWith("…(" + value.Length.ToString(CultureInfo.InvariantCulture) + " chars)", quoted, StringComparison.Ordinal);
        Assert.InRange(quoted.Length - "…(13000 chars)".Length, 195, 200);
        Assert.Equal(0, (quoted.Length - "…(13000 chars)".Length) % 6);
    }

    [Fact]
    public void Null_is_empty()
    {
        Assert.Equal(string.Empty, Text.Quote(null));
    }
}
