namespace OidcToken.MockIssuer.Tests.CommandLine;

/// <summary><c>--log</c>: one stderr line per token, discovery and JWKS request, never a secret.</summary>
public sealed class LogOptionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Log_prints_one_line_per_request_without_the_request_token_or_the_jwt()
    {
        using var tool = ToolProcess.Start("--log");
        var variables = await tool.ReadVariablesAsync(Timeout);
        var jwt = await MockClient.GetTokenAsync(variables, "sts.amazonaws.com");
        using (var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }))
        {
            await http.GetStringAsync(new Uri(variables["OIDC_ISSUER"] + "/.well-known/openid-configuration"));
            await http.GetStringAsync(new Uri(variables["OIDC_ISSUER"] + "/.well-known/jwks"));
        }

        Assert.True(tool.Terminate());
        Assert.Equal(0, await tool.WaitForExitAsync(Timeout));
        var stderr = await tool.Stderr;

        var path = new Uri(variables["ACTIONS_ID_TOKEN_REQUEST_URL"]).AbsolutePath;
        var logLines = stderr.Split('\n').Where(l => l.Contains(" -> ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
            [
                $"oidc-token-mock: token GET {path} audience=sts.amazonaws.com -> 200",
                "oidc-token-mock: discovery GET /.well-known/openid-configuration -> 200",
                "oidc-token-mock: jwks GET /.well-known/jwks -> 200",
            ],
            logLines);
        Assert.DoesNotContain(variables["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(jwt.Split('.')[2], stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(jwt.Split('.')[1][..16], stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_log_no_request_line_is_printed()
    {
        using var tool = ToolProcess.Start();
        await MockClient.GetTokenAsync(await tool.ReadVariablesAsync(Timeout), "demo");

        Assert.True(tool.Terminate());
        Assert.Equal(0, await tool.WaitForExitAsync(Timeout));
        Assert.DoesNotContain(" -> ", await tool.Stderr, StringComparison.Ordinal);
    }
}
