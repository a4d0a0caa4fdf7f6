// The service side under load: the same minimal API behind AddGitHubOidc or AddJwtBearer (configured as Microsoft
// documents for GitHub: Authority = the issuer, ValidAudience, the discovery document's keys), with or without a replay
// store. It starts a mock GitHub issuer in-process (loopback), mints the tokens the load generator sends (distinct, one
// per line, into --tokens FILE), then serves GET /api (authorized) and GET /stats (bytes allocated and requests so far).
//
// Usage: OidcToken.Benchmarks.Http --mode github-oidc|jwt-bearer|replay-memory|replay-redis --tokens FILE
//        [--count N] [--redis HOST:PORT]
// Prints "READY http://127.0.0.1:PORT" when it serves. benchmarks/http/run drives it with wrk.
using System.Globalization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using OidcToken.AspNetCore;
using OidcToken.Testing;
using OidcToken.Validation;
using OidcToken.Validation.Redis;
using StackExchange.Redis;

string Arg(string name, string? fallback = null) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException("missing " + name);

var mode = Arg("--mode");
var tokensFile = Arg("--tokens");
var count = int.Parse(Arg("--count", "4096"), CultureInfo.InvariantCulture);
const string Audience = "https://deploy.example.com";

using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { RepositoryId = "456789" });
var tokens = new string[count];
Parallel.For(0, count, i => tokens[i] = issuer.IssueToken(Audience));
await File.WriteAllLinesAsync(tokensFile, tokens);

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
var authentication = builder.Services.AddAuthentication(mode == "jwt-bearer" ? JwtBearerDefaults.AuthenticationScheme : GitHubOidcDefaults.AuthenticationScheme);
if (mode == "jwt-bearer")
{
    authentication.AddJwtBearer(o =>
    {
        o.Authority = issuer.Issuer;
        o.RequireHttpsMetadata = false; // the mock issuer is plain http on loopback; GitHub's is https
        o.Audience = Audience;
        o.MapInboundClaims = false;
        o.TokenValidationParameters.ValidIssuer = issuer.Issuer;
        o.TokenValidationParameters.ValidAlgorithms = ["RS256"];
    });
}
else
{
    IConnectionMultiplexer? redis = mode == "replay-redis" ? await ConnectionMultiplexer.ConnectAsync(Arg("--redis")) : null;
    authentication.AddGitHubOidc(o =>
    {
        o.Issuer = issuer.Issuer;
        o.Audiences.Add(Audience);
        o.Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId("456789").Build();
        o.ReplayStore = mode switch
        {
            "replay-memory" => new InMemoryJtiReplayStore(maxEntries: 1_000_000),
            "replay-redis" => new RedisJtiReplayStore(redis!),
            _ => null,
        };
    });
}

builder.Services.AddAuthorization();
var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
long requests = 0;
app.MapGet("/api", (HttpContext context) =>
{
    Interlocked.Increment(ref requests);
    return context.User.FindFirst("repository_id")?.Value;
}).RequireAuthorization();
app.MapGet("/stats", () => $"{GC.GetTotalAllocatedBytes(precise: true)} {Interlocked.Read(ref requests)}");
await app.StartAsync();
Console.WriteLine("READY " + app.Urls.First());
await app.WaitForShutdownAsync();
