using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OidcToken.Testing;
using OidcToken.Validation;

namespace OidcToken.AspNetCore.Tests.Support;

/// <summary>The service every test starts: the GitHub OIDC scheme against a mock issuer, and three endpoints.</summary>
internal static class Kit
{
    public const string Audience = "https://deploy.example.com";
    public const string RepositoryId = "456789";

    /// <summary><c>/whoami</c> (any valid token), <c>/deploy</c> (environment production), <c>/public</c> (anonymous).</summary>
    public static void MapEndpoints(WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/public", () => "hello");
        app.MapGet("/whoami", (HttpContext context) =>
        {
            var claims = context.GetGitHubActionsClaims()!;
            return $"{context.User.Identity!.Name}|{context.User.FindFirst("repository_id")!.Value}|{claims.Repository}|{claims.RepositoryId}";
        }).RequireAuthorization();
        app.MapPost("/deploy", (HttpContext context) => "deploying " + context.GetGitHubActionsClaims()!.Environment)
            .RequireAuthorization(policy => policy.RequireGitHubClaims(rules => rules.Environment("production")));
    }

    public static void Options(GitHubOidcAuthenticationOptions options, MockGitHubOidcIssuer issuer)
    {
        options.Issuer = issuer.Issuer;
        options.Audiences.Add(Audience);
        options.Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId(RepositoryId).Build();
        options.RefreshInterval = TimeSpan.FromSeconds(1);
    }

    public static Task<ServiceHost> StartAsync(MockGitHubOidcIssuer issuer, Action<GitHubOidcAuthenticationOptions>? more = null, Action<WebApplicationBuilder>? services = null) =>
        ServiceHost.StartAsync(
            builder =>
            {
                builder.Services.AddAuthentication(GitHubOidcDefaults.AuthenticationScheme).AddGitHubOidc(o =>
                {
                    Options(o, issuer);
                    more?.Invoke(o);
                });
                builder.Services.AddAuthorization();
                services?.Invoke(builder);
            },
            MapEndpoints);

    public static Dictionary<string, string> Claims(params (string Name, string Value)[] claims) =>
        claims.ToDictionary(c => c.Name, c => c.Value);
}
