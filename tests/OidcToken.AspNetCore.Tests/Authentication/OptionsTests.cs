using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OidcToken.AspNetCore.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.AspNetCore.Tests.Authentication;

/// <summary>Options: bound from configuration, checked when the app starts, every problem named.</summary>
public sealed class OptionsTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Wrong_settings_stop_the_start_with_every_problem_named()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ServiceHost.StartAsync(
            builder =>
            {
                builder.Services.AddAuthentication().AddGitHubOidc(o =>
                {
                    o.Issuer = "http://issuer.example.com";
                    o.ClockSkew = TimeSpan.FromHours(1);
                    o.RetryAfter = TimeSpan.Zero;
                });
                builder.Services.AddAuthorization();
            },
            Kit.MapEndpoints));

        Assert.Contains("Issuer", error.Message, StringComparison.Ordinal);
        Assert.Contains("Audiences", error.Message, StringComparison.Ordinal);
        Assert.Contains("Policy", error.Message, StringComparison.Ordinal);
        Assert.Contains("ClockSkew", error.Message, StringComparison.Ordinal);
        Assert.Contains("RetryAfter", error.Message, StringComparison.Ordinal);
        Assert.Contains("'GitHubOidc'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_bind_from_configuration_including_the_policy()
    {
        await using var host = await ServiceHost.StartAsync(
            builder =>
            {
                builder.Services.AddAuthentication(GitHubOidcDefaults.AuthenticationScheme).AddGitHubOidc();
                builder.Services.AddAuthorization();
            },
            Kit.MapEndpoints,
            new Dictionary<string, string?>
            {
                ["Authentication:Schemes:GitHubOidc:Issuer"] = _issuer.Issuer,
                ["Authentication:Schemes:GitHubOidc:Audiences:0"] = Kit.Audience,
                ["Authentication:Schemes:GitHubOidc:ClockSkew"] = "00:00:30",
                ["Authentication:Schemes:GitHubOidc:RetryAfter"] = "00:00:09",
                ["Authentication:Schemes:GitHubOidc:Policy:RepositoryId"] = Kit.RepositoryId,
                ["Authentication:Schemes:GitHubOidc:Policy:AllowEvents:0"] = "push",
            });

        var options = host.Services.GetRequiredService<IOptionsMonitor<GitHubOidcAuthenticationOptions>>().Get(GitHubOidcDefaults.AuthenticationScheme);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ClockSkew);
        Assert.Equal(TimeSpan.FromSeconds(9), options.RetryAfter);

        using var ok = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken(Kit.Audience, Kit.Claims(("event_name", "push"))));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var otherEvent = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken(Kit.Audience, Kit.Claims(("event_name", "pull_request_target"))));
        Assert.Equal(HttpStatusCode.Unauthorized, otherEvent.StatusCode);
        using var otherRepository = await host.SendAsync(HttpMethod.Get, "/whoami", _issuer.IssueToken(Kit.Audience, Kit.Claims(("repository_id", "1"), ("event_name", "push"))));
        Assert.Equal(HttpStatusCode.Unauthorized, otherRepository.StatusCode);
    }

    [Fact]
    public async Task A_malformed_configuration_value_is_named_with_its_path()
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => ServiceHost.StartAsync(
            builder =>
            {
                builder.Services.AddAuthentication().AddGitHubOidc();
                builder.Services.AddAuthorization();
            },
            Kit.MapEndpoints,
            new Dictionary<string, string?>
            {
                ["Authentication:Schemes:GitHubOidc:Audiences:0"] = Kit.Audience,
                ["Authentication:Schemes:GitHubOidc:ClockSkew"] = "a minute",
            }));

        Assert.Contains("Authentication:Schemes:GitHubOidc:ClockSkew is 'a minute'", error.Message, StringComparison.Ordinal);
    }
}
