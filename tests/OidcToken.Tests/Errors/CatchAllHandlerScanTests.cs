using System.Text.RegularExpressions;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Errors;

/// <summary>
/// The error rule of docs/ARCHITECTURE.md: no catch-all handler below the CLI's top level. Scans every src/**/*.cs
/// (bin and obj excluded) for a handler that catches everything — <c>catch (Exception …)</c>, <c>catch (System.Exception …)</c>,
/// <c>catch (SystemException …)</c> or <c>catch (object …)</c> without a <c>when</c> filter or with one that is always
/// true (<c>when (true)</c>, <c>when (ex is Exception)</c>, <c>when (ex != null)</c>, …), and a bare <c>catch</c> — and
/// fails naming file:line for each, unless it is on the allow list below.
/// </summary>
/// <remarks>
/// A catch-all whose block ends by rethrowing the same exception (<c>throw;</c>) with no other way out (no
/// <c>return</c>, <c>break</c>, <c>continue</c>, <c>goto</c> or other <c>throw</c>) is cleanup, not a handler: it
/// lets every exception through unchanged (the mocks dispose a half-started server that way). It is not reported.
/// </remarks>
public sealed partial class CatchAllHandlerScanTests
{
    /// <summary>The allowed catch-alls: file (relative to the repository, '/' separators) and why.</summary>
    private static readonly Dictionary<string, string> Allowed = new(StringComparer.Ordinal)
    {
        ["src/OidcToken.Cli/OidcTokenCommand.cs"] =
            "the tool's one top-level handler: whatever escapes a command is reported on stderr with exit code 1 (internal error) instead of a crash dump",
    };

