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
                var exported = ExchangeHarness.ParseEnv(run.Output);
                Assert.Equal(["AZURE_ACCESS_TOKEN", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"], exported.Select(v => v.Name));
                Assert.Equal([entra.ClientId, entra.TenantId], exported.Skip(1).Select(v => v.Value));
                token = exported[0].Value;
                Assert.Empty(run.Error);
                break;
            case "json":
                var variables = ExchangeHarness.JsonVariables(run.Output, out var root);
                Assert.Equal(["AZURE_ACCESS_TOKEN", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"], variables.Keys);
                token = variables["AZURE_ACCESS_TOKEN"];
                Assert.False(root.TryGetProperty("subscription_id", out _));
                Assert.Equal("Bearer", root.GetProperty("token_type").GetString());
                Assert.Equal(AzureTarget.DefaultScope, Assert.Single(root.GetProperty("scopes").EnumerateArray()).GetString());
                Assert.Equal(entra.TenantId, root.GetProperty("tenant_id").GetString());
                Assert.True(root.TryGetProperty("expires_at", out _));
                break;
            default:
                Assert.Empty(run.Output);
                var set = ExchangeHarness.ParseGitHubEnv(_runner.GitHubEnvText);
                Assert.Equal([("AZURE_CLIENT_ID", entra.ClientId), ("AZURE_TENANT_ID", entra.TenantId)], set.Skip(1));
                Assert.Equal("AZURE_ACCESS_TOKEN", set[0].Name);
                token = set[0].Value;
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
        var token = ExchangeHarness.ParseEnv(run.Output)[0].Value;
        Assert.True(entra.IsValidAccessToken(token, "https://vault.azure.net/.default"));
        Assert.DoesNotContain(entra.ClientId, ExchangeHarness.MaskedValues(run.Error)); // the ids are not secrets
        Assert.DoesNotContain(entra.TenantId, ExchangeHarness.MaskedValues(run.Error));
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

    [Fact]
    public async Task Subscription_id_is_exported_and_the_ids_and_expiry_are_step_outputs()
    {
        var entra = new MockEntraId();
        const string Subscription = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
        var outputFile = Path.Combine(_runner.RunnerTemp, "github-output");
        var http = entra.CreateHttpClient();
        _clients.Add(http);
        var context = _runner.Context(actions: true, azure: new HttpClientTransport(http), changes: ("GITHUB_OUTPUT", outputFile));

        var env = await CliRun.RunAsync(context, Args(entra, "--subscription-id", Subscription));

        Assert.Equal(0, env.ExitCode);
        var exported = ExchangeHarness.ParseEnv(env.Output);
        Assert.Equal(("AZURE_SUBSCRIPTION_ID", Subscription), exported[^1]);
        var outputs = ExchangeHarness.ParseGitHubEnv(File.ReadAllText(outputFile));
        Assert.Equal(["azure-client-id", "azure-tenant-id", "azure-subscription-id", "azure-expiration"], outputs.Select(o => o.Name));
        Assert.Equal([entra.ClientId, entra.TenantId, Subscription], outputs.Take(3).Select(o => o.Value));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", outputs[3].Value);

        File.WriteAllText(outputFile, string.Empty);
        var githubOutput = await CliRun.RunAsync(context, Args(entra, "--subscription-id", Subscription, "--format", "github-output"));

        Assert.Equal(0, githubOutput.ExitCode);
        var all = ExchangeHarness.ParseGitHubEnv(File.ReadAllText(outputFile));
        Assert.Equal(["azure-access-token", "azure-client-id", "azure-tenant-id", "azure-subscription-id", "azure-expiration"], all.Select(o => o.Name));
        Assert.True(entra.IsValidAccessToken(all[0].Value, AzureTarget.DefaultScope));
        Assert.Contains(all[0].Value, ExchangeHarness.MaskedValues(githubOutput.Error));
    }

    [Fact]
    public async Task Subscription_id_comes_from_AZURE_SUBSCRIPTION_ID_when_not_given()
    {
        var entra = new MockEntraId();
        var http = entra.CreateHttpClient();
        _clients.Add(http);
        var context = _runner.Context(azure: new HttpClientTransport(http), changes: ("AZURE_SUBSCRIPTION_ID", "6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F"));

        var run = await CliRun.RunAsync(context, Args(entra, "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        ExchangeHarness.JsonVariables(run.Output, out var root);
        Assert.Equal("6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F", root.GetProperty("subscription_id").GetString());
    }

    [Theory]
    [InlineData("--subscription-id", "my-subscription")]
    [InlineData("--subscription-id", "6f1c2d3e4a5b4c6d8e9f0a1b2c3d4e5f")]
    [InlineData("AZURE_SUBSCRIPTION_ID", "{6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f}")]
    public async Task A_subscription_id_that_is_not_a_GUID_exits_2_before_any_request(string source, string value)
    {
        var entra = new MockEntraId();
        var http = entra.CreateHttpClient();
        _clients.Add(http);
        var fromVariable = source == "AZURE_SUBSCRIPTION_ID";
        var context = _runner.Context(azure: new HttpClientTransport(http), changes: ("AZURE_SUBSCRIPTION_ID", fromVariable ? value : null));

        var run = await CliRun.RunAsync(context, fromVariable ? Args(entra) : Args(entra, source, value));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(source + " '" + value + "' is not a subscription id: give the GUID", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, entra.RequestCount);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }
}
