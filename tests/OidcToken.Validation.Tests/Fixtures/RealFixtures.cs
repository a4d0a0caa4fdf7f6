using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace OidcToken.Validation.Tests.RealTokens;

/// <summary>The real GitHub tokens and JWKS in Fixtures/github-real (see its README for provenance and windows).</summary>
internal static class RealFixtures
{
    public const string TokenA = "github-id-token-2022-08-05_varunsh-coder-actions-playground.jwt";
    public const string TokenB = "github-id-token-2025-03-29_rgl-github-actions-validate-jwt.jwt";
    public const string TokenC = "github-id-token-2026-04-22_marchenko1985-github_oidc_token_demo.jwt";
    public const string TokenD = "github-actions-request-token-2025-03-06_z4ce-test-ghactions.NOT-AN-ID-TOKEN.jwt";
    public const string JwksA = "github-jwks-2022-08_step-security-secure-repo.json";
    public const string JwksB = "github-jwks-2025-03_z4ce-snyk-oidc-exchange.json";
    public const string JwksC = "github-jwks-2026-04_forgejo.json";

    public static string Read(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "github-real", name)).Trim();

    public static JsonWebKeySet Jwks(string name) => new(Read(name));

    public static FakeTimeProvider At(string instant) => new(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Offline options for a real token: its JWKS, its audience, a policy on its repository id.</summary>
    public static GitHubOidcValidationOptions Options(string jwks, string audience, string repositoryId, TimeProvider time, bool allowDefaultAudience = false) => new()
    {
        SigningKeys = Jwks(jwks),
        Audiences = [audience],
        AllowDefaultAudience = allowDefaultAudience,
        Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId(repositoryId).Build(),
        TimeProvider = time,
    };
}
