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
            problem = "Subject: the pattern is empty; give a sub pattern such as 'repo:octo-org/octo-repo:ref:refs/heads/main'.";
            return null;
        }

        foreach (var c in pattern)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                problem = $"Subject: the pattern '{Validation.Text.Quote(pattern)}' contains whitespace or a control character; GitHub's sub never does.";
                return null;
            }
        }

        var (segments, separators) = Split(pattern);
        foreach (var segment in segments)
        {
            if (segment.Contains('*', StringComparison.Ordinal) && segment != "*")
            {
                problem = $"Subject: the pattern '{Validation.Text.Quote(pattern)}' has a '*' inside the segment '{Validation.Text.Quote(segment)}': '*' may only stand for a whole ':'- or '/'-separated segment (e.g. 'repo:octo-org/*'), because a partial star such as 'repo:octo*' also matches other owners like 'octo-evil'.";
                return null;
            }
        }

        problem = null;
        return new SubjectPattern(pattern, segments, separators);
    }

    public bool IsMatch(string subject)
    {
        var (segments, separators) = Split(subject);
        var n = _segments.Length;
        if (_finalStar)
        {
            if (segments.Length < n || (segments.Length == n && segments[n - 1].Length == 0))
            {
                return false;
            }
        }
        else if (segments.Length != n)
        {
            return false;
        }

        var repoForm = _repoForm && IsRepoForm(segments, separators);
        var literalCount = _finalStar ? n - 1 : n;
        for (var i = 0; i < literalCount; i++)
        {
            if (i < n - 1 && separators[i] != _separators[i])
            {
                return false;
            }

            if (!SegmentMatches(_segments[i], segments[i], repoForm && (i is 1 or 2)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SegmentMatches(string pattern, string value, bool isName)
    {
        if (pattern == "*")
        {
            return value.Length > 0;
        }

        if (!isName)
        {
            return string.Equals(pattern, value, StringComparison.Ordinal);
        }

        var patternAt = pattern.IndexOf('@', StringComparison.Ordinal);
        var valueAt = value.IndexOf('@', StringComparison.Ordinal);
        var patternName = patternAt < 0 ? pattern : pattern[..patternAt];
        var valueName = valueAt < 0 ? value : value[..valueAt];
        if (!string.Equals(patternName, valueName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // A name without an id matches both forms; a name with an id requires that exact id.
        return patternAt < 0 || (valueAt >= 0 && string.Equals(pattern[(patternAt + 1)..], value[(valueAt + 1)..], StringComparison.Ordinal));
    }

    private static bool IsRepoForm(string[] segments, char[] separators) =>
        segments.Length >= 3 && segments[0] == "repo" && separators[0] == ':' && separators[1] == '/';

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
