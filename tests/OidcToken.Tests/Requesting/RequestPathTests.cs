using OidcToken.Testing;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Requesting;

/// <summary>
/// The request path reads the two runner variables and nothing else: the event file, the container markers and the issuer
/// are read only to explain why no token can be had.
/// </summary>
public sealed class RequestPathTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task A_successful_request_runs_no_diagnosis()
    {
        var probes = 0;
        var read = new List<string>();
        var environment = _issuer.GetEnvironment();
        var options = MockClientFactory.Options(_issuer, o =>
        {
            o.FileExists = _ => Interlocked.Increment(ref probes) < 0;
            o.EnvironmentVariables = name =>
            {
                lock (read)
                {
                    read.Add(name);
                }

                return name switch
                {
                    "GITHUB_EVENT_NAME" => "pull_request",
                    "GITHUB_EVENT_PATH" => "/nonexistent/event.json",
                    _ => environment.TryGetValue(name, out var value) ? value : null,
                };
            };
        });
        using var client = new GitHubOidcClient(options);

        await client.GetTokenAsync("aud");
        await client.GetTokenAsync("aud", new IdTokenRequestOptions { ForceRefresh = true });

        Assert.Equal(0, probes);
        Assert.All(read, name => Assert.StartsWith("ACTIONS_ID_TOKEN_REQUEST_", name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failure_is_explained_by_the_full_diagnosis()
    {
        var probes = 0;
        var options = MockClientFactory.Options(_issuer, o =>
        {
            o.FileExists = _ => Interlocked.Increment(ref probes) < 0;
            o.EnvironmentVariables = name => name == "GITHUB_ACTIONS" ? "true" : null;
        });
        using var client = new GitHubOidcClient(options);

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => client.GetTokenAsync("aud"));

        Assert.Equal(OidcTokenErrorCode.PermissionMissing, error.ErrorCode);
        Assert.True(probes > 0);
    }
}
