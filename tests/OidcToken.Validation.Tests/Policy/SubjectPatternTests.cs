namespace OidcToken.Validation.Tests.PolicyRules;

public sealed class SubjectPatternTests
{
    [Theory]
    // exact
    [InlineData("repo:octo-org/octo-repo:ref:refs/heads/main", "repo:octo-org/octo-repo:ref:refs/heads/main", true)]
    [InlineData("repo:octo-org/octo-repo:ref:refs/heads/main", "repo:octo-org/octo-repo:ref:refs/heads/main2", false)]
    // whole-segment stars
    [InlineData("repo:octo-org/*:environment:prod", "repo:octo-org/octo-repo:environment:prod", true)]
    [InlineData("repo:octo-org/*:environment:prod", "repo:octo-org/octo-repo:environment:staging", false)]
    [InlineData("repo:octo-org/*:environment:prod", "repo:octo-org/a/b:environment:prod", false)]
    [InlineData("repo:octo-org/*:environment:prod", "repo:octo-org/:environment:prod", false)]
    [InlineData("repo:*/octo-repo:ref:refs/heads/main", "repo:anyone/octo-repo:ref:refs/heads/main", true)]
    [InlineData("repo:octo-org/octo-repo:ref:refs/heads/*", "repo:octo-org/octo-repo:ref:refs/heads/main", true)]
    // a final star spans '/' and ':'
    [InlineData("repo:octo-org/octo-repo:ref:refs/heads/*", "repo:octo-org/octo-repo:ref:refs/heads/feature/x", true)]
    [InlineData("repo:octo-org/*", "repo:octo-org/octo-repo:ref:refs/heads/main", true)]
    [InlineData("repo:octo-org/*", "repo:octo-org/octo-repo:environment:prod", true)]
    [InlineData("repo:octo-org/*", "repo:octo-org/", false)]
    [InlineData("repo:octo-org/*", "repo:octo-org", false)]
    [InlineData("repo:octo-org/*", "repo:octo-org-evil/x:ref:refs/heads/main", false)]
    [InlineData("repo:octo-org/*", "repo:octo-org:ref:refs/heads/main", false)]
    // a non-final star does not span separators
    [InlineData("repo:octo-org/*:ref:refs/heads/main", "repo:octo-org/x:environment:e:ref:refs/heads/main", false)]
    // owner and repo names are case-insensitive, the rest is not
    [InlineData("repo:Octo-Org/Octo-Repo:ref:refs/heads/main", "repo:octo-org/octo-repo:ref:refs/heads/main", true)]
    [InlineData("repo:octo-org/octo-repo:ref:refs/heads/Main", "repo:octo-org/octo-repo:ref:refs/heads/main", false)]
    [InlineData("repo:octo-org/octo-repo:Ref:refs/heads/main", "repo:octo-org/octo-repo:ref:refs/heads/main", false)]
    [InlineData("Repo:octo-org/octo-repo:ref:refs/heads/main", "repo:octo-org/octo-repo:ref:refs/heads/main", false)]
    // immutable owner@id/repo@id forms
    [InlineData("repo:octo-org/octo-repo:ref:refs/heads/main", "repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main", true)]
    [InlineData("repo:Octo-Org/*:environment:prod", "repo:octo-org@123456/octo-repo@456789:environment:prod", true)]
    [InlineData("repo:octo-org/*", "repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main", true)]
    [InlineData("repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main", "repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main", true)]
    [InlineData("repo:octo-org@123456/*", "repo:octo-org@999/octo-repo@456789:ref:refs/heads/main", false)]
    [InlineData("repo:octo-org@123456/*", "repo:octo-org/octo-repo:ref:refs/heads/main", false)]
    [InlineData("repo:octo-org/octo-repo:ref:refs/heads/main", "repo:octo-org@123456/octo-repo-evil@1:ref:refs/heads/main", false)]
    [InlineData("repo:octo-org/octo-repo:ref:refs/heads/main", "repo:octo-orgx@123456/octo-repo@456789:ref:refs/heads/main", false)]
    public async Task Sub_patterns_match_whole_segments(string pattern, string subject, bool matches)
    {
        using var fixture = new PolicyIssuerFixture();
        var policy = GitHubClaimPolicy.CreateBuilder().AllowAnyRepository().Subject(pattern).Build();

        var result = await fixture.CheckAsync(policy, new Dictionary<string, string> { ["sub"] = subject });

        if (matches)
        {
            Assert.True(result.IsValid, result.ToString());
        }
        else
        {
            Assert.Equal(GitHubOidcValidationFailure.PolicyViolation, result.Failure);
            Assert.Equal($"sub was '{subject}', expected to match '{pattern}'", result.Message);
        }
    }

    [Theory]
    [InlineData("repo:octo*")]
    [InlineData("repo:*org/octo-repo:ref:refs/heads/main")]
    [InlineData("repo:octo-org/octo-*")]
    [InlineData("repo:octo-org/**")]
    [InlineData("repo:octo-org/octo-repo:ref:refs/heads/release-*")]
    [InlineData("*repo")]
    public void Partial_segment_stars_are_refused_at_build(string pattern)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => GitHubClaimPolicy.CreateBuilder().AllowAnyRepository().Subject(pattern).Build());

        Assert.Contains($"Subject: the pattern '{pattern}' has a '*' inside the segment", error.Message, StringComparison.Ordinal);
        Assert.Contains("may only stand for a whole", error.Message, StringComparison.Ordinal);
    }
}
