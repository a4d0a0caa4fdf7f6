using System.Diagnostics;
using System.Text.Json;

namespace OidcToken.Cli.Exchanging;

/// <summary>The output formats with values built to break out of them: quotes, command substitution, newlines.</summary>
public sealed class CredentialOutputTests
{
    private const string Tricky = "it's \"$(id)\" `id` ${HOME} \\n\nNEXT=injected\n'; touch /tmp/x; '";

    private static readonly OutputVariable[] Variables =
    [
        new("FIRST", Tricky, secret: true),
        new("SECOND", "plain", secret: false),
    ];

    [Fact]
    public void Env_quotes_every_value_in_single_quotes_and_escapes_only_the_quote()
    {
        var text = CredentialOutput.Env(Variables);

        Assert.Equal(
            "export FIRST='it'\\''s \"$(id)\" `id` ${HOME} \\n\nNEXT=injected\n'\\''; touch /tmp/x; '\\'''\n" +
            "export SECOND='plain'\n",
            text);
        Assert.Equal([("FIRST", Tricky), ("SECOND", "plain")], ExchangeHarness.ParseEnv(text));
    }

    [Fact]
    public async Task Env_evaluated_by_a_real_shell_gives_back_the_values_and_runs_nothing()
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/sh"))
        {
            return;
        }

        var folder = Directory.CreateTempSubdirectory("oidc-token-sh-").FullName;
        try
        {
            var marker = Path.Combine(folder, "ran");
            var value = Tricky + "\n$(touch " + marker + ")`touch " + marker + "`'$(touch " + marker + ")'";
            var script = Path.Combine(folder, "exports.sh");
            File.WriteAllText(script, CredentialOutput.Env([new("FIRST", value, secret: true), new("SECOND", "x'y", secret: false)]));
            var start = new ProcessStartInfo("/bin/sh")
            {
                ArgumentList = { "-c", "eval \"$(cat \"$1\")\"; printf '%s' \"$FIRST\"; printf '|%s' \"$SECOND\"; printf '|%s' \"${NEXT-unset}\"", "sh", script },
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using var shell = Process.Start(start)!;
            var output = await shell.StandardOutput.ReadToEndAsync();
            await shell.WaitForExitAsync();

            Assert.Equal(0, shell.ExitCode);
            Assert.Equal(value + "|x'y|unset", output);
            Assert.False(File.Exists(marker), "the shell ran a command from a value");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Json_escapes_every_value_and_keeps_it_exact()
    {
        var text = CredentialOutput.Json("demo", Variables, json => json.WriteString("expires_at", "2026-01-01T00:00:00Z"));

        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var variables = ExchangeHarness.JsonVariables(text, out var root);
        Assert.Equal("demo", root.GetProperty("target").GetString());
        Assert.Equal(Tricky, variables["FIRST"]);
        Assert.Equal("plain", variables["SECOND"]);
        Assert.Equal("2026-01-01T00:00:00Z", root.GetProperty("expires_at").GetString());
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
    }

    [Fact]
    public void GitHubEnv_uses_a_random_delimiter_per_variable_and_the_runner_reads_back_exactly_the_values()
    {
        var text = CredentialOutput.GitHubEnv(Variables);

        var lines = text.Split('\n');
        Assert.Matches("^FIRST<<ghadelimiter_[0-9a-f]{32}$", lines[0]);
        var delimiter = lines[0]["FIRST<<".Length..];
        Assert.Equal(Tricky.Split('\n').Length + 2, Array.IndexOf(lines, delimiter) + 1);
        Assert.Equal([("FIRST", Tricky), ("SECOND", "plain")], ExchangeHarness.ParseGitHubEnv(text));
    }

    [Fact]
    public void GitHubEnv_exact_form()
    {
        var delimiters = new Queue<string>(["ghadelimiter_a", "ghadelimiter_b"]);

        var text = CredentialOutput.GitHubEnv([new("A", "x\ny", secret: true), new("B", "z", secret: false)], delimiters.Dequeue);

        Assert.Equal("A<<ghadelimiter_a\nx\ny\nghadelimiter_a\nB<<ghadelimiter_b\nz\nghadelimiter_b\n", text);
    }

    [Fact]
    public void GitHubEnv_never_uses_a_delimiter_the_value_contains()
    {
        var delimiters = new Queue<string>(["ghadelimiter_1", "ghadelimiter_2"]);
        var value = "first\nghadelimiter_1\nEVIL=1";

        var text = CredentialOutput.GitHubEnv([new("A", value, secret: true)], delimiters.Dequeue);

        Assert.Equal("A<<ghadelimiter_2\n" + value + "\nghadelimiter_2\n", text);
        Assert.Equal([("A", value)], ExchangeHarness.ParseGitHubEnv(text));
    }

    [Fact]
    public void GitHubEnv_refuses_when_no_safe_delimiter_is_found()
    {
        Assert.Throws<InvalidOperationException>(() => CredentialOutput.GitHubEnv([new("A", "ghadelimiter_x", secret: true)], () => "ghadelimiter_x"));
    }

    [Fact]
    public void Mask_escapes_like_workflow_commands_and_masks_each_line_of_a_multi_line_secret()
    {
        using var error = new StringWriter();

        CredentialOutput.Mask(error, ["100%\r\nline2", "100%\r\nline2", "single"]);

        var nl = Environment.NewLine;
        Assert.Equal(
            "::add-mask::100%25%0D%0Aline2" + nl + "::add-mask::100%25" + nl + "::add-mask::line2" + nl + "::add-mask::single" + nl,
            error.ToString());
    }

    [Fact]
    public void A_variable_never_shows_a_secret_value()
    {
        Assert.Equal("FIRST=[redacted]", Variables[0].ToString());
        Assert.Equal("SECOND=plain", Variables[1].ToString());
    }
}
