using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using OidcToken.AspNetCore.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.AspNetCore.Tests.Health;

/// <summary>The keys health check over a real /healthz endpoint.</summary>
public sealed class KeysHealthCheckTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Healthy_when_the_keys_are_fetched_unhealthy_when_the_issuer_cannot_be_reached()
    {
        await using (var host = await StartAsync(_issuer))
        {
            using var healthy = await host.Client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            Assert.Equal("Healthy", await healthy.Content.ReadAsStringAsync());
            Assert.Equal(1, _issuer.JwksRequestCount);
        }

        using var down = MockGitHubOidcIssuer.Start();
        down.FailNextRequests(100, MockHttpTargetFault.Status(503).ForRequestsTo(new Uri(down.Issuer + "/.well-known/openid-configuration")));
        await using var sick = await StartAsync(down);
        using var unhealthy = await sick.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        Assert.Equal("Unhealthy", await unhealthy.Content.ReadAsStringAsync());
    }

    private static Task<ServiceHost> StartAsync(MockGitHubOidcIssuer issuer) =>
        ServiceHost.StartAsync(
            builder =>
            {
                builder.Services.AddAuthentication(GitHubOidcDefaults.AuthenticationScheme).AddGitHubOidc(o => Kit.Options(o, issuer));
                builder.Services.AddAuthorization();
                builder.Services.AddHealthChecks().AddGitHubOidcKeys();
            },
            app =>
            {
                Kit.MapEndpoints(app);
                app.MapHealthChecks("/healthz", new HealthCheckOptions());
            });
}
