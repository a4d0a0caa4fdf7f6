using System.Text;
using CsCheck;
using OidcToken.Testing;
using OidcToken.Fuzzing;

namespace OidcToken.Cli.Output;

/// <summary>
/// The workflow-command and Markdown escaping of <see cref="ActionsReport"/>, by property over hostile text, and the
/// parts of a report: annotations, context warnings and the step-summary section.
/// </summary>
public sealed class ActionsReportTests
{
    /// <summary>Text made of the characters that mean something to the runner, Markdown, tables or HTML, and ordinary ones.</summary>
    private static readonly Gen<string> Hostile =
        Gen.OneOf(Gen.Char["%\r\n:,|<>&`*_[]\\~!@#(){}\"' \t\u001B\u2028"], Gen.Char.AlphaNumeric, Gen.Char)
            .Array[0, 60].Select(chars => new string(chars));

    [Fact]
    public void Data_escaping_round_trips_and_leaves_no_line_break()
    {
        Hostile.Sample(
            value =>
            {
                var escaped = ActionsReport.EscapeData(value);
                return escaped.IndexOfAny(['\r', '\n']) < 0 && Unescape(escaped) == value;
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(2000));
    }

    [Fact]
    public void Property_escaping_round_trips_and_leaves_no_separator()
    {
        Hostile.Sample(
            value =>
            {
                var escaped = ActionsReport.EscapeProperty(value);
                return escaped.IndexOfAny(['\r', '\n', ':', ',']) < 0 && Unescape(escaped) == value;
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(2000));
    }

    [Fact]
    public void An_annotation_is_one_line_whose_title_and_message_read_back_exactly()
    {
        Gen.Select(Hostile, Hostile).Sample(
            (title, message) =>
            {
                var line = ActionsReport.Annotation("error", title, message);
                Assert.DoesNotContain('\n', line);
                Assert.DoesNotContain('\r', line);
                Assert.StartsWith("::error title=", line, StringComparison.Ordinal);

                // The runner ends the properties at the first "::" after the command name.
                var rest = line["::error title=".Length..];
                var separator = rest.IndexOf("::", StringComparison.Ordinal);
                Assert.Equal(title, Unescape(rest[..separator]));
                Assert.Equal(message, Unescape(rest[(separator + 2)..]));
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(1000));
    }

    [Fact]
    public void Escaping_matches_the_workflow_command_rules_on_known_values()
    {
        Assert.Equal("50%25 done%0Dnext%0A::x", ActionsReport.EscapeData("50% done\rnext\n::x"));
        Assert.Equal("oidc-token exchange aws%3A ExchangeRefused (exit 7)%2C again", ActionsReport.EscapeProperty("oidc-token exchange aws: ExchangeRefused (exit 7), again"));
        Assert.Equal("::warning title=a%3Ab::c:d", ActionsReport.Annotation("warning", "a:b", "c:d"));
    }

    [Fact]
    public void Markdown_text_escapes_every_special_character_and_reads_back_as_the_terminal_safe_value()
    {
        Hostile.Sample(
            value =>
            {
                var markdown = ActionsReport.MarkdownText(value);
                Assert.DoesNotContain('\n', markdown);
                Assert.DoesNotContain('\r', markdown);
                var plain = new StringBuilder();
                for (var i = 0; i < markdown.Length; i++)
                {
                    var c = markdown[i];
                    if (c == '\\')
                    {
                        Assert.True(i + 1 < markdown.Length, "a trailing backslash");
                        plain.Append(markdown[++i]);
                        continue;
                    }

                    Assert.False("|<>&`*_[]~!@#(){}".Contains(c, StringComparison.Ordinal), $"'{c}' is not escaped in {markdown}");
                    plain.Append(c);
                }

                Assert.Equal(TextFormat.Safe(value), plain.ToString());
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(2000));
    }

    [Fact]
    public void Markdown_text_on_known_values()
    {
        Assert.Equal("a\\|b\\<script\\>x\\</script\\>", ActionsReport.MarkdownText("a|b<script>x</script>"));
        Assert.Equal("line\\\\u000Anext", ActionsReport.MarkdownText("line\nnext"));
        Assert.Equal("repo:octo-org/octo-repo:ref:refs/heads/main", ActionsReport.MarkdownText("repo:octo-org/octo-repo:ref:refs/heads/main"));
    }

    [Fact]
    public void The_summary_section_tabulates_the_compared_claims_one_row_each_whatever_their_values()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        var token = issuer.IssueToken("aud-x", new Dictionary<string, string>
        {
            ["environment"] = "prod|x\n| injected | row |\n<img src=x onerror=alert(1)>",
            ["workflow_ref"] = "octo-org/octo-repo/.github/workflows/`ci`.yml@refs/heads/main",
        });
        Assert.True(GitHubActionsClaims.TryParseUnverified(token, out var claims));
        var failure = new OidcTokenException(OidcTokenErrorCode.ExchangeRefused, "The target refused: <b>no</b> | really.\nFix: check the trust policy's sub.\n(claims: …)");

        var section = ActionsReport.SummarySection("exchange vault", failure, failure.Message, claims);

        Assert.Contains("### oidc-token exchange vault failed: ExchangeRefused (exit 7)", section, StringComparison.Ordinal);
        Assert.Contains("**What happened:** The target refused: \\<b\\>no\\</b\\> \\| really.", section, StringComparison.Ordinal);
        Assert.Contains("**Fix:** check the trust policy's sub.", section, StringComparison.Ordinal);
        Assert.Contains(failure.HelpLink!, section, StringComparison.Ordinal);
        var rows = section.Split('\n').Where(l => l.StartsWith('|')).ToArray();
        Assert.Equal(12, rows.Length); // header, separator, ten claims
        Assert.Equal(
            ["claim", "---", "sub", "aud", "repository", "repository_id", "repository_owner_id", "ref", "environment", "event_name", "workflow_ref", "job_workflow_ref"],
            rows.Select(r => Cells(r)[0].Trim('`')));
        Assert.All(rows, r => Assert.Equal(2, Cells(r).Count));
        Assert.Contains("| `aud` | aud-x |", section, StringComparison.Ordinal);
        Assert.Contains("| `repository_id` | 456789 |", section, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?<!\\)<img", section);
        Assert.Contains("\\<img src=x onerror=alert\\(1\\)\\>", section, StringComparison.Ordinal);
        Assert.DoesNotContain(token, section, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_claims_the_section_says_no_token_was_obtained()
    {
        var failure = new OidcTokenException(OidcTokenErrorCode.PermissionMissing, "No token here.\nFix: add permissions.");

        var section = ActionsReport.SummarySection("token", failure, failure.Message, claims: null);

        Assert.Contains("failed: PermissionMissing (exit 3)", section, StringComparison.Ordinal);
        Assert.Contains("No GitHub ID token was obtained", section, StringComparison.Ordinal);
        Assert.DoesNotContain("| claim |", section, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_holding_a_fence_cannot_close_the_block_early()
    {
        var failure = new OidcTokenException(OidcTokenErrorCode.ExchangeRefused, "What.\n~~~~~\n</details>\n# heading");

        var section = ActionsReport.SummarySection("exchange npm", failure, failure.Message, claims: null);

        var lines = section.Split('\n');
        var open = Array.FindIndex(lines, l => l.StartsWith("~~~~~~", StringComparison.Ordinal) && l.EndsWith("text", StringComparison.Ordinal));
        Assert.True(open >= 0, section);
        var fence = lines[open][..^"text".Length];
        var close = Array.FindIndex(lines, open + 1, l => l == fence);
        Assert.Equal(["What.", "~~~~~", "</details>", "# heading"], lines[(open + 1)..close]);
    }

    [Theory]
    [InlineData("octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main", "push", 0)]
    [InlineData("octo-org/shared/.github/workflows/deploy.yml@refs/tags/v1", "push", 1)]
    [InlineData("octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main", "pull_request_target", 1)]
    [InlineData("octo-org/shared/.github/workflows/deploy.yml@refs/tags/v1", "pull_request_target", 2)]
    public void Context_warnings_for_reusable_workflows_and_pull_request_target(string jobWorkflowRef, string eventName, int expected)
    {
        var claims = new GitHubActionsClaims
        {
            Subject = "repo:octo-org/octo-repo:ref:refs/heads/main",
            Ref = "refs/heads/main",
            EventName = eventName,
            WorkflowRef = "octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main",
            JobWorkflowRef = jobWorkflowRef,
        };
        using var error = new StringWriter();

        var lines = ActionsReport.WarnAboutContext(error, "exchange aws", claims);

        Assert.Equal(expected, lines.Count);
        Assert.Equal(string.Concat(lines.Select(l => l + Environment.NewLine)), error.ToString());
        Assert.All(lines, l => Assert.StartsWith("::warning title=oidc-token exchange aws%3A ", l, StringComparison.Ordinal));
        if (jobWorkflowRef.Contains("shared", StringComparison.Ordinal))
        {
            var reusable = lines[0];
            Assert.Contains("reusable workflow", reusable, StringComparison.Ordinal);
            Assert.Contains("sub 'repo:octo-org/octo-repo:ref:refs/heads/main', which describes the caller", reusable, StringComparison.Ordinal);
            Assert.Contains("job_workflow_ref '" + jobWorkflowRef + "', which names the called workflow", reusable, StringComparison.Ordinal);
        }

        if (eventName == "pull_request_target")
        {
            Assert.Contains("base repository's context", lines[^1], StringComparison.Ordinal);
        }
    }

    /// <summary>Decodes workflow-command escapes left to right (<c>%25</c>, <c>%0D</c>, <c>%0A</c>, <c>%3A</c>, <c>%2C</c>).</summary>
    private static string Unescape(string escaped)
    {
        var text = new StringBuilder();
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '%' && i + 3 <= escaped.Length && escaped.Substring(i, 3) is "%25" or "%0D" or "%0A" or "%3A" or "%2C")
            {
                text.Append((char)Convert.ToInt32(escaped.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                text.Append(escaped[i]);
            }
        }

        return text.ToString();
    }

    /// <summary>A table row's cells, split on the pipes Markdown does not see escaped.</summary>
    private static List<string> Cells(string row)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        for (var i = 1; i < row.Length; i++)
        {
            if (row[i] == '\\' && i + 1 < row.Length)
            {
                cell.Append(row[i]).Append(row[++i]);
            }
            else if (row[i] == '|')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(row[i]);
            }
        }

        return cells;
    }
}
