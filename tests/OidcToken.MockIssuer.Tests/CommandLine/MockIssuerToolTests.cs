using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OidcToken.MockIssuer.Tests.CommandLine;

public sealed class MockIssuerToolTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Tool_prints_the_variables_first_and_serves_tokens_until_terminated()
    {
        var envFile = Path.Combine(Path.GetTempPath(), $"oidc-token-mock-{Guid.NewGuid():N}.env");
        try
        {
            using var tool = ToolProcess.Start("--owner", "acme", "--repo", "rockets", "--environment", "prod", "--env-file", envFile);

            var lines = new[]
            {
                await tool.ReadLineAsync(StartTimeout),
                await tool.ReadLineAsync(StartTimeout),
                await tool.ReadLineAsync(StartTimeout),
            };
            var variables = lines.Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

            Assert.Equal(["ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "OIDC_ISSUER"], variables.Keys);
            var url = variables["ACTIONS_ID_TOKEN_REQUEST_URL"];
            Assert.Matches(@"^http://127\.0\.0\.1:\d+/\d+//idtoken/[0-9a-f-]{36}/[0-9a-f-]{36}\?api-version=2\.0$", url);
            Assert.StartsWith("http://127.0.0.1:", variables["OIDC_ISSUER"], StringComparison.Ordinal);

            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
            using var request = new HttpRequestMessage(HttpMethod.Get, url + "&audience=" + Uri.EscapeDataString("sts.amazonaws.com"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", variables["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var token = body.RootElement.GetProperty("value").GetString()!;
            using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]));
            Assert.Equal("sts.amazonaws.com", claims.RootElement.GetProperty("aud").GetString());
            Assert.Equal("acme/rockets", claims.RootElement.GetProperty("repository").GetString());
            Assert.Equal("repo:acme/rockets:environment:prod", claims.RootElement.GetProperty("sub").GetString());
            Assert.Equal(variables["OIDC_ISSUER"], claims.RootElement.GetProperty("iss").GetString());

            using var discovery = JsonDocument.Parse(await http.GetStringAsync(new Uri(variables["OIDC_ISSUER"] + "/.well-known/openid-configuration")));
            Assert.Equal(variables["OIDC_ISSUER"], discovery.RootElement.GetProperty("issuer").GetString());

            Assert.Equal(lines, File.ReadAllLines(envFile));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(envFile));
            }

            if (tool.Terminate())
            {
                Assert.Equal(0, await tool.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                var stderr = await tool.Stderr;
                Assert.Contains("Ctrl+C", stderr, StringComparison.Ordinal);
                Assert.DoesNotContain(variables["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(envFile);
        }
    }

    [Fact]
    public async Task Env_file_that_already_exists_is_tightened_to_0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var envFile = Path.Combine(Path.GetTempPath(), $"oidc-token-mock-{Guid.NewGuid():N}.env");
        await File.WriteAllTextAsync(envFile, "old");
        File.SetUnixFileMode(envFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            using var tool = ToolProcess.Start("--env-file", envFile);
            await tool.ReadLineAsync(StartTimeout);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(envFile));
            Assert.StartsWith("ACTIONS_ID_TOKEN_REQUEST_URL=", (await File.ReadAllLinesAsync(envFile))[0], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(envFile);
        }
    }

    [Theory]
    [InlineData("--port", "abc")]
    [InlineData("--port", "70000")]
    [InlineData("--bogus")]
    [InlineData("--owner", "a/b")]
    public async Task Bad_usage_exits_with_2_and_prints_nothing_on_stdout(params string[] arguments)
    {
        using var tool = ToolProcess.Start(arguments);

        var stdout = await tool.Stdout.ReadToEndAsync();
        var exitCode = await tool.WaitForExitAsync(StartTimeout);

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("oidc-token-mock: ", await tool.Stderr, StringComparison.Ordinal);
    }
}
