using System.Diagnostics;

namespace OidcToken.Cli.Exchanging;

/// <summary>The config-file edits and the quoting of <c>credential_process</c> (<see cref="AwsProfileFile"/>).</summary>
public sealed class AwsProfileFileTests
{
    [Theory]
    [InlineData("plain", "--role-arn", "arn:aws:iam::123456789012:role/x")]
    [InlineData("/path with spaces/oidc-token", "it's", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}")]
    [InlineData("$HOME", "`date`", "a;b|c&d", "*", "~", "\"quoted\"", "''", "")]
    public async Task The_command_reaches_the_program_unchanged_when_run_as_the_AWS_SDK_for_NET_runs_it(params string[] arguments)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // printf prints each argument between < and >; the SDK runs: sh -c "<value with \ and " escaped>".
        var command = AwsProfileFile.Command(["printf", "<%s>", .. arguments], windows: false, out var problem);
        Assert.Null(problem);
        var start = new ProcessStartInfo("sh", "-c \"" + command!.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(string.Concat(arguments.Select(a => "<" + a + ">")), output);
    }

    [Theory]
    [InlineData("a\\b", "backslash")]
    [InlineData("line\nbreak", "control character")]
    public void Values_no_reader_would_get_back_are_refused(string argument, string because)
    {
        Assert.Null(AwsProfileFile.Command(["oidc-token", argument], windows: false, out var problem));
        Assert.Contains(because, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_quoting_uses_double_quotes()
    {
        Assert.Equal("\"C:\\Program Files\\oidc-token.exe\" exchange aws", AwsProfileFile.Command([@"C:\Program Files\oidc-token.exe", "exchange", "aws"], windows: true, out _));
        Assert.Null(AwsProfileFile.Command(["a\"b"], windows: true, out var problem));
        Assert.Contains("cmd.exe", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_section_of_the_name_is_replaced_and_headers_with_spaces_and_comments_are_recognised()
    {
        const string Text = "[profile x]\na = 1\n[ profile  deploy ] ; old\nb = 2\n\n[profile deployed]\nc = 3\n[profile deploy]\nd = 4\n";

        var updated = AwsProfileFile.Replace(Text, "deploy", "[profile deploy]\nnew = 1\n", out var found);

        Assert.True(found);
        Assert.Equal("[profile x]\na = 1\n[profile deploy]\nnew = 1\n\n[profile deployed]\nc = 3\n", updated);
    }

    [Fact]
    public void The_default_profile_is_the_default_section()
    {
        Assert.Equal("[default]\n" + AwsProfileFile.Marker + "\ncredential_process = x\nregion = r\n", AwsProfileFile.Section("default", "x", "r"));
        var updated = AwsProfileFile.Replace("[default]\nregion = a\n[profile default2]\n", "default", null, out var found);
        Assert.True(found);
        Assert.Equal("[profile default2]\n", updated);
    }

    [Fact]
    public void A_file_without_a_final_newline_gets_one_before_the_new_section()
    {
        var updated = AwsProfileFile.Replace("[default]\nregion = a", "p", "[profile p]\n", out var found);

        Assert.False(found);
        Assert.Equal("[default]\nregion = a\n\n[profile p]\n", updated);
    }
}
