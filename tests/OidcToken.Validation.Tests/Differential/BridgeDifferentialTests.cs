using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OidcToken.AspNetCore;
using OidcToken.AspNetCore.Tests.Support;
using Xunit.Abstractions;

namespace OidcToken.Validation.Tests.Differential;

/// <summary>
/// The attack corpus, over real HTTP, through OidcToken.AspNetCore's two front doors: <c>AddGitHubOidc</c> and the
/// JwtBearer bridge (<c>AddJwtBearer(o =&gt; o.UseGitHubOidc(…))</c>), configured alike. The bridge is never more
/// permissive than the handler, and in fact answers every token the same.
/// </summary>
public sealed class BridgeDifferentialTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Attack_corpus_the_bridge_is_never_more_permissive_than_the_handler()
    {
        var compared = 0;
        var acceptedByBoth = 0;
        foreach (var group in DifferentialCorpus.Attacks.GroupBy(c => c.Setup))
        {
            var setup = group.Key;
            await using var host = await ServiceHost.StartAsync(
                builder =>
                {
                    builder.Services.AddAuthentication()
                        .AddGitHubOidc(o =>
                        {
                            o.Issuer = setup.Issuer;
                            o.Audiences.Add(setup.Audience);
                            o.Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId(setup.RepositoryId).Build();
                            o.SigningKeys = setup.Keys;
                            o.TimeProvider = setup.Time;
                        })
                        .AddJwtBearer(o =>
                        {
                            o.TimeProvider = setup.Time;
                            o.UseGitHubOidc(v =>
                            {
                                v.Issuer = setup.Issuer;
                                v.Audiences.Add(setup.Audience);
                                v.Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId(setup.RepositoryId).Build();
                                v.SigningKeys = setup.Keys;
                            });
                        });
                    builder.Services.AddAuthorization();
                },
                app =>
                {
                    app.UseAuthentication();
                    app.UseAuthorization();
                    app.MapGet("/handler", () => "ok").RequireAuthorization(p => p.AddAuthenticationSchemes(GitHubOidcDefaults.AuthenticationScheme).RequireAuthenticatedUser());
                    app.MapGet("/bridge", () => "ok").RequireAuthorization(p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser());
                });

            // A token with a character no HTTP header can carry never reaches either scheme (the client or Kestrel refuses it).
            foreach (var attack in group.Where(c => c.Token.All(ch => ch is >= ' ' and <= '~')))
            {
                using var handler = await host.SendAsync(HttpMethod.Get, "/handler", attack.Token);
                using var bridge = await host.SendAsync(HttpMethod.Get, "/bridge", attack.Token);
                Assert.False(bridge.StatusCode == HttpStatusCode.OK && handler.StatusCode != HttpStatusCode.OK, $"the bridge accepted what the handler refused: {attack}");
                Assert.True(bridge.StatusCode == handler.StatusCode, $"{attack}: handler {(int)handler.StatusCode}, bridge {(int)bridge.StatusCode}");
                compared++;
                if (handler.StatusCode == HttpStatusCode.OK)
                {
                    acceptedByBoth++;
                }
            }
        }

        output.WriteLine($"{compared} attack-corpus tokens sent to both schemes over HTTP; accepted by both: {acceptedByBoth}");
        Assert.True(compared >= 100, $"only {compared} corpus cases");
        Assert.True(acceptedByBoth >= 1, "the corpus's valid controls must pass both, or the comparison proves nothing");
    }

}
