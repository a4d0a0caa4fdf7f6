namespace OidcToken.Cli;

/// <summary>
/// The real GitHub tokens and key sets kept in <c>tests/OidcToken.Validation.Tests/Fixtures/github-real</c> (its README
/// gives each token's provenance and validity window).
/// </summary>
internal static class GitHubRealFixtures
{
    /// <summary>Token C: aud <c>demo</c>, repository_id 1217768983, valid 2026-04-22T07:49:53Z..07:59:53Z.</summary>
    internal const string TokenC = "github-id-token-2026-04-22_marchenko1985-github_oidc_token_demo.jwt";

    /// <summary>The JWKS that signed token C.</summary>
    internal const string JwksC = "github-jwks-2026-04_forgejo.json";

    /// <summary>Token B: aud <c>https://example.com</c>, valid 2025-03-29T10:58:47Z..17:03:47Z.</summary>
    internal const string TokenB = "github-id-token-2025-03-29_rgl-github-actions-validate-jwt.jwt";

    /// <summary>The JWKS that signed token B.</summary>
    internal const string JwksB = "github-jwks-2025-03_z4ce-snyk-oidc-exchange.json";

    /// <summary>A JWKS of 2022 that lacks token C's key.</summary>
    internal const string JwksA = "github-jwks-2022-08_step-security-secure-repo.json";

    /// <summary>The runner's request token: a JWT from the same issuer and key, but not an ID token.</summary>
    internal const string RequestTokenD = "github-actions-request-token-2025-03-06_z4ce-test-ghactions.NOT-AN-ID-TOKEN.jwt";

    /// <summary>The fixtures folder.</summary>
    internal static string Directory { get; } = Find();

    /// <summary>The full path of a fixture file.</summary>
    internal static string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>A token fixture's text, trimmed.</summary>
    internal static string Token(string name) => File.ReadAllText(PathOf(name)).Trim();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "OidcToken.sln")))
            {
                var fixtures = Path.Combine(folder.FullName, "tests", "OidcToken.Validation.Tests", "Fixtures", "github-real");
                return System.IO.Directory.Exists(fixtures)
                    ? fixtures
                    : throw new DirectoryNotFoundException("The real GitHub fixtures are missing: " + fixtures);
            }
        }

        throw new DirectoryNotFoundException("No folder holding OidcToken.sln above " + AppContext.BaseDirectory);
    }
}
