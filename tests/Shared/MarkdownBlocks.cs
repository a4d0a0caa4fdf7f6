using System.Text.RegularExpressions;

namespace OidcToken.TestSupport;

/// <summary>
/// The fenced code blocks of a Markdown file, for the tests that run or compile what the docs show (a reader pastes
/// those blocks; a block that no longer works is a bug). Compiled into every test assembly by tests/Directory.Build.props.
/// </summary>
internal static partial class MarkdownBlocks
{
    /// <summary>One fenced block: its info string's language, the nearest heading above it, its 1-based first line
    /// (the fence) and its text without the fences.</summary>
    internal sealed record Block(string Language, string Heading, int Line, string Text, string File)
    {
        /// <summary>Where the block is, for assertion messages: <c>README.md:221 (## Try it locally)</c>.</summary>
        public override string ToString() => $"{File}:{Line} ({Heading})";
    }

    /// <summary>The blocks of <paramref name="path"/>, in order; <paramref name="language"/> keeps only those whose info
    /// string starts with it (<c>csharp</c>, <c>shell</c>, …), case-insensitively.</summary>
    internal static IReadOnlyList<Block> Read(string path, string? language = null)
    {
        var lines = File.ReadAllLines(path);
        var blocks = new List<Block>();
        var heading = "(top)";
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith('#'))
            {
                heading = line.Trim();
                continue;
            }

            var open = Fence().Match(line);
            if (!open.Success)
            {
                continue;
            }

            var fence = open.Groups["fence"].Value;
            var info = open.Groups["info"].Value.Trim();
            var start = i;
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith(fence, StringComparison.Ordinal); i++)
            {
                body.Add(lines[i]);
            }

            var blockLanguage = info.Split(' ', 2)[0];
            if (language is null || blockLanguage.StartsWith(language, StringComparison.OrdinalIgnoreCase))
            {
                blocks.Add(new Block(blockLanguage, heading, start + 1, string.Join('\n', body) + "\n", Path.GetFileName(path)));
            }
        }

        return blocks;
    }

    [GeneratedRegex(@"^\s{0,3}(?<fence>```+|~~~+)(?<info>.*)$")]
    private static partial Regex Fence();
}
