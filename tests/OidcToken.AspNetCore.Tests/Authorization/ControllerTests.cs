using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using OidcToken.AspNetCore.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.AspNetCore.Tests.Authorization;

/// <summary>The claim-policy vocabulary on an MVC controller, through a named authorization policy.</summary>
public sealed class ControllerTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Named_policy_on_a_controller_checks_ref_protection_and_reusable_workflow()
    {
        const string workflow = "octo-org/deploy/.github/workflows/deploy.yml@refs/heads/main";
        await using var host = await ServiceHost.StartAsync(
            builder =>
            {
                builder.Services.AddAuthentication(GitHubOidcDefaults.AuthenticationScheme).AddGitHubOidc(o => Kit.Options(o, _issuer));
                builder.Services.AddAuthorization(o => o.AddPolicy("release", p => p.RequireGitHubClaims(r => r.RequireProtectedRef().JobWorkflowRef(workflow).DenyEvents("pull_request_target"))));
                builder.Services.AddControllers().AddApplicationPart(typeof(ReleasesController).Assembly);
            },
            app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapControllers();
            });

        using var ok = await host.SendAsync(HttpMethod.Post, "/releases", _issuer.IssueToken(Kit.Audience, Kit.Claims(("ref_protected", "true"), ("job_workflow_ref", workflow), ("event_name", "push"))));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(Kit.RepositoryId, await ok.Content.ReadAsStringAsync());

        using var unprotected = await host.SendAsync(HttpMethod.Post, "/releases", _issuer.IssueToken(Kit.Audience, Kit.Claims(("ref_protected", "false"), ("job_workflow_ref", workflow), ("event_name", "push"))));
        Assert.Equal(HttpStatusCode.Forbidden, unprotected.StatusCode);

        using var denied = await host.SendAsync(HttpMethod.Post, "/releases", _issuer.IssueToken(Kit.Audience, Kit.Claims(("ref_protected", "true"), ("job_workflow_ref", workflow), ("event_name", "pull_request_target"))));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        using var anonymous = await host.SendAsync(HttpMethod.Post, "/releases", bearer: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}

/// <summary>A controller guarded by the "release" policy.</summary>
[ApiController]
[Route("releases")]
public sealed class ReleasesController : ControllerBase
{
    /// <summary>Answers the repository id of the verified token.</summary>
    [HttpPost]
    [Authorize(Policy = "release")]
    public string Create() => HttpContext.GetGitHubActionsClaims()!.RepositoryId!;
}
