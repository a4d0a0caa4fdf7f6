namespace OidcToken.Validation;

/// <summary>
/// A <c>sub</c> pattern. The text is cut into segments at every <c>:</c> and <c>/</c>; a <c>*</c> segment matches one
/// whole non-empty segment, and a final <c>*</c> matches the non-empty rest (across <c>/</c> and <c>:</c>). Literal
/// segments match exactly, except the owner and repository names of a <c>repo:OWNER/REPO</c> prefix: they compare
/// case-insensitively, and a name given without an id also matches the immutable <c>name@id</c> form.
/// </summary>
internal sealed class SubjectPattern
{
    private readonly string[] _segments;
    private readonly char[] _separators;
    private readonly bool _finalStar;
    private readonly bool _repoForm;

    private SubjectPattern(string text, string[] segments, char[] separators)
    {
        Text = text;
        _segments = segments;
        _separators = separators;
        _finalStar = segments[^1] == "*";
        _repoForm = IsRepoForm(segments, separators);
    }

    public string Text { get; }

    /// <summary>Compiles <paramref name="pattern"/>, or returns null with the problem.</summary>
    public static SubjectPattern? TryCreate(string pattern, out string? problem)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            problem = "the pattern is empty; give a sub pattern such as 'repo:octo-org/octo-repo:ref:refs/heads/main'.";
            return null;
        }

        foreach (var c in pattern)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                problem = $"the pattern '{Validation.Text.Quote(pattern)}' contains whitespace or a control character; GitHub's sub never does.";
                return null;
            }
        }

        var (segments, separators) = Split(pattern);
        foreach (var segment in segments)
        {
            if (segment.Contains('*', StringComparison.Ordinal) && segment != "*")
            {
                problem = $"the pattern '{Validation.Text.Quote(pattern)}' has a '*' inside the segment '{Validation.Text.Quote(segment)}': '*' may only stand for a whole ':'- or '/'-separated segment (e.g. 'repo:octo-org/*'), because a partial star such as 'repo:octo*' also matches other owners like 'octo-evil'.";
                return null;
            }
        }

        problem = null;
        return new SubjectPattern(pattern, segments, separators);
    }

    /// <summary>True when one of <paramref name="patterns"/> matches <paramref name="subject"/>.</summary>
    public static bool MatchesAny(SubjectPattern[] patterns, string subject)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.IsMatch(subject))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Matches <paramref name="subject"/> segment by segment, in place (no substrings: it runs on every token).</summary>
    public bool IsMatch(string subject)
    {
        var text = subject.AsSpan();
        var count = text.Count(':') + text.Count('/') + 1;
        var n = _segments.Length;
        if (_finalStar)
        {
            if (count < n || (count == n && (text.Length == 0 || text[^1] is ':' or '/')))
            {
                return false;
            }
        }
        else if (count != n)
        {
            return false;
        }

        var repoForm = _repoForm && IsRepoForm(text, count);
        var literalCount = _finalStar ? n - 1 : n;
        var start = 0;
        for (var i = 0; i < literalCount; i++)
        {
            var next = text[start..].IndexOfAny(':', '/');
            var end = next < 0 ? text.Length : start + next;

            // The subject has at least n segments, so the separators before segment n - 1 exist.
            if (i < n - 1 && text[end] != _separators[i])
            {
                return false;
            }

            if (!SegmentMatches(_segments[i], text[start..end], repoForm && (i is 1 or 2)))
            {
                return false;
            }

            start = end + 1;
        }

        return true;
    }

    private static bool SegmentMatches(string pattern, ReadOnlySpan<char> value, bool isName)
    {
        if (pattern == "*")
        {
            return value.Length > 0;
        }

        if (!isName)
        {
            return value.SequenceEqual(pattern);
        }

        var patternAt = pattern.IndexOf('@', StringComparison.Ordinal);
        var valueAt = value.IndexOf('@');
        var patternName = patternAt < 0 ? pattern.AsSpan() : pattern.AsSpan(0, patternAt);
        var valueName = valueAt < 0 ? value : value[..valueAt];
        if (!patternName.Equals(valueName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // A name without an id matches both forms; a name with an id requires that exact id.
        return patternAt < 0 || (valueAt >= 0 && pattern.AsSpan(patternAt + 1).SequenceEqual(value[(valueAt + 1)..]));
    }

    private static bool IsRepoForm(string[] segments, char[] separators) =>
        segments.Length >= 3 && segments[0] == "repo" && separators[0] == ':' && separators[1] == '/';

    /// <summary><see cref="IsRepoForm(string[], char[])"/> over the text: three or more segments, <c>repo:</c> then <c>/</c>.</summary>
    private static bool IsRepoForm(ReadOnlySpan<char> text, int count)
    {
        if (count < 3)
        {
            return false;
        }

        var first = text.IndexOfAny(':', '/');
        var second = first + 1 + text[(first + 1)..].IndexOfAny(':', '/');
        return text[..first].SequenceEqual("repo") && text[first] == ':' && text[second] == '/';
    }

    private static (string[] Segments, char[] Separators) Split(string text)
    {
        var segments = new List<string>();
        var separators = new List<char>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is ':' or '/')
            {
                segments.Add(text[start..i]);
                separators.Add(text[i]);
                start = i + 1;
            }
        }

        segments.Add(text[start..]);
        return ([.. segments], [.. separators]);
    }
}
