using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using OidcToken.Testing;

namespace OidcToken.Cli.Decoding;

public sealed class DecodeCommandTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Decode_RealTokenFromStdin_ShowsHeaderAndClaimsMarkedUnverified()
    {
        var token = GitHubRealFixtures.Token(GitHubRealFixtures.TokenC);

        var run = await CliRun.RunWithStdinAsync(token + "\n", "decode");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.StartsWith(DecodeCommand.UnverifiedNotice + "\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("not verified: anyone can write these claims; use `oidc-token validate`", run.Output, StringComparison.Ordinal);
        Assert.Contains("\nheader:\n  alg: RS256\n  kid: 38826b17-6a30-5f9b-b169-8beb8202f723\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\n  repository_id: 1217768983\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\n  aud: demo\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\n  exp: 1776844793 (2026-04-22T07:59:53Z)\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\n  base_ref: \"\"\n", run.Output, StringComparison.Ordinal);
        AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Decode_ExpiredToken_GivesNoVerdict()
    {
        // Token C expired in 2026-04; decode neither checks nor says so.
        var run = await CliRun.RunWithStdinAsync(GitHubRealFixtures.Token(GitHubRealFixtures.TokenC), "decode");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("expired", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\nvalid", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task Decode_Json_IsVerifiedFalseWithHeaderAndClaimsOnly()
    {
        var token = _issuer.IssueToken("my-audience");

        var run = await CliRun.RunWithStdinAsync(token, "decode", "--format", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.Equal(["verified", "header", "claims"], root.EnumerateObject().Select(p => p.Name));
        Assert.False(root.GetProperty("verified").GetBoolean());
        Assert.Equal("RS256", root.GetProperty("header").GetProperty("alg").GetString());
        Assert.Equal(_issuer.CurrentKeyId, root.GetProperty("header").GetProperty("kid").GetString());
        Assert.Equal("my-audience", root.GetProperty("claims").GetProperty("aud").GetString());
        Assert.Equal("456789", root.GetProperty("claims").GetProperty("repository_id").GetString());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("claims").GetProperty("exp").ValueKind);
        AssertNoSecret(run, token);
    }

    [Fact]
    public async Task Decode_Dash_ReadsStdinWithoutWarning()
    {
        var token = _issuer.IssueToken("aud");

        var run = await CliRun.RunWithStdinAsync("  " + token + "\r\n", "decode", "-");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.Contains("\n  aud: aud\n", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_TokenAsArgument_WarnsOnStderrAndStillDecodes()
    {
        var token = _issuer.IssueToken("aud");

        var run = await CliRun.RunWithStdinAsync(string.Empty, "decode", token);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\n  aud: aud\n", run.Output, StringComparison.Ordinal);
        var warning = Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("oidc-token: warning: ", warning, StringComparison.Ordinal);
        Assert.Contains("visible to other processes", warning, StringComparison.Ordinal);
        Assert.Contains("stdin", warning, StringComparison.Ordinal);
        AssertNoSecret(run, token);
    }

    public static TheoryData<string, string> MalformedInputs => new()
    {
        { "not-a-jwt", "three base64url segments" },
        { "a.b", "three base64url segments" },
        { "a.b.c.d.e", "encrypted token (JWE" },
        { ".e30.sig", "header (first segment) is empty" },
        { "e30..sig", "payload (second segment) is empty" },
        { "e30.!!!.sig", "payload (second segment) is not valid base64url" },
        { Segment("{\"alg\":") + "." + Segment("{}") + ".sig", "header (first segment) is not valid JSON" },
        { Segment("[1]") + "." + Segment("{}") + ".sig", "header (first segment) is not a JSON object" },
        { Segment("{}") + "." + Segment("\"text\"") + ".sig", "payload (second segment) is not a JSON object" },
        { Segment("{}") + "." + Segment("{\"sub\":\"a\",\"sub\":\"b\"}") + ".sig", "duplicate member names" },
    };

    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public async Task Decode_MalformedInput_Exits5WithTheReasonOnStderr(string input, string reason)
    {
        var run = await CliRun.RunWithStdinAsync(input, "decode");

        Assert.Equal(5, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: decode: ", run.Error, StringComparison.Ordinal);
        Assert.Contains(reason, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n\t\r\n")]
    public async Task Decode_NothingOnStdin_IsAUsageError(string stdin)
    {
        var run = await CliRun.RunWithStdinAsync(stdin, "decode", "--format", "json");

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("no token on stdin", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_StdinOverTheCap_Exits5WithoutReadingItAll()
    {
        var run = await CliRun.RunWithStdinAsync(new string('a', (64 * 1024) + 1), "decode");

        Assert.Equal(5, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("more than 64 KiB", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_UnsignedToken_IsShownAndNotJudged()
    {
        var token = Segment("{\"alg\":\"none\"}") + "." + Segment("{\"sub\":\"me\"}") + ".";

        var run = await CliRun.RunWithStdinAsync(token, "decode");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\n  alg: none\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\n  sub: me\n", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_Text_EscapesControlCharactersSoAClaimCannotForgeLines()
    {
        // Anyone can write an unverified token: a claim must not colour the terminal or add a line of its own.
        var payload = "{\"x\":\"\\u001b[32mok\\nverified: true\\u202e\",\"nested\":{\"a\":[1,\"\\n\"]},\"n\\nm\":true}";
        var token = Segment("{\"alg\":\"RS256\"}") + "." + Segment(payload) + ".c2ln";

        var run = await CliRun.RunWithStdinAsync(token, "decode");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain('\u001b', run.Output);
        Assert.DoesNotContain('\u202e', run.Output);
        Assert.Contains("  x: \\u001B[32mok\\u000Averified: true\\u202E\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("  nested: {\"a\":[1,\"\\n\"]}\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("  n\\u000Am: true\n", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\nverified", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task Decode_NeverPrintsTheSignature(string format)
    {
        var token = _issuer.IssueToken("aud");

        var fromStdin = await CliRun.RunWithStdinAsync(token, "decode", "--format", format);
        var fromArgument = await CliRun.RunWithStdinAsync(string.Empty, "decode", token, "--format", format);

        Assert.Equal(0, fromStdin.ExitCode);
        Assert.Equal(0, fromArgument.ExitCode);
        AssertNoSecret(fromStdin, token);
        AssertNoSecret(fromArgument, token);
    }

    [Fact]
    public async Task Decode_BadFormat_IsAUsageError()
    {
        var run = await CliRun.RunWithStdinAsync(_issuer.IssueToken("aud"), "decode", "--format", "yaml");

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
    }

    /// <summary>The token's signature segment (and so the token) appears in neither stream.</summary>
    internal static void AssertNoSecret(CliRun run, string token)
    {
        var signature = token[(token.LastIndexOf('.') + 1)..];
        Assert.True(signature.Length > 20);
        Assert.DoesNotContain(signature, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(signature, run.Error, StringComparison.Ordinal);
    }

    internal static string Segment(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
