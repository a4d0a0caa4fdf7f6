using System.Text.Json;
using OidcToken.Testing;

namespace OidcToken.Cli.Requesting;

/// <summary><c>oidc-token token --format gcp-executable</c>: Google's executable-sourced credential response.</summary>
public sealed class GcpExecutableFormatTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Success_is_Googles_response_with_the_tokens_exp_and_stderr_stays_silent_even_in_Actions()
    {
        // GITHUB_ACTIONS=true: Google's libraries read stderr together with stdout, so no mask command may appear.
        var run = await CliRun.RunAsync(
            CliRun.Context(_issuer.GetEnvironment(), ("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "0")), "token", "--audience", "gcp-aud", "--format", "gcp-executable");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.EndsWith("}\n", run.Output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.Equal(["version", "success", "token_type", "id_token", "expiration_time"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.True(root.GetProperty("success").GetBoolean());
        Assert.Equal("urn:ietf:params:oauth:token-type:id_token", root.GetProperty("token_type").GetString());
        Assert.True(GitHubActionsClaims.TryParseUnverified(root.GetProperty("id_token").GetString()!, out var claims));
        Assert.Equal("gcp-aud", claims.Audience);
        Assert.Equal(claims.ExpiresAt!.Value.ToUnixTimeSeconds(), root.GetProperty("expiration_time").GetInt64());
    }

    [Fact]
    public async Task The_jwt_token_type_the_configuration_asks_for_is_echoed()
    {
        var run = await CliRun.RunAsync(
            CliRun.Context(_issuer.GetEnvironment(), ("GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE", "urn:ietf:params:oauth:token-type:jwt")),
            "token", "--format", "gcp-executable");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("urn:ietf:params:oauth:token-type:jwt", json.RootElement.GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task No_token_here_is_a_failure_response_with_the_code_and_the_usual_exit_and_stderr()
    {
        var run = await CliRun.RunAsync(new CliContext(name => name == "GITHUB_ACTIONS" ? "true" : null), "token", "--format", "gcp-executable");

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("oidc-token: PermissionMissing:", run.Error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.Equal(["version", "success", "code", "message"], root.EnumerateObject().Select(p => p.Name));
        Assert.False(root.GetProperty("success").GetBoolean());
        Assert.Equal("PermissionMissing", root.GetProperty("code").GetString());
        Assert.Contains("id-token: write", root.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "1", "interactive mode")]
    [InlineData("GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE", "urn:ietf:params:oauth:token-type:saml2", "subject_token_type")]
    public async Task Requests_it_cannot_serve_are_refused_without_asking_for_a_token(string variable, string value, string expected)
    {
        var run = await CliRun.RunAsync(CliRun.Context(_issuer.GetEnvironment(), (variable, value)), "token", "--format", "gcp-executable");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("success").GetBoolean());
        Assert.Contains(expected, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_issuer.TokenRequests);
    }
}
