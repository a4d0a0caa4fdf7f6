using System.Text;

namespace OidcToken.Testing;

/// <summary>
/// The part of CEL a GitHub attribute condition usually needs: comparisons <c>assertion.CLAIM == 'value'</c> (or
/// <c>!=</c>; the literal in single or double quotes, <c>\\</c> and <c>\'</c>/<c>\"</c> escaped) joined by <c>&amp;&amp;</c>.
/// Anything else is refused when parsed, so a test never passes on a condition the mock did not understand.
/// </summary>
internal static class CelCondition
{
    /// <summary>Parses <paramref name="expression"/> into a predicate over the token's claims.</summary>
    /// <exception cref="ArgumentException">The expression uses more of CEL than this.</exception>
    internal static Func<IReadOnlyDictionary<string, string>, bool> Parse(string expression)
    {
        var terms = new List<(string Claim, bool Equal, string Value)>();
        var i = 0;
        while (true)
        {
            SkipSpace();
            const string Prefix = "assertion.";
            if (string.CompareOrdinal(expression, i, Prefix, 0, Prefix.Length) != 0)
            {
                throw Unsupported();
            }

            i += Prefix.Length;
            var start = i;
            while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] == '_'))
            {
                i++;
            }

            var claim = expression[start..i];
            SkipSpace();
            bool equal;
            if (string.CompareOrdinal(expression, i, "==", 0, 2) == 0)
            {
                equal = true;
            }
            else if (string.CompareOrdinal(expression, i, "!=", 0, 2) == 0)
            {
                equal = false;
            }
            else
            {
                throw Unsupported();
            }

            i += 2;
            SkipSpace();
            if (claim.Length == 0 || i >= expression.Length || expression[i] is not ('\'' or '"'))
            {
                throw Unsupported();
            }

            var quote = expression[i++];
            var value = new StringBuilder();
            while (i < expression.Length && expression[i] != quote)
            {
                if (expression[i] == '\\' && i + 1 < expression.Length && expression[i + 1] is '\\' or '\'' or '"')
                {
                    i++;
                }

                value.Append(expression[i++]);
            }

            if (i >= expression.Length)
            {
                throw Unsupported();
            }

            i++;
            terms.Add((claim, equal, value.ToString()));
            SkipSpace();
            if (i == expression.Length)
            {
                break;
            }

            if (string.CompareOrdinal(expression, i, "&&", 0, 2) != 0)
            {
                throw Unsupported();
            }

            i += 2;
        }

        return claims => terms.All(t => claims.TryGetValue(t.Claim, out var v) && string.Equals(v, t.Value, StringComparison.Ordinal) == t.Equal);

        void SkipSpace()
        {
            while (i < expression.Length && char.IsWhiteSpace(expression[i]))
            {
                i++;
            }
        }

        ArgumentException Unsupported() => new(
            "MockGoogleCloud understands attribute conditions of the form assertion.CLAIM == 'value' (or !=) joined by &&; it cannot evaluate: " + expression,
            nameof(expression));
    }
}
