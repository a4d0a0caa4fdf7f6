// DeployApi: a service that accepts GitHub Actions ID tokens — POST /deploy, allowed only for one repository (by id)
// deploying to its "production" environment, each token accepted once.
//
// Configure it for real with DeployApi:Issuer (GitHub's issuer, https://token.actions.githubusercontent.com),
// DeployApi:Audience, DeployApi:RepositoryId, DeployApi:Environment and, for several instances, ConnectionStrings:Redis
// (the replay guard is then shared; without it each instance remembers its own tokens).
// Without DeployApi:Issuer it starts OidcToken's mock GitHub issuer and prints how to call it.
using OidcToken.AspNetCore;
using OidcToken.Testing;
using OidcToken.Validation;
using OidcToken.Validation.Redis;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);
var settings = builder.Configuration.GetSection("DeployApi");
var audience = settings["Audience"] ?? "https://deploy.example.com";
var repositoryId = settings["RepositoryId"] ?? "456789";
var environment = settings["Environment"] ?? "production";

MockGitHubOidcIssuer? mock = null;
var issuer = settings["Issuer"];
if (string.IsNullOrEmpty(issuer))
{
    mock = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { RepositoryId = repositoryId, Environment = environment });
    issuer = mock.Issuer;
}

IConnectionMultiplexer? redis = null;
if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redisConnection)
{
    redis = await ConnectionMultiplexer.ConnectAsync(redisConnection);
    builder.Services.AddSingleton(redis);
}

builder.Services.AddProblemDetails();
builder.Services.AddAuthentication(GitHubOidcDefaults.AuthenticationScheme).AddGitHubOidc(options =>
{
    options.Issuer = issuer;
    options.Audiences.Add(audience);
    options.Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId(repositoryId).Build();
    options.ReplayStore = redis is null ? new InMemoryJtiReplayStore() : new RedisJtiReplayStore(redis);
});
builder.Services.AddAuthorization();
builder.Services.AddHealthChecks().AddGitHubOidcKeys();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

app.MapPost("/deploy", (HttpContext context) =>
{
    var claims = context.GetGitHubActionsClaims()!;
    return Results.Ok(new { deploying = claims.Sha, repository = claims.Repository, environment = claims.Environment, run = claims.RunId });
}).RequireAuthorization(policy => policy.RequireGitHubClaims(rules => rules.Environment(environment)));
app.MapHealthChecks("/healthz");

if (mock is not null)
{
    // Demo only: hands out tokens from the mock issuer, as a workflow step would get them from the runner.
    app.MapGet("/demo/token", () => mock.IssueToken(audience));
    app.Lifetime.ApplicationStarted.Register(() =>
    {
        var address = app.Urls.First();
        Console.WriteLine($"""

            DeployApi is running at {address} against the mock GitHub issuer {mock.Issuer}
            ({(redis is null ? "in-memory" : "Redis")} replay guard). Call it as a workflow step would:

              token=$(curl -s {address}/demo/token)
              curl -i -X POST {address}/deploy -H "Authorization: Bearer $token"   # 200: deploying
              curl -i -X POST {address}/deploy -H "Authorization: Bearer $token"   # 401: the token was already used
              curl -i -X POST {address}/deploy                                     # 401: no token

            """);
    });
    app.Lifetime.ApplicationStopped.Register(mock.Dispose);
}

app.Run();
