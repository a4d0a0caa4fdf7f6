using System.Text.RegularExpressions;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Errors;

public sealed partial class ErrorCodeContractTests
{
    private static readonly string Troubleshooting = File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot, "docs", "TROUBLESHOOTING.md"));

    /// <summary>
    /// Codes that are no longer reported. Their numbers stay reserved and their sections stay (marked retired), so an old
    /// log line or script still finds its explanation.
    /// </summary>
    private static readonly OidcTokenErrorCode[] Retired = [OidcTokenErrorCode.ContainerWithoutRunnerVariables];

    public static TheoryData<OidcTokenErrorCode> AllCodes() => [.. Enum.GetValues<OidcTokenErrorCode>()];

    public static TheoryData<OidcTokenErrorCode> ReportedCodes() => [.. Enum.GetValues<OidcTokenErrorCode>().Except(Retired)];

    public static TheoryData<OidcTokenErrorCode> RetiredCodes() => [.. Retired];

    [Theory]
    [MemberData(nameof(RetiredCodes))]
    public void RetiredCode_IsMarkedRetiredInTroubleshooting(OidcTokenErrorCode code)
    {
        var anchor = OidcTokenException.GetAnchor(code);
        var start = Troubleshooting.IndexOf($"## {code}\n", StringComparison.Ordinal);
        var end = Troubleshooting.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        var section = Troubleshooting[start..(end < 0 ? Troubleshooting.Length : end)];

        Assert.Contains("**Retired**", section, StringComparison.Ordinal);
        Assert.Contains($"[{code}](#{anchor}) (retired)", Troubleshooting, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ReportedCodes))]
    public void ReportedCode_IsNotMarkedRetired(OidcTokenErrorCode code) =>
        Assert.DoesNotContain($"[{code}](#{OidcTokenException.GetAnchor(code)}) (retired)", Troubleshooting, StringComparison.Ordinal);

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("/.dockerenv", null, null)]
    [InlineData("/run/.containerenv", null, null)]
    [InlineData(null, "container", "podman")]
    [InlineData(null, "KUBERNETES_SERVICE_HOST", "10.0.0.1")]
    public void RetiredCodes_AreNeverDiagnosed_InOrOutOfActions(string? file, string? variable, string? value)
    {
        foreach (var actions in new[] { null, "true" })
        {
            var environment = actions is null ? new FakeEnvironment() : FakeEnvironment.InActions();
            if (variable is not null)
            {
                environment[variable] = value!;
            }

            using var client = new GitHubOidcClient(new GitHubOidcClientOptions
            {
                EnvironmentVariables = environment.Reader,
                FileExists = path => path == file,
                MaskTokens = false,
            });

            var code = client.Diagnose().ErrorCode;

            Assert.NotNull(code);
            Assert.DoesNotContain(code.Value, Retired);
        }
    }

    [Theory]
    [MemberData(nameof(AllCodes))]
    public void EveryCode_HasAnAnchoredSectionInTroubleshooting(OidcTokenErrorCode code)
    {
        var anchor = OidcTokenException.GetAnchor(code);

        Assert.Contains($"## {code}\n", Troubleshooting, StringComparison.Ordinal);
        Assert.Contains($"<a id=\"{anchor}\"></a>", Troubleshooting, StringComparison.Ordinal);
        Assert.Contains($"](#{anchor})", Troubleshooting, StringComparison.Ordinal);
        Assert.Equal(OidcTokenException.TroubleshootingBaseUrl + "#" + anchor, new OidcTokenException(code, "m").HelpLink);
    }

    [Theory]
    [MemberData(nameof(ReportedCodes))]
    public void EveryCode_IsAssertedBySomeTest(OidcTokenErrorCode code)
    {
        var testsRoot = Path.Combine(Fixtures.RepositoryRoot, "tests");
        var pattern = new Regex(@"Assert\.(Equal|Throws|Contains)[^;]*OidcTokenErrorCode\." + code + @"\b|InlineData\([^)]*OidcTokenErrorCode\." + code + @"\b");
        var asserted = Directory.EnumerateFiles(testsRoot, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(path => !path.EndsWith(nameof(ErrorCodeContractTests) + ".cs", StringComparison.Ordinal))
            .Any(path => pattern.IsMatch(File.ReadAllText(path)));

        Assert.True(asserted, $"no test asserts OidcTokenErrorCode.{code}");
    }

    [Fact]
    public void Codes_AreExplicitAndUnique_AndMapToTheDocumentedExitCodes()
    {
        var values = Enum.GetValues<OidcTokenErrorCode>().Select(c => (int)c).ToArray();
        Assert.Equal(values.Length, values.Distinct().Count());

        Assert.Equal(3, OidcTokenException.GetExitCode(OidcTokenErrorCode.PermissionMissing));
        Assert.Equal(3, OidcTokenException.GetExitCode(OidcTokenErrorCode.RequestUrlInvalid));
        Assert.Equal(4, OidcTokenException.GetExitCode(OidcTokenErrorCode.AudienceRefused));
        Assert.Equal(4, OidcTokenException.GetExitCode(OidcTokenErrorCode.Timeout));
        Assert.Equal(5, OidcTokenException.GetExitCode(OidcTokenErrorCode.InvalidResponse));
        Assert.Equal(6, OidcTokenException.GetExitCode(OidcTokenErrorCode.TokenVerificationFailed));
        Assert.Equal(4, OidcTokenException.GetExitCode(OidcTokenErrorCode.ExchangeFailed));
        Assert.Equal(5, OidcTokenException.GetExitCode(OidcTokenErrorCode.ExchangeResponseInvalid));
        Assert.Equal(7, OidcTokenException.GetExitCode(OidcTokenErrorCode.ExchangeRefused));
    }

    [Fact]
    public void Codes_NeverChangeTheirNumbers()
    {
        // Numbers are a public contract (logs, scripts, JSON output): this list only ever grows.
        var expected = new Dictionary<OidcTokenErrorCode, int>
        {
            [OidcTokenErrorCode.NotInGitHubActions] = 1,
            [OidcTokenErrorCode.ContainerWithoutRunnerVariables] = 2,
            [OidcTokenErrorCode.RunningUnderAct] = 3,
            [OidcTokenErrorCode.PermissionMissing] = 10,
            [OidcTokenErrorCode.ForkPullRequest] = 11,
            [OidcTokenErrorCode.DependabotRun] = 12,
            [OidcTokenErrorCode.RequestUrlMissing] = 13,
            [OidcTokenErrorCode.RequestTokenMissing] = 14,
            [OidcTokenErrorCode.RequestUrlInvalid] = 15,
            [OidcTokenErrorCode.RequestTokenRejected] = 100,
            [OidcTokenErrorCode.AudienceRefused] = 101,
            [OidcTokenErrorCode.JobNotRunning] = 102,
            [OidcTokenErrorCode.RequestForbidden] = 103,
            [OidcTokenErrorCode.EndpointNotFound] = 104,
            [OidcTokenErrorCode.ServiceUnavailable] = 105,
            [OidcTokenErrorCode.NetworkError] = 106,
            [OidcTokenErrorCode.Timeout] = 107,
            [OidcTokenErrorCode.RedirectRefused] = 108,
            [OidcTokenErrorCode.UnexpectedStatus] = 109,
            [OidcTokenErrorCode.ExchangeFailed] = 120,
            [OidcTokenErrorCode.VerificationKeysUnavailable] = 110,
            [OidcTokenErrorCode.InvalidResponse] = 200,
            [OidcTokenErrorCode.ExchangeResponseInvalid] = 210,
            [OidcTokenErrorCode.TokenVerificationFailed] = 300,
            [OidcTokenErrorCode.ExchangeRefused] = 400,
        };

        foreach (var (code, number) in expected)
        {
            Assert.Equal(number, (int)code);
        }
    }
}
