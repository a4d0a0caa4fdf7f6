using System.Text.Json;
using OidcToken.Cli.Validating;
using OidcToken.Validation;

namespace OidcToken.Cli.Rules;

/// <summary>
/// One rule maps a GitHub server URL to its issuer, and every part that names an issuer uses it: the library's
/// diagnosis (<c>Diagnose()</c>), <c>oidc-token doctor</c>, the validator's runner self-check (<c>ForRunner</c>) and
/// <c>oidc-token validate --ghes-host</c>. For each server URL, all of them name the issuer in the table.
/// </summary>
public sealed class IssuerAgreementTests
{
    private const string GitHubCom = "https://token.actions.githubusercontent.com";

    public static TheoryData<string, string?> ServerUrls => new()
    {
        { "https://github.com", GitHubCom },
        { "https://github.com/", GitHubCom },
        { "https://GitHub.COM", GitHubCom },
        { "https://www.github.com", GitHubCom },
        { "http://github.com", GitHubCom },
        { "https://octo.ghe.com", "https://token.actions.octo.ghe.com" },
        { "https://OCTO.ghe.com/", "https://token.actions.octo.ghe.com" },
        { "https://eu.octo.ghe.com", "https://token.actions.eu.octo.ghe.com" },
        { "https://a.b.c.ghe.com", "https://token.actions.a.b.c.ghe.com" },
        { "https://ghes.example.com", "https://ghes.example.com/_services/token" },
        { "https://GHES.Example.COM", "https://ghes.example.com/_services/token" },
        { "https://ghes.example.com:443", "https://ghes.example.com/_services/token" },
        { "https://ghes.example.com:8443", "https://ghes.example.com:8443/_services/token" },
        { "https://ghes.example.com/some/path", "https://ghes.example.com/_services/token" },
        { "http://ghes.example:8080", "http://ghes.example:8080/_services/token" },
        { "http://ghes.example", "http://ghes.example/_services/token" },
        { "https://10.0.0.5", "https://10.0.0.5/_services/token" },
        { "https://[fd00::1]:8443", "https://[fd00::1]:8443/_services/token" },
        { "ftp://github.com", null },
        { "https://user@ghes.example.com", null },
        { "not a url", null },
    };

    [Theory]
    [MemberData(nameof(ServerUrls))]
    public async Task Every_part_names_the_same_issuer_for_a_server_url(string serverUrl, string? expected)
    {
        var variables = new Dictionary<string, string?>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_SERVER_URL"] = serverUrl,
        };
        string? Read(string name) => variables.TryGetValue(name, out var value) ? value : null;

        Assert.Equal(expected, GitHubIssuers.FromServerUrl(serverUrl));
        Assert.Equal(expected, GitHubIssuers.ForJob(Read));

        using var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = Read });
        Assert.Equal(expected, client.Diagnose().ExpectedIssuer);

        var doctor = await CliRun.RunAsync(new CliContext(Read), "doctor", "--format", "json");
        using (var json = JsonDocument.Parse(doctor.Output))
        {
            var named = json.RootElement.GetProperty("expected_issuer");
            Assert.Equal(expected, named.ValueKind == JsonValueKind.Null ? null : named.GetString());
        }

        if (expected is null)
        {
            Assert.ThrowsAny<ArgumentException>(() => GitHubOidcTokenVerifier.ForRunner("aud", AnyRepository(), Read));
        }
        else if (expected.StartsWith("http://", StringComparison.Ordinal))
        {
            // A GHES reached over plain http: keys fetched over http could be replaced on the way, so the validator refuses
            // the issuer, and its refusal names the same one.
            var refused = Assert.ThrowsAny<ArgumentException>(() => GitHubOidcTokenVerifier.ForRunner("aud", AnyRepository(), Read));
            Assert.Contains("'" + expected + "' uses plain http", refused.Message, StringComparison.Ordinal);
        }
        else
        {
            using var verifier = GitHubOidcTokenVerifier.ForRunner("aud", AnyRepository(), Read);
            Assert.Equal(expected, verifier.Issuer);
        }

        // --ghes-host takes a host (and port) only: the URLs made of https, a host and nothing else.
        if (Uri.TryCreate(serverUrl, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.UserInfo.Length == 0
            && uri.AbsolutePath == "/" && !serverUrl.EndsWith('/'))
        {
            var problems = new List<string>();
            Assert.Equal(expected, ValidatorSetup.GhesIssuer(uri.Authority, problems));
            Assert.Empty(problems);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/token", "http://127.0.0.1:5000", "http://127.0.0.1:5000")]
    [InlineData("http://localhost:5000/token", "http://[::1]:5001", "http://[::1]:5001")]
    [InlineData("https://pipelines.example.test/token", "http://127.0.0.1:5000", GitHubCom)]
    [InlineData("http://127.0.0.1:5000/token", "https://issuer.example.test", GitHubCom)]
    [InlineData("http://127.0.0.1:5000/token", null, GitHubCom)]
    public async Task The_local_mock_issuer_is_honoured_only_on_loopback(string requestUrl, string? localIssuer, string expected)
    {
        var variables = new Dictionary<string, string?>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["ACTIONS_ID_TOKEN_REQUEST_URL"] = requestUrl,
            ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "request-token-for-issuer-rules",
            ["OIDC_ISSUER"] = localIssuer,
        };
        string? Read(string name) => variables.TryGetValue(name, out var value) ? value : null;

        Assert.Equal(expected, GitHubIssuers.ForJob(Read));
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = Read });
        Assert.Equal(expected, client.Diagnose().ExpectedIssuer);
        using var verifier = GitHubOidcTokenVerifier.ForRunner("aud", AnyRepository(), Read);
        Assert.Equal(expected, verifier.Issuer);
        var doctor = await CliRun.RunAsync(new CliContext(Read), "doctor", "--format", "json");
        using var json = JsonDocument.Parse(doctor.Output);
        Assert.Equal(expected, json.RootElement.GetProperty("expected_issuer").GetString());
    }

    [Fact]
    public void The_enterprise_slug_issuer_is_the_same_from_the_library_and_the_command_line()
    {
        Assert.Equal(GitHubCom + "/octo-corp", GitHubIssuers.EnterpriseSlug("octo-corp"));
        Assert.Throws<ArgumentException>(() => GitHubIssuers.EnterpriseSlug("octo corp"));
    }

    private static GitHubClaimPolicy AnyRepository() => GitHubClaimPolicy.CreateBuilder().AllowAnyRepository().Build();
}
