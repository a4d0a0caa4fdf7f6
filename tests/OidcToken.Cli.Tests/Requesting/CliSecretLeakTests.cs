using OidcToken.Testing;

namespace OidcToken.Cli.Requesting;

/// <summary>Every failure path of <c>token</c> and <c>doctor --probe</c>: no piece of a secret reaches stdout or stderr.</summary>
public sealed class CliSecretLeakTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    public static TheoryData<string> Faults() =>
        ["audience", "unauthorized", "echo-token", "echo-jwt", "completed", "html", "truncated", "redirect", "unavailable"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task TokenAndDoctor_FailurePaths_PrintNoSecret(string name)
    {
        var issued = _issuer.IssueToken("aud");
        MockHttpTargetFault Fault() => name switch
        {
            "audience" => MockGitHubOidcIssuer.AudienceRefused(),
            "unauthorized" => MockHttpTargetFault.Status(401, "token " + _issuer.RequestToken + " expired"),
            "echo-token" => MockHttpTargetFault.Status(403, "{\"message\":\"" + _issuer.RequestToken[..24] + "\"}"),
            "echo-jwt" => MockHttpTargetFault.Status(500, issued),
            "completed" => MockGitHubOidcIssuer.JobCompleted(),
            "html" => MockHttpTargetFault.Html(),
            "truncated" => MockHttpTargetFault.TruncatedBody(),
            "redirect" => MockHttpTargetFault.Redirect(new Uri("http://127.0.0.1:9/?t=" + _issuer.RequestToken), 302),
            _ => MockHttpTargetFault.Status(503, _issuer.RequestToken),
        };
        _issuer.FailNextRequests(20, Fault());
        var context = CliRun.Context(_issuer.GetEnvironment());

        var token = await CliRun.RunAsync(context, "token", "--audience", "aud", "--timeout", "1");
        var doctor = await CliRun.RunAsync(context, "doctor", "--probe", "--format", "json");
        var doctorText = await CliRun.RunAsync(context, "doctor", "--probe");

        Assert.NotEqual(0, token.ExitCode);
        var everything = token.Output + token.Error + doctor.Output + doctor.Error + doctorText.Output + doctorText.Error;
        foreach (var secret in new[] { _issuer.RequestToken, issued })
        {
            for (var i = 0; i + 16 <= secret.Length; i++)
            {
                var piece = secret.Substring(i, 16);
                if (!piece.StartsWith("eyJ", StringComparison.Ordinal) && !piece.Contains('.', StringComparison.Ordinal))
                {
                    Assert.False(everything.Contains(piece, StringComparison.Ordinal), $"a 16-character piece of a secret (offset {i}) leaked");
                }
            }
        }
    }
}
