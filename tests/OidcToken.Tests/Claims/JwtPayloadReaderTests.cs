using OidcToken.Claims;
using OidcToken.Tests.Support;

namespace OidcToken.Tests.Claims;

public sealed class JwtPayloadReaderTests
{
    [Fact]
    public void TryRead_RealToken2026_ReadsEveryClaimAsGitHubSendsIt()
    {
        var claims = JwtPayloadReader.TryRead(Fixtures.GitHubReal("github-id-token-2026-04-22_marchenko1985-github_oidc_token_demo.jwt"), out var problem);

        Assert.Null(problem);
        Assert.NotNull(claims);
        Assert.Equal("https://token.actions.githubusercontent.com", claims.Issuer);
        Assert.Equal("demo", claims.Audience);
        Assert.Equal("repo:marchenko1985/github_oidc_token_demo:ref:refs/heads/main", claims.Subject);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1776844793), claims.ExpiresAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1776844493), claims.IssuedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1776844193), claims.NotBefore);
        Assert.Equal("1217768983", claims.RepositoryId);
        Assert.Equal("88868", claims.RepositoryOwnerId);
        Assert.Equal("72463523102", claims.CheckRunId);
        Assert.Equal("github-hosted", claims.RunnerEnvironment);
        Assert.Equal("marchenko1985/github_oidc_token_demo/.github/workflows/token.yml@refs/heads/main", claims.JobWorkflowRef);
        Assert.False(claims.RefProtected);
        Assert.Equal(string.Empty, claims.BaseRef);
        Assert.Null(claims.Environment);
        Assert.Empty(claims.AdditionalClaims);
    }

    [Fact]
    public void TryRead_OldToken2022_LacksNewerClaimsWithoutFailing()
    {
        var claims = JwtPayloadReader.TryRead(Fixtures.GitHubReal("github-id-token-2022-08-05_varunsh-coder-actions-playground.jwt"), out var problem);

        Assert.Null(problem);
        Assert.NotNull(claims);
        Assert.Equal("https://github.com/varunsh-coder", claims.Audience);
        Assert.Null(claims.RunnerEnvironment);
        Assert.Null(claims.WorkflowRef);
        Assert.Null(claims.RefProtected);
    }

    [Fact]
    public void TryRead_RequestTokenFixture_KeepsUnknownStringClaimsAside()
    {
        var claims = JwtPayloadReader.TryRead(Fixtures.GitHubReal("github-actions-request-token-2025-03-06_z4ce-test-ghactions.NOT-AN-ID-TOKEN.jwt"), out _);

        Assert.NotNull(claims);
        Assert.StartsWith("vso:", claims.Audience, StringComparison.Ordinal);
        Assert.True(claims.AdditionalClaims.ContainsKey("oidc_sub"));
    }

    [Theory]
    [InlineData("", "the token is empty")]
    [InlineData("abc", "the value is not a JWT")]
    [InlineData("a.b", "the value is not a JWT")]
    [InlineData("a.b.c.d", "the value is not a JWT")]
    [InlineData("a..c", "the value is not a JWT")]
    [InlineData("a.b.", "the value is not a JWT")]
    [InlineData("a+b.c.d", "a segment contains characters outside base64url")]
    [InlineData("eyJ.e30=.c", "a segment contains characters outside base64url")]
    public void TryRead_NotAJwt_SaysWhy(string token, string expected)
    {
        Assert.Null(JwtPayloadReader.TryRead(token, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"exp":1,"exp":2}""", "the JWT payload has the claim 'exp' more than once")]
    [InlineData("""{"sub":"a","iss":"x","sub":"b"}""", "the JWT payload has the claim 'sub' more than once")]
    [InlineData("""[1,2]""", "the JWT payload is not a JSON object")]
    [InlineData("""{"exp":"1776844793"}""", "the 'exp' claim is not a number of seconds")]
    [InlineData("""{"iat":-5}""", "the 'iat' claim is not a number of seconds")]
    [InlineData("""{"nbf":1e300}""", "the 'nbf' claim is not a number of seconds")]
    [InlineData("""{"aud":5}""", "the 'aud' claim is neither a string nor a list of strings")]
    [InlineData("""{"sub":true}""", "the 'sub' claim is not a string")]
    [InlineData("""{"jti":42}""", "the 'jti' claim is not a string")]
    [InlineData("""{"iss":["a"]}""", "the 'iss' claim is not a string")]
    [InlineData("""{"aud":["a",5]}""", "the 'aud' claim contains a value that is not a string")]
    [InlineData("""{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":{"m":{"n":{"o":{"p":{"q":1}}}}}}}}}}}}}}}}}""", "not a valid JSON object")]
    [InlineData("""{"sub":"x" """, "not a valid JSON object")]
    [InlineData("""{"\ud800":"x"}""", "not a valid JSON object")]
    [InlineData("""{"sub":"\udc00"}""", "not a valid JSON object")]
    public void TryRead_HostilePayload_IsRefusedWithAReason(string payload, string expected)
    {
        Assert.Null(JwtPayloadReader.TryRead(TestJwt.Create(payload), out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_FractionalTimes_RoundTowardsTheStricterSide()
    {
        var claims = JwtPayloadReader.TryRead(TestJwt.Create("""{"exp":1000.7,"nbf":900.2,"iat":950.5}"""), out _);

        Assert.NotNull(claims);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1000), claims.ExpiresAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(901), claims.NotBefore);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(951), claims.IssuedAt);
    }

    [Fact]
    public void TryRead_OversizedToken_IsRefused()
    {
        var huge = TestJwt.Create("{\"sub\":\"" + new string('x', 20_000) + "\"}");

        Assert.Null(JwtPayloadReader.TryRead(huge, out var problem));
        Assert.Equal("the token is longer than 16 KiB", problem);
    }

    [Fact]
    public void TryRead_NonStringClaims_AreKeptOutOfTheTypedView()
    {
        var claims = JwtPayloadReader.TryRead(TestJwt.Create("""{"aud":["a","b"],"ref_protected":true,"run_id":123,"repo_property_team":"core","extra":{"x":1}}"""), out _);

        Assert.NotNull(claims);
        Assert.Equal(["a", "b"], claims.Audiences);
        Assert.Equal("a", claims.Audience);
        Assert.True(claims.RefProtected);
        Assert.Null(claims.RunId);
        Assert.Equal("core", claims.AdditionalClaims["repo_property_team"]);
        Assert.False(claims.AdditionalClaims.ContainsKey("extra"));
    }
}
