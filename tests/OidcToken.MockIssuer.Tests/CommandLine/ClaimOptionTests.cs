namespace OidcToken.MockIssuer.Tests.CommandLine;

/// <summary>The flags that vary what policies check: ids, ref, event, actor and free claims.</summary>
public sealed class ClaimOptionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Another_repo_gets_ids_of_its_own_derived_from_its_name()
    {
        using var tool = ToolProcess.Start("--repo", "other-repo");
        var claims = MockClient.Claims(await MockClient.GetTokenAsync(await tool.ReadVariablesAsync(Timeout), "demo"));

        Assert.Equal("octo-org/other-repo", claims.GetProperty("repository").GetString());
        Assert.Equal(MockIssuerCommand.DeriveId("repository:octo-org/other-repo"), claims.GetProperty("repository_id").GetString());
        Assert.NotEqual("456789", claims.GetProperty("repository_id").GetString());
        Assert.Equal("123456", claims.GetProperty("repository_owner_id").GetString());
    }

    [Fact]
    public void Derived_ids_are_stable_distinct_numbers_that_never_equal_the_defaults()
    {
        var names = new[] { "owner:acme", "owner:octo-org2", "repository:acme/rockets", "repository:acme/rocket", "repository:octo-org/other-repo" };
        var ids = names.Select(MockIssuerCommand.DeriveId).ToArray();

        Assert.Equal(ids, names.Select(MockIssuerCommand.DeriveId));
        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^[1-9][0-9]{8}$", id));
        Assert.Equal(MockIssuerCommand.DeriveId("owner:ACME"), MockIssuerCommand.DeriveId("owner:acme"));
    }

    [Fact]
    public async Task Every_claim_flag_reaches_the_token_and_derived_claims_follow_owner_repo_and_ref()
    {
        using var tool = ToolProcess.Start(
            "--owner", "acme",
            "--repo", "rockets",
            "--owner-id", "1001",
            "--repository-id", "2002",
            "--ref", "refs/tags/v1.2.3",
            "--event", "release",
            "--actor", "hubot",
            "--claim", "enterprise=acme-corp",
            "--claim", "repo_property_tier=gold=1");
        var claims = MockClient.Claims(await MockClient.GetTokenAsync(await tool.ReadVariablesAsync(Timeout), "demo"));

        Assert.Equal("1001", claims.GetProperty("repository_owner_id").GetString());
        Assert.Equal("2002", claims.GetProperty("repository_id").GetString());
        Assert.Equal("refs/tags/v1.2.3", claims.GetProperty("ref").GetString());
        Assert.Equal("tag", claims.GetProperty("ref_type").GetString());
        Assert.Equal("release", claims.GetProperty("event_name").GetString());
        Assert.Equal("hubot", claims.GetProperty("actor").GetString());
        Assert.Equal("acme-corp", claims.GetProperty("enterprise").GetString());
        Assert.Equal("gold=1", claims.GetProperty("repo_property_tier").GetString());
        Assert.Equal("repo:acme/rockets:ref:refs/tags/v1.2.3", claims.GetProperty("sub").GetString());
        Assert.Equal("acme/rockets", claims.GetProperty("repository").GetString());
        Assert.Equal("acme", claims.GetProperty("repository_owner").GetString());
        Assert.Equal("acme/rockets/.github/workflows/ci.yml@refs/tags/v1.2.3", claims.GetProperty("workflow_ref").GetString());
        Assert.Equal("acme/rockets/.github/workflows/ci.yml@refs/tags/v1.2.3", claims.GetProperty("job_workflow_ref").GetString());
    }

    [Fact]
    public async Task Another_owner_gets_a_derived_owner_id_unless_one_is_given()
    {
        using var tool = ToolProcess.Start("--owner", "acme", "--repository-id", "77");
        var claims = MockClient.Claims(await MockClient.GetTokenAsync(await tool.ReadVariablesAsync(Timeout), "https://github.com/acme"));

        Assert.Equal(MockIssuerCommand.DeriveId("owner:acme"), claims.GetProperty("repository_owner_id").GetString());
        Assert.Equal("77", claims.GetProperty("repository_id").GetString());
    }

    [Theory]
    [InlineData("--claim cannot set 'jti'", "--claim", "jti=x")]
    [InlineData("--claim cannot set 'iss'", "--claim", "iss=http://elsewhere")]
    [InlineData("--claim cannot set 'aud'", "--claim", "aud=x")]
    [InlineData("--claim cannot set 'exp'", "--claim", "exp=1")]
    [InlineData("--claim cannot set 'iat'", "--claim", "iat=1")]
    [InlineData("--claim cannot set 'nbf'", "--claim", "nbf=1")]
    [InlineData("--claim needs NAME=VALUE", "--claim", "enterprise")]
    [InlineData("--claim needs a claim name", "--claim", "=value")]
    [InlineData("--repository-id must be a number", "--repository-id", "abc")]
    [InlineData("--owner-id must be a number", "--owner-id", "12a")]
    [InlineData("--event must not be empty", "--event", "")]
    [InlineData("--actor must not be empty", "--actor", " ")]
    public async Task Bad_claim_flag_exits_2_naming_the_flag(string message, params string[] arguments)
    {
        using var tool = ToolProcess.Start(arguments);

        Assert.Equal(string.Empty, await tool.ReadStdoutToEndAsync(Timeout));
        Assert.Equal(2, await tool.WaitForExitAsync(Timeout));
        Assert.StartsWith("oidc-token-mock: " + message, await tool.Stderr, StringComparison.Ordinal);
    }
}