    [Fact]
    public void No_catch_all_handler_below_the_CLI_top_level()
    {
        var root = Fixtures.RepositoryRoot;
        var findings = new List<string>();
        var allowedSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var (line, clause) in FindCatchAlls(File.ReadAllText(path)))
            {
                if (Allowed.ContainsKey(relative))
                {
                    allowedSeen.Add(relative);
                    continue;
                }

                findings.Add($"{relative}:{line}: {clause}");
            }
        }

        Assert.True(findings.Count == 0, "catch-all handlers below the CLI's top level (catch the documented exceptions only, with a type or a real 'when' filter):\n" + string.Join('\n', findings));
        Assert.True(allowedSeen.SetEquals(Allowed.Keys), "an allow-listed file no longer has its catch-all; drop it from the list: " + string.Join(", ", Allowed.Keys.Except(allowedSeen)));
    }

    [Theory]
    [InlineData("try { } catch { }")]
    [InlineData("try { } catch\n{\n return; }")]
    [InlineData("try { } catch (Exception) { }")]
    [InlineData("try { } catch (Exception ex) { Log(ex); }")]
    [InlineData("try { } catch (System.Exception ex) { }")]
    [InlineData("try { } catch (global::System.Exception ex) { }")]
    [InlineData("try { } catch (SystemException ex) { }")]
    [InlineData("try { } catch (object o) { }")]
    [InlineData("try { } catch (Exception) when (true) { }")]
    [InlineData("try { } catch (Exception ex) when (ex is Exception) { }")]
    [InlineData("try { } catch (Exception ex) when (ex != null) { }")]
    [InlineData("try { } catch (Exception ex) when (ex is not null) { }")]
    [InlineData("try { } catch (Exception ex)\n    when (true)\n{ }")]
    [InlineData("try { } catch { cleanup(); throw; return; }")]
    [InlineData("try { } catch (Exception ex) { throw new InvalidOperationException(\"x\", ex); }")]
    public void The_scanner_reports_each_catch_all_form(string code)
    {
        Assert.Single(FindCatchAlls(code));
    }

    [Theory]
    [InlineData("try { } catch (IOException ex) { }")]
    [InlineData("try { } catch (Exception ex) when (ex is IOException or JsonException) { }")]
    [InlineData("try { } catch (Exception ex)\n    when (Translator.CanTranslate(ex, token))\n{ }")]
    [InlineData("try { } catch { server.Dispose(); throw; }")]
    [InlineData("try { } catch (Exception) { rsa.Dispose(); throw; }")]
    [InlineData("// catch (Exception) { }\nvar s = \"catch { }\";")]
    [InlineData("/* try { } catch { } */")]
    [InlineData("try { } catch (ExceptionDispatchInfoHolder e) { }")]
    public void The_scanner_lets_typed_filtered_and_rethrowing_catches_pass(string code)
    {
        Assert.Empty(FindCatchAlls(code));
    }

    /// <summary>The catch-all clauses in <paramref name="code"/>: (1-based line, the clause).</summary>
    internal static List<(int Line, string Clause)> FindCatchAlls(string code)
    {
        var text = Blank(code);
        var results = new List<(int, string)>();
        foreach (Match match in CatchKeyword().Matches(text))
        {
            var i = match.Index + match.Length;
            i = SkipSpace(text, i);
            string? type = null;
            if (i < text.Length && text[i] == '(')
            {
                var close = Matching(text, i, '(', ')');
                var declaration = text[(i + 1)..close].Trim();
                type = declaration.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries)[0];
                i = SkipSpace(text, close + 1);
                if (!IsCatchAllType(type))
                {
                    continue;
                }
            }

            string? filter = null;
            if (text.AsSpan(i).StartsWith("when", StringComparison.Ordinal) && i + 4 < text.Length && !char.IsLetterOrDigit(text[i + 4]))
            {
                var open = SkipSpace(text, i + 4);
                if (open < text.Length && text[open] == '(')
                {
                    var close = Matching(text, open, '(', ')');
                    filter = text[(open + 1)..close];
                    i = SkipSpace(text, close + 1);
                }
            }

            if (filter is not null && !IsAlwaysTrue(filter))
            {
                continue;
            }

            if (i >= text.Length || text[i] != '{')
            {
                continue;
            }

            var end = Matching(text, i, '{', '}');
            if (OnlyRethrows(text[(i + 1)..end]))
            {
                continue;
            }

            var line = 1 + text.AsSpan(0, match.Index).Count('\n');
            var clause = code[match.Index..i].ReplaceLineEndings(" ").Trim();
            results.Add((line, clause));
        }

        return results;
    }

    private static bool IsCatchAllType(string type) =>
        type is "Exception" or "System.Exception" or "global::System.Exception"
            or "SystemException" or "System.SystemException" or "global::System.SystemException"
            or "object" or "System.Object" or "global::System.Object";

    private static bool IsAlwaysTrue(string filter)
    {
        var f = Regex.Replace(filter, @"\s+", " ").Trim();
        return f == "true"
               || AlwaysTrueFilter().IsMatch(f);
    }

    /// <summary>True when the block's only way out is <c>throw;</c> at its end (cleanup that rethrows the same exception).</summary>
    private static bool OnlyRethrows(string block)
    {
        var trimmed = block.Trim();
        if (!RethrowAtEnd().IsMatch(trimmed))
        {
            return false;
        }

        var before = RethrowAtEnd().Replace(trimmed, string.Empty);
        return !OtherExit().IsMatch(before);
    }

    /// <summary>The code with comments, strings and char literals replaced by spaces (newlines kept, so lines still count).</summary>
    private static string Blank(string code)
    {
        var chars = code.ToCharArray();
        var i = 0;
        while (i < chars.Length)
        {
            if (chars[i] == '/' && i + 1 < chars.Length && chars[i + 1] == '/')
            {
                while (i < chars.Length && chars[i] != '\n')
                {
                    chars[i++] = ' ';
                }
            }
            else if (chars[i] == '/' && i + 1 < chars.Length && chars[i + 1] == '*')
            {
                while (i < chars.Length && !(chars[i] == '*' && i + 1 < chars.Length && chars[i + 1] == '/'))
                {
                    chars[i] = chars[i] == '\n' ? '\n' : ' ';
                    i++;
                }

                if (i < chars.Length)
                {
                    chars[i++] = ' ';
                    chars[i++] = ' ';
                }
            }
            else if (chars[i] == '"' && i + 2 < chars.Length && chars[i + 1] == '"' && chars[i + 2] == '"')
            {
                // Raw string literal: blank until the next """ (enough for catch clauses, which never sit inside one).
                var end = code.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                end = end < 0 ? chars.Length : end + 3;
                for (; i < end; i++)
                {
                    chars[i] = chars[i] == '\n' ? '\n' : ' ';
                }
            }
            else if (chars[i] == '"')
            {
                var verbatim = i > 0 && (chars[i - 1] == '@' || (chars[i - 1] == '$' && i > 1 && chars[i - 2] == '@'));
                chars[i++] = ' ';
                while (i < chars.Length)
                {
                    if (verbatim && chars[i] == '"' && i + 1 < chars.Length && chars[i + 1] == '"')
                    {
                        chars[i++] = ' ';
                        chars[i++] = ' ';
                        continue;
                    }

                    if (!verbatim && chars[i] == '\\')
                    {
                        chars[i++] = ' ';
                        if (i < chars.Length)
                        {
                            chars[i++] = ' ';
                        }

                        continue;
                    }

                    if (chars[i] == '"')
                    {
                        chars[i++] = ' ';
                        break;
                    }

                    chars[i] = chars[i] == '\n' ? '\n' : ' ';
                    i++;
                }
            }
            else if (chars[i] == '\'' && i + 2 < chars.Length)
            {
                var end = chars[i + 1] == '\\' ? code.IndexOf('\'', i + 3) : i + 2;
                if (end > 0 && end < chars.Length && chars[end] == '\'')
                {
                    for (; i <= end; i++)
                    {
                        chars[i] = ' ';
                    }
                }
                else
                {
                    i++;
                }
            }
            else
            {
                i++;
            }
        }

        return new string(chars);
    }

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static int Matching(string text, int open, char opening, char closing)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == opening)
            {
                depth++;
            }
            else if (text[i] == closing && --depth == 0)
            {
                return i;
            }
        }

        return text.Length - 1;
    }

    [GeneratedRegex(@"\bcatch\b")]
    private static partial Regex CatchKeyword();

    // "x is Exception", "x is System.Exception", "x is object", "x != null", "x is not null", "null != x", "x is { }".
    [GeneratedRegex(@"^!?\(?\s*\w+ (is (global::)?(System\.)?(Exception|SystemException|object|Object)|!= null|is not null|is \{ ?\})\s*\)?$|^null != \w+$")]
    private static partial Regex AlwaysTrueFilter();

    [GeneratedRegex(@"(^|[;{}\s])throw\s*;\s*$")]
    private static partial Regex RethrowAtEnd();

    [GeneratedRegex(@"\b(return|break|continue|goto|throw|yield)\b")]
    private static partial Regex OtherExit();
}
