using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using OidcToken.TestSupport;

namespace OidcToken.Testing.Tests.Secrets;

/// <summary>
/// The ledger's search, and the suite-wide leak guard proved able to fail: each test leaks on purpose with its findings
/// redirected to a temporary file, so the real run's artifacts/leaks.txt stays empty.
/// </summary>
public sealed class SecretLedgerTests : IDisposable
{
    private readonly string _leaks = Path.Combine(Path.GetTempPath(), "oidctoken-leaks-" + Guid.NewGuid().ToString("N") + ".txt");

    public void Dispose()
    {
        File.Delete(_leaks);
        File.Delete(Path.ChangeExtension(_leaks, null) + "-allowed.txt");
    }

    [Fact]
    public void FindLeak_FindsAJwtSignatureSegmentAloneOrAnySixteenCharacterPiece_NotTheHeaderNorDottedPieces()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        var jwt = issuer.IssueToken("ledger");
        var segments = jwt.Split('.');

        Assert.NotNull(SecretLedger.FindLeak("sig=" + segments[2]));
        Assert.NotNull(SecretLedger.FindLeak("…" + segments[1][5..21] + "…"));
        Assert.NotNull(SecretLedger.FindLeak(segments[2][^16..]));
        Assert.NotNull(SecretLedger.FindLeak("bearer " + issuer.RequestToken[3..19]));
        Assert.Null(SecretLedger.FindLeak(segments[2][..15]));
        Assert.Null(SecretLedger.FindLeak("header " + segments[0]));
        Assert.Null(SecretLedger.FindLeak(segments[0][^8..] + "." + segments[1][..7]));
        Assert.Null(SecretLedger.FindLeak(null));
        Assert.Null(SecretLedger.FindLeak(NewSecret()));
    }

    [Fact]
    public void FindLeak_DescribesTheFindingByIdAndOffset_NeverByItsContent()
    {
        var secret = NewSecret();
        var id = SecretLedger.Register(secret, "self-test secret");

        // Padding outside the base64url alphabet: with a letter, the piece would also match from offset 19 whenever the
        // secret's 20th character happened to be that letter (1 run in 64).
        var found = SecretLedger.FindLeak("~" + secret[20..36] + "~");

        Assert.Equal($"a 16-character piece of registered secret {id} (self-test secret, offset 20)", found);
        Assert.Equal(id, SecretLedger.Register(secret));
        Assert.Equal(0, SecretLedger.Register(secret[..15]));
        for (var i = 0; i + 8 <= secret.Length; i++)
        {
            Assert.DoesNotContain(secret.Substring(i, 8), found!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Register_AndFindLeak_AreThreadSafe()
    {
        var secrets = new string[2000];
        Parallel.For(0, secrets.Length, i =>
        {
            secrets[i] = NewSecret();
            SecretLedger.Register(secrets[i]);
            Assert.NotNull(SecretLedger.FindLeak(secrets[i][7..23]));
        });

        Assert.All(secrets, s => Assert.NotNull(SecretLedger.FindLeak(s[^16..])));
    }

    [Fact]
    public void Guard_RecordsAnExceptionMessageCarryingAPiece_WithoutTheSecret()
    {
        var secret = Registered();
        using (LeakGuard.RedirectTo(_leaks))
        {
            var caught = Record.Exception(() => Throw(new InvalidOperationException("upstream said " + secret[10..26])));
            Assert.IsType<InvalidOperationException>(caught);
        }

        var line = Assert.Single(File.ReadAllLines(_leaks));
        Assert.Contains("OidcToken.Testing.Tests\texception\tSystem.InvalidOperationException", line, StringComparison.Ordinal);
        Assert.Contains("message\ta 16-character piece of registered secret", line, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[10..26], line, StringComparison.Ordinal);
        Assert.NotEqual(_leaks, LeakGuard.ReportPath);
    }

    [Fact]
    public void Guard_RecordsAnExceptionDataEntryAndAnInnerMessage()
    {
        var secret = Registered();
        using (LeakGuard.RedirectTo(_leaks))
        {
            var withData = new InvalidOperationException("nothing here");
            withData.Data["body"] = "{\"token\":\"" + secret + "\"}";
            Assert.NotNull(Record.Exception(() => Throw(withData)));
            Assert.NotNull(Record.Exception(() => Throw(new HttpRequestException("wrapped", new FormatException(secret[^16..])))));
        }

        var lines = File.ReadAllLines(_leaks);
        Assert.Equal(2, lines.Length);
        Assert.Contains("Data[body]", lines[0], StringComparison.Ordinal);
        Assert.Contains("inner System.FormatException message", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Guard_SetsAsideAnAllowListedParserQuotingAnEchoedSecret_WithItsReason()
    {
        var secret = Registered();
        using (LeakGuard.RedirectTo(_leaks))
        {
            var quoted = Record.Exception(() => System.Text.Json.JsonDocument.Parse("token " + secret).Dispose());
            Assert.IsAssignableFrom<System.Text.Json.JsonException>(quoted);
        }

        Assert.False(File.Exists(_leaks));
        var line = Assert.Single(File.ReadAllLines(Path.ChangeExtension(_leaks, null) + "-allowed.txt"));
        Assert.Contains("\tallowed exception (System.Text.Json quotes the invalid literal", line, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[..16], line, StringComparison.Ordinal);
    }

    [Fact]
    public void Guard_RecordsAnActivityTagOfAnySource()
    {
        var secret = Registered();
        using var source = new ActivitySource("OidcToken.LeakGuard.SelfTest");
        using (LeakGuard.RedirectTo(_leaks))
        {
            using var activity = source.StartActivity("Leaky");
            Assert.NotNull(activity);
            activity.SetTag("http.request.header.authorization", "Bearer " + secret);
        }

        var line = Assert.Single(File.ReadAllLines(_leaks));
        Assert.Contains("\tactivity\tsource 'OidcToken.LeakGuard.SelfTest' activity 'Leaky' tag 'http.request.header.authorization'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Guard_FailsACliRunThatPrintsAPiece_ButNotTheSecretACommandWasAskedFor()
    {
        var secret = Registered();
        using (LeakGuard.RedirectTo(_leaks))
        {
            LeakGuard.CheckCliRun(["token", "--audience", "a"], secret + "\n", "::add-mask::" + secret + "\n");
            LeakGuard.CheckCliRun(["exchange", "vault", "--format", "json"], "{\"VAULT_TOKEN\":\"" + secret + "\"}\n", string.Empty);
            LeakGuard.CheckCliRun(["exchange", "vault"], "export VAULT_TOKEN='" + secret + "'\n", string.Empty);
            Assert.False(File.Exists(_leaks));

            var onStderr = Assert.ThrowsAny<Exception>(() => LeakGuard.CheckCliRun(["doctor"], string.Empty, "failed: " + secret[30..46]));
            var onStdout = Assert.ThrowsAny<Exception>(
                () => LeakGuard.CheckCliRun(["exchange", "vault", "--format", "github-env"], "wrote " + secret[1..17], string.Empty));
            Assert.DoesNotContain(secret[30..46], onStderr.Message, StringComparison.Ordinal);
            Assert.Contains("oidc-token exchange printed a 16-character piece", onStdout.Message, StringComparison.Ordinal);
        }

        var lines = File.ReadAllLines(_leaks);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\tcli\toidc-token doctor stderr\t", lines[0], StringComparison.Ordinal);
        Assert.Contains("\tcli\toidc-token exchange stdout\t", lines[1], StringComparison.Ordinal);
    }

    private static void Throw(Exception exception) => throw exception;

    private static string Registered()
    {
        var secret = NewSecret();
        SecretLedger.Register(secret, "self-test secret");
        return secret;
    }

    private static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(36));
}
