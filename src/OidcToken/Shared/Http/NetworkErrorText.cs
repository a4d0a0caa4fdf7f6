namespace OidcToken.Http;

/// <summary>
/// Words a network failure for a message a person reads in a CI log: the messages of the exception and its inner ones,
/// outermost first, without .NET's "see inner exception" pointers (the log shows no inner exception) and without a
/// message that only repeats the one before it. For example
/// <c>The SSL connection could not be established ← Received an unexpected EOF or 0 bytes from the transport stream.</c>
/// Callers scrub the result of known secrets like any other text from outside.
/// </summary>
internal static class NetworkErrorText
{
    private const string Pointer = ", see inner exception.";
    private const int MaxDepth = 4;

    /// <summary>The messages of <paramref name="exception"/> and up to three inner exceptions, joined with " ← ".</summary>
    /// <param name="exception">The failure, usually an <see cref="HttpRequestException"/>.</param>
    /// <returns>The text; never empty.</returns>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var parts = new List<string>(MaxDepth);
        var depth = 0;
        for (var current = exception; current is not null && depth < MaxDepth; current = current.InnerException, depth++)
        {
            var message = current.Message.Trim();
            if (message.EndsWith(Pointer, StringComparison.Ordinal))
            {
                message = message[..^Pointer.Length];
            }

            if (message.Length == 0 || parts.Exists(p => p.Contains(message, StringComparison.Ordinal)))
            {
                continue;
            }

            parts.Add(message);
        }

        return parts.Count == 0 ? exception.GetType().Name : string.Join(" ← ", parts);
    }
}
