using System.Text;
using OidcToken.Claims;
using OidcToken.Masking;

namespace OidcToken.Cli.Output;

/// <summary>
/// What the command line tells a GitHub Actions run besides its result: <c>::error</c> and <c>::warning</c> annotations
/// on stderr and a section in the job's step summary (<c>$GITHUB_STEP_SUMMARY</c>). The one place that knows
/// workflow-command escaping beyond the mask command's (<see cref="ActionsMasker.Escape"/>, reused for message data) and
/// Markdown escaping. Nothing here ever receives a token: only its claims, which are not secret, and failure messages,
/// which the libraries have already scrubbed.
/// </summary>
internal static class ActionsReport
{
    /// <summary>The most the runner accepts in one step's summary file: 1 MiB.</summary>
    internal const int MaxSummaryBytes = 1024 * 1024;

    /// <summary>The longest text any one piece of a report (a message, a claim) is allowed before it is cut.</summary>
    private const int MaxPieceLength = 8 * 1024;

    /// <summary>An annotation's message data: <c>%</c>, CR and LF escaped (as in <c>::add-mask::</c>).</summary>
    internal static string EscapeData(string value) => ActionsMasker.Escape(value);

    /// <summary>An annotation property value (<c>title=…</c>): the data escaping plus <c>:</c> → <c>%3A</c> and <c>,</c> → <c>%2C</c>.</summary>
    internal static string EscapeProperty(string value) =>
        EscapeData(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    /// <summary>One annotation line: <c>::error title=TITLE::MESSAGE</c> (<paramref name="kind"/> is <c>error</c>, <c>warning</c> or <c>notice</c>).</summary>
    internal static string Annotation(string kind, string title, string message) =>
        "::" + kind + " title=" + EscapeProperty(title) + "::" + EscapeData(message);

    /// <summary>
    /// Text shown as itself in GitHub-flavoured Markdown, on one line and inside a table cell: characters a terminal would
    /// act on (CR and LF included) are spelled out (<see cref="TextFormat.Safe"/>), then every character Markdown, its
    /// tables or HTML give meaning to is backslash-escaped (CommonMark lets any ASCII punctuation be escaped so), so a
    /// value cannot end a cell, start a link, emphasis or code, or open an HTML tag.
    /// </summary>
    internal static string MarkdownText(string value)
    {
        var safe = TextFormat.Safe(value.Length > MaxPieceLength ? value[..MaxPieceLength] + "…" : value);
        var text = new StringBuilder(safe.Length + 16);
        foreach (var c in safe)
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '&' or '!' or '|' or '~' or '@' or '#' or '{' or '}' or '(' or ')')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        return text.ToString();
    }

    /// <summary>
    /// Before an exchange in GitHub Actions: warning annotations when the trust policy will see something other than the
    /// workflow its author may expect: a reusable workflow (<c>workflow_ref</c> differs from <c>job_workflow_ref</c>) or a
    /// <c>pull_request_target</c> run. Returns the lines written (none when neither applies).
    /// </summary>
    internal static IReadOnlyList<string> WarnAboutContext(TextWriter error, string command, GitHubActionsClaims claims)
    {
        var lines = new List<string>();
        if (claims.WorkflowRef is { Length: > 0 } caller && claims.JobWorkflowRef is { Length: > 0 } called
            && !string.Equals(caller, called, StringComparison.Ordinal))
        {
            lines.Add(Annotation(
                "warning",
                "oidc-token " + command + ": reusable workflow",
                "This job runs in the reusable workflow " + Quote(called) + ", called by " + Quote(caller) + ". The trust policy sees sub " +
                Quote(claims.Subject) + ", which describes the caller (its repository, ref or environment), and job_workflow_ref " + Quote(called) +
                ", which names the called workflow: to admit only this reusable workflow, compare job_workflow_ref (or a sub customized to include it)."));
        }

        if (string.Equals(claims.EventName, "pull_request_target", StringComparison.Ordinal))
        {
            lines.Add(Annotation(
                "warning",
                "oidc-token " + command + ": pull_request_target",
                "This job runs on pull_request_target, with the base repository's context: the trust policy sees sub " + Quote(claims.Subject) +
                " and ref " + Quote(claims.Ref) + " of the base branch, not the pull request's head, although a job that checks out the pull request " +
                "runs its code. Admit this event (event_name pull_request_target) only for jobs that never run code from the pull request."));
        }

        foreach (var line in lines)
        {
            error.WriteLine(line);
        }

        error.Flush();
        return lines;
    }

