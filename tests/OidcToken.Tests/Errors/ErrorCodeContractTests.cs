using System.Text.RegularExpressions;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Errors;

public sealed partial class ErrorCodeContractTests
{
    private static readonly string Troubleshooting = File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot, "docs", "TROUBLESHOOTING.md"));

    public static TheoryData<OidcTokenErrorCode> AllCodes() => [.. Enum.GetValues<OidcTokenErrorCode>()];

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
    [MemberData(nameof(AllCodes))]
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
