// Shared pieces of the fuzz campaigns (tests/*/Fuzz): a bounded call that turns a hang into a failure, the check that an
// outcome is a documented one (docs/ARCHITECTURE.md), and generators of hostile text. Budget and replay:
// FuzzSettings.cs.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace OidcToken.Fuzzing;

/// <summary>A generated input with a short description of how it was made (what CsCheck prints for a failing case).</summary>
internal sealed record FuzzCase(string Description, string Text)
{
    public override string ToString() => Description + " | " + FuzzKit.Shorten(Text, 160);
}

internal static class FuzzKit
{
    /// <summary>How long one call may take before it counts as a hang (loopback only; a long campaign gets more slack under load).</summary>
    public static TimeSpan CallBound => FuzzSettings.IsLongCampaign ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(20);

    /// <summary>
    /// Runs <paramref name="call"/> and returns what it threw (null when it completed). A call still running after
    /// <see cref="CallBound"/> fails the test as a hang.
    /// </summary>
    public static async Task<Exception?> Bounded(Func<Task> call, object what)
    {
        Task task;
        try
        {
            task = call();
        }
        catch (Exception ex)
        {
            return ex;
        }

        try
        {
            await task.WaitAsync(CallBound);
            return null;
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            Assert.Fail($"hang: no outcome within {CallBound.TotalSeconds} s for {what}");
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>
    /// The error rule for every public API (docs/ARCHITECTURE.md): nothing escapes but
    /// <see cref="OidcTokenException"/> with a defined code and a message (cancellation is never requested by the fuzzers, so <see cref="OperationCanceledException"/>
    /// is a failure here too).
    /// </summary>
    public static OidcTokenException? AssertDocumented(Exception? error, object what)
    {
        switch (error)
        {
            case null:
                return null;
            case OidcTokenException documented:
                Assert.True(Enum.IsDefined(documented.ErrorCode), $"undefined error code {(int)documented.ErrorCode} for {what}");
                Assert.False(string.IsNullOrWhiteSpace(documented.Message), $"empty message for {what}");
                return documented;
            default:
                Assert.Fail($"undocumented exception for {what}:\n{error}");
                return null;
        }
    }

    public static string Shorten(string text, int max = 80) =>
        text.Length <= max ? text : text[..max] + "…(" + text.Length.ToString(CultureInfo.InvariantCulture) + " chars)";

    /// <summary>Random UTF-16 text: any code unit (lone surrogates, NULs, controls) or printable ASCII.</summary>
    public static string RandomText(Random random, int maxLength)
    {
        var chars = new char[random.Next(maxLength + 1)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = random.Next(4) switch
            {
                0 => (char)random.Next(0, 0x10000),
                1 => (char)random.Next(0, 0x20),
                _ => (char)random.Next(0x20, 0x7f),
            };
        }

        return new string(chars);
    }

    public static byte[] RandomBytes(Random random, int maxLength)
    {
        var bytes = new byte[random.Next(maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A JSON string literal of <paramref name="s"/>, escaping what JSON requires and every surrogate (so lone ones survive as escapes).</summary>
    public static string JsonString(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            if (c is '"' or '\\' || c < 0x20 || char.IsSurrogate(c))
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('"').ToString();
    }
}

/// <summary>
/// Hostile JSON: arbitrary text, deep nesting, huge numbers, token soup, and mutations of a realistic template (one value
/// replaced by a hostile one, a member duplicated, truncation, a BOM, NULs, lone surrogates, trailing garbage), so the
/// fuzz reaches past the first shape check into the code that reads each field.
/// </summary>
internal static class HostileJson
{
    private static readonly string[] HostileValues =
    [
        "null", "true", "false", "0", "-0", "-1", "1.5", "1e400", "-1e400", "1e-400", "1E+2147483648",
        "123456789012345678901234567890123456789", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "253402300799", "253402300800", "1.7976931348623157e308", "4.9e-324", "[]", "{}", "[null]", "[\"x\"]", "[1,\"a\",{}]", "{\"a\":1}",
        "\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\uFEFF\"", "\"\\\\\"", "\"\\/\"",
        "\"\\u202e\"", "\"%00\"", "\"\\n\\r\\t\"", "\"0\"", "\"-1\"", "\"1e400\"", "\"true\"", "\"null\"",
        "\"https://evil.example\"", "\"http://127.0.0.1:1/\"", "\"file:///etc/passwd\"", "\"javascript:alert(1)\"",
        "\"2026-02-30T25:61:61Z\"", "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00Z\"", "\"not a date\"",
        "\"AAAA\"", "\"====\"", "\"!!!\"", "\"a.b.c\"", "\"eyJ.eyJ.x\"",
    ];

    /// <summary>Cases drawn from <paramref name="templates"/> (valid documents of the shape the parser expects) and from scratch.</summary>
    public static Gen<FuzzCase> Cases(params string[] templates) =>
        Gen.Int.Select(seed => Case(seed, templates));

    /// <summary>A raw JSON value text that is legal but hostile, or illegal.</summary>
    public static string HostileValue(Random random)
    {
        return random.Next(10) switch
        {
            0 => Deep(random, random.Next(1, 3000), closed: true),
            1 => new string('9', random.Next(20, 5000)),
            2 => "\"" + new string('a', random.Next(1, 80_000)) + "\"",
            3 => FuzzKit.JsonString(FuzzKit.RandomText(random, 40)),
            4 => "\"" + FuzzKit.RandomText(random, 20).Replace("\"", string.Empty, StringComparison.Ordinal).Replace("\\", string.Empty, StringComparison.Ordinal) + "\"",
            _ => HostileValues[random.Next(HostileValues.Length)],
        };
    }

    public static FuzzCase Case(int seed, IReadOnlyList<string> templates)
    {
        var random = new Random(seed);
        var label = "seed " + seed.ToString(CultureInfo.InvariantCulture) + ": ";
        var template = templates.Count > 0 ? templates[random.Next(templates.Count)] : "{}";
        switch (random.Next(16))
        {
            case 0:
                return new(label + "random text", FuzzKit.RandomText(random, 300));
            case 1:
                return new(label + "random bytes as Latin-1", Encoding.Latin1.GetString(FuzzKit.RandomBytes(random, 300)));
            case 2:
            {
                var depth = random.Next(1, 20_000);
                var closed = random.Next(2) == 0;
                return new(label + "deep nesting " + depth.ToString(CultureInfo.InvariantCulture) + (closed ? "" : " unclosed"), Deep(random, depth, closed));
            }

            case 3:
                return new(label + "huge number", random.Next(3) switch
                {
                    0 => new string('9', random.Next(1, 100_000)),
                    1 => "1e" + random.NextInt64().ToString(CultureInfo.InvariantCulture),
                    _ => "-0." + new string('0', random.Next(1, 5000)) + "1e-99999",
                });
            case 4:
                return new(label + "token soup", Soup(random));
            case 5:
                return new(label + "empty or blank", random.Next(4) switch { 0 => string.Empty, 1 => " \t\r\n", 2 => "\uFEFF", _ => "\0" });
            case 6:
            {
                var cut = template.Length == 0 ? 0 : random.Next(template.Length);
                return new(label + "truncated at " + cut.ToString(CultureInfo.InvariantCulture), template[..cut]);
            }

            case 7:
                return new(label + "BOM + template", "\uFEFF" + template);
            case 8:
            {
                var at = random.Next(template.Length + 1);
                string[] inserts = ["\0", "\\u0000", "\ud800", "\udc00", "\\ud800", "\uFEFF", "\u2028", "\"", "\\", "}", "]", ",", "{", "[", "\u0085"];
                var insert = inserts[random.Next(inserts.Length)];
                return new(label + "inserted " + FuzzKit.JsonString(insert) + " at " + at.ToString(CultureInfo.InvariantCulture), template.Insert(at, insert));
            }

            case 9:
                return new(label + "template + trailing garbage", template + (random.Next(3) switch { 0 => template, 1 => ",", _ => FuzzKit.RandomText(random, 10) }));
            case 10:
                return new(label + "template wrapped", random.Next(3) switch { 0 => "[" + template + "]", 1 => FuzzKit.JsonString(template), _ => "{\"x\":" + template + "}" });
            default:
                return Mutated(random, label, template);
        }
    }

    public static string Deep(Random random, int depth, bool closed)
    {
        var array = random.Next(2) == 0;
        var open = array ? new StringBuilder().Insert(0, "[", depth).ToString() : new StringBuilder().Insert(0, "{\"a\":", depth).ToString();
        if (!closed)
        {
            return open;
        }

        return open + (array ? "1" + new string(']', depth) : "1" + new string('}', depth));
    }

    private static string Soup(Random random)
    {
        string[] tokens = ["{", "}", "[", "]", ":", ",", "\"value\"", "\"keys\"", "\"x\"", "1", "-", "e", "true", "null", " ", "\"", "\\"];
        var sb = new StringBuilder();
        for (var n = random.Next(1, 60); n > 0; n--)
        {
            sb.Append(tokens[random.Next(tokens.Length)]);
        }

        return sb.ToString();
    }

    /// <summary>The template with one value replaced, one member duplicated, or one member removed (several edits at times).</summary>
    private static FuzzCase Mutated(Random random, string label, string template)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(template);
        }
        catch (System.Text.Json.JsonException)
        {
            return new(label + "template (unparsable)", template);
        }

        var edits = new Dictionary<int, Edit>();
        var slots = CountSlots(root);
        var log = new StringBuilder(label + "mutated");
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var slot = random.Next(Math.Max(1, slots));
            var kind = (EditKind)random.Next(4);
            var value = kind == EditKind.Replace || kind == EditKind.Duplicate ? HostileValue(random) : null;
            edits[slot] = new Edit(kind, value);
            log.Append(' ').Append(kind).Append('#').Append(slot.ToString(CultureInfo.InvariantCulture));
            if (value is not null)
            {
                log.Append('=').Append(FuzzKit.Shorten(value, 30));
            }
        }

        var sb = new StringBuilder();
        var counter = 0;
        Render(root, sb, edits, ref counter);
        return new(log.ToString(), sb.ToString());
    }

    private enum EditKind
    {
        Replace,
        Duplicate,
        Remove,
        DuplicateSame,
    }

    private sealed record Edit(EditKind Kind, string? Value);

    private static int CountSlots(JsonNode? node) => node switch
    {
        JsonObject o => 1 + o.Sum(p => CountSlots(p.Value)),
        JsonArray a => 1 + a.Sum(CountSlots),
        _ => 1,
    };

    /// <summary>Writes <paramref name="node"/> as JSON, applying the edit of each numbered slot (a slot is a value, numbered depth first).</summary>
    private static void Render(JsonNode? node, StringBuilder sb, Dictionary<int, Edit> edits, ref int counter)
    {
        var slot = counter++;
        if (edits.TryGetValue(slot, out var edit) && edit.Kind == EditKind.Replace)
        {
            sb.Append(edit.Value);
            counter += CountSlots(node) - 1;
            return;
        }

        switch (node)
        {
            case JsonObject o:
            {
                sb.Append('{');
                var first = true;
                foreach (var (name, value) in o)
                {
                    var memberSlot = counter;
                    edits.TryGetValue(memberSlot, out var memberEdit);
                    if (memberEdit?.Kind == EditKind.Remove)
                    {
                        counter += CountSlots(value);
                        continue;
                    }

                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    sb.Append(FuzzKit.JsonString(name)).Append(':');
                    if (memberEdit?.Kind is EditKind.Duplicate or EditKind.DuplicateSame)
                    {
                        // The member twice: first as it is (or hostile), then again as the template has it.
                        var inner = 0;
                        var copy = new StringBuilder();
                        Render(value, copy, [], ref inner);
                        sb.Append(memberEdit.Kind == EditKind.Duplicate ? memberEdit.Value : copy.ToString());
                        sb.Append(',').Append(FuzzKit.JsonString(name)).Append(':');
                    }

                    Render(value, sb, edits, ref counter);
                }

                sb.Append('}');
                break;
            }

            case JsonArray a:
            {
                sb.Append('[');
                var first = true;
                foreach (var item in a)
                {
                    if (edits.TryGetValue(counter, out var itemEdit) && itemEdit.Kind == EditKind.Remove)
                    {
                        counter += CountSlots(item);
                        continue;
                    }

                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    Render(item, sb, edits, ref counter);
                }

                sb.Append(']');
                break;
            }

            case null:
                sb.Append("null");
                break;
            default:
                sb.Append(node.ToJsonString());
                break;
        }
    }
}
