using Azure.Core.Pipeline;
using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>exchange azure</c> through Azure.Identity with its real https authority; the calls reach <see cref="MockEntraId"/>
/// in process through the context's transport seam (no network, no certificate check turned off).
/// </summary>
public sealed class AzureExchangeTests : IDisposable
{
    private readonly ExchangeHarness _runner = new();
    private readonly List<HttpClient> _clients = [];

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _runner.Dispose();
    }

    private CliContext Context(MockEntraId entra, bool actions = false, string? stdin = null)
    {
        var http = entra.CreateHttpClient();
        _clients.Add(http);
        return _runner.Context(actions, stdin, new HttpClientTransport(http));
    }

    private static string[] Args(MockEntraId entra, params string[] more) =>
        ["exchange", "azure", "--tenant-id", entra.TenantId, "--client-id", entra.ClientId, .. more];

    [Theory]
    [InlineData("env")]
    [InlineData("json")]
    [InlineData("github-env")]
    public async Task Success_in_each_format(string format)
    {
        var entra = new MockEntraId();

        var run = await CliRun.RunAsync(Context(entra), Args(entra, "--format", format));

        Assert.Equal(0, run.ExitCode);
        string token;
        switch (format)
        {
            case "env":
                var variable = Assert.Single(ExchangeHarness.ParseEnv(run.Output));
                Assert.Equal("AZURE_ACCESS_TOKEN", variable.Name);
                token = variable.Value;
                Assert.Empty(run.Error);
                break;
            case "json":
                var variables = ExchangeHarness.JsonVariables(run.Output, out var root);
                token = Assert.Single(variables).Value;
                Assert.Equal("Bearer", root.GetProperty("token_type").GetString());
                Assert.Equal(AzureTarget.DefaultScope, Assert.Single(root.GetProperty("scopes").EnumerateArray()).GetString());
                Assert.Equal(entra.TenantId, root.GetProperty("tenant_id").GetString());
                Assert.True(root.TryGetProperty("expires_at", out _));
                break;
            default:
                Assert.Empty(run.Output);
                var set = Assert.Single(ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText));
                Assert.Equal("AZURE_ACCESS_TOKEN", set.Name);
                token = set.Value;
                break;
        }

        Assert.True(entra.IsValidAccessToken(token, AzureTarget.DefaultScope));
        Assert.Equal("api://AzureADTokenExchange", Assert.Single(_runner.Issuer.TokenRequests).Audience);
        ExchangeHarness.AssertNoSecret(run.Error, token);
    }

    [Fact]
    public async Task Scope_and_audience_are_passed_and_the_token_is_masked_in_GitHub_Actions()
    {
        var entra = new MockEntraId(new MockEntraIdOptions { ExpectedAudience = "api://custom" });

        var run = await CliRun.RunAsync(Context(entra, actions: true), Args(entra, "--scope", "https://vault.azure.net/.default", "--audience", "api://custom"));

        Assert.Equal(0, run.ExitCode);
        var token = Assert.Single(ExchangeHarness.ParseEnv(run.Output)).Value;
        Assert.True(entra.IsValidAccessToken(token, "https://vault.azure.net/.default"));
        Assert.Contains(token, ExchangeHarness.MaskedValues(run.Error));
        Assert.Equal("api://custom", Assert.Single(_runner.Issuer.TokenRequests).Audience);
    }

    [Fact]
    public async Task Tenant_and_client_come_from_AZURE_variables_when_not_given()
    {
        var entra = new MockEntraId();
        var http = entra.CreateHttpClient();
        _clients.Add(http);
        var context = _runner.Context(azure: new HttpClientTransport(http), changes: [("AZURE_TENANT_ID", entra.TenantId), ("AZURE_CLIENT_ID", entra.ClientId)]);

        var run = await CliRun.RunAsync(context, "exchange", "azure");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(1, entra.RequestCount);
    }

    [Fact]
    public async Task Token_from_stdin()
    {
        var entra = new MockEntraId();
        var token = _runner.Issuer.IssueToken("api://AzureADTokenExchange");

        var run = await CliRun.RunAsync(Context(entra, stdin: token), Args(entra, "--token", "-"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
        Assert.Equal(1, entra.RequestCount);
    }

    [Fact]
    public async Task Refusal_exits_7_with_the_AADSTS_code_and_the_tokens_claims()
    {
        var entra = new MockEntraId(new MockEntraIdOptions { ExpectedSubject = "repo:octo-org/octo-repo:environment:prod" });

        var run = await CliRun.RunAsync(Context(entra), Args(entra));

        Assert.Equal(7, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("oidc-token: ExchangeRefused: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("AADSTS700213", run.Error, StringComparison.Ordinal);
        Assert.Contains("sub 'repo:octo-org/octo-repo:ref:refs/heads/main'", run.Error, StringComparison.Ordinal);
        Assert.Contains("aud 'api://AzureADTokenExchange'", run.Error, StringComparison.Ordinal);
        ExchangeHarness.AssertNoSecret(run.Error, _runner.Issuer.RequestToken);
        Assert.DoesNotContain("eyJ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_tenant_and_client_exit_2_naming_both()
    {
        var run = await _runner.RunAsync("exchange", "azure");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--tenant-id is required", run.Error, StringComparison.Ordinal);
        Assert.Contains("--client-id is required", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/")]
    [InlineData("http://login.example/")]
    public async Task A_non_https_authority_exits_2(string endpoint)
    {
        var entra = new MockEntraId();

        var run = await CliRun.RunAsync(Context(entra), Args(entra, "--endpoint", endpoint));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("https authority host", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, entra.RequestCount);
    }
}