    /// <summary>
    /// After a failure in GitHub Actions: an <c>::error</c> annotation with the code and the first line of the message on
    /// stderr, and a section in the step summary when <c>$GITHUB_STEP_SUMMARY</c> is set. Failing to write the summary
    /// only warns (on stderr): the exit code is the failure's.
    /// </summary>
    /// <param name="context">The environment (<c>GITHUB_ACTIONS</c>, <c>GITHUB_STEP_SUMMARY</c>).</param>
    /// <param name="error">stderr.</param>
    /// <param name="command">The command as typed after <c>oidc-token</c>, e.g. <c>exchange aws</c>.</param>
    /// <param name="exception">The failure.</param>
    /// <param name="message">Its message in the command's words (as printed on stderr).</param>
    /// <param name="claims">The claims of the GitHub token the target saw, or null when none was had or it could not be read.</param>
    internal static async Task FailureAsync(
        CliContext context, TextWriter error, string command, OidcTokenException exception, string message, GitHubActionsClaims? claims)
    {
        if (!context.IsGitHubActions)
        {
            return;
        }

        var (what, _) = Split(message);
        await error.WriteLineAsync(Annotation("error", $"oidc-token {command}: {exception.ErrorCode} (exit {exception.ExitCode})", TextFormat.Safe(what)))
            .ConfigureAwait(false);

        if (context.Environment("GITHUB_STEP_SUMMARY") is not { Length: > 0 } path)
        {
            return;
        }

        var section = Encoding.UTF8.GetBytes(SummarySection(command, exception, message, claims));
        string? why;
        try
        {
            var existing = File.Exists(path) ? new FileInfo(path).Length : 0;
            if (existing + section.Length > MaxSummaryBytes)
            {
                why = $"the step summary would exceed the runner's limit of 1 MiB ({existing} bytes are already there)";
            }
            else
            {
                var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                await using (file.ConfigureAwait(false))
                {
                    await file.WriteAsync(section).ConfigureAwait(false);
                }

                why = null;
            }
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            why = "could not append to $GITHUB_STEP_SUMMARY: " + TextFormat.Safe(failure.Message);
        }

        if (why is not null)
        {
            await error.WriteLineAsync($"oidc-token: {command}: warning: the step summary was not written: {why}.").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The step-summary section for a failure: a heading with the code and exit code, what happened, the fix, the whole
    /// message in a fenced block, the link to the troubleshooting section, and a table of the claims trust policies
    /// compare (<c>TrustPolicyClaims.Compared</c>) — never the token.
    /// </summary>
    internal static string SummarySection(string command, OidcTokenException exception, string message, GitHubActionsClaims? claims)
    {
        var (what, fix) = Split(message);
        var text = new StringBuilder();
        text.Append("### oidc-token ").Append(MarkdownText(command)).Append(" failed: ").Append(exception.ErrorCode).Append(" (exit ")
            .Append(exception.ExitCode).Append(")\n\n");
        text.Append("**What happened:** ").Append(MarkdownText(what)).Append("\n\n");
        text.Append("**Fix:** ").Append(fix is null ? "see the troubleshooting section below." : MarkdownText(fix)).Append("\n\n");

        var full = message.Length > MaxPieceLength ? message[..MaxPieceLength] + "…" : message;
        var fence = new string('~', Math.Max(3, LongestRun(full, '~') + 1));
        text.Append("<details><summary>The whole message</summary>\n\n").Append(fence).Append("text\n")
            .Append(string.Join('\n', full.Split('\n').Select(l => TextFormat.Safe(l.TrimEnd('\r'))))).Append('\n').Append(fence).Append("\n\n</details>\n\n");
        text.Append("More: [").Append(exception.ErrorCode).Append(" in TROUBLESHOOTING.md](").Append(exception.HelpLink).Append(")\n\n");

        if (claims is null)
        {
            text.Append("No GitHub ID token was obtained, so there are no claims to compare with the trust policy.\n\n");
            return text.ToString();
        }

        text.Append("The claims of the GitHub ID token that trust policies compare (the token itself is never shown):\n\n")
            .Append("| claim | value |\n| --- | --- |\n");
        foreach (var (claim, value) in TrustPolicyClaims.Compared(claims))
        {
            text.Append("| `").Append(claim).Append("` | ").Append(value is null ? "*(absent)*" : value.Length == 0 ? "*(empty)*" : MarkdownText(value)).Append(" |\n");
        }

        return text.Append('\n').ToString();
    }

    /// <summary>
    /// A failure message's parts (the libraries' failure-report layout): the first line says what happened, a later line
    /// starting with <c>Fix:</c> gives the fix (returned without the prefix); the other lines are facts.
    /// </summary>
    private static (string What, string? Fix) Split(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.TrimEntries);
        var fix = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Fix:", StringComparison.Ordinal));
        return (lines[0], fix?["Fix:".Length..].Trim());
    }

    private static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var ch in text)
        {
            run = ch == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    private static string Quote(string? value) => value is null ? "(absent)" : "'" + TextFormat.Safe(value) + "'";
}
