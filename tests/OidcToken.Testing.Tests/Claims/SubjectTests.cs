using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.Claims;

public sealed class SubjectTests
{
    [Theory]
    [InlineData(null, "push", "refs/heads/main", "repo:octo-org/octo-repo:ref:refs/heads/main")]
    [InlineData(null, "push", "refs/tags/v1.0.0", "repo:octo-org/octo-repo:ref:refs/tags/v1.0.0")]
    [InlineData(null, "workflow_dispatch", "refs/heads/feature/x", "repo:octo-org/octo-repo:ref:refs/heads/feature/x")]
    [InlineData(null, "pull_request", "refs/pull/7/merge", "repo:octo-org/octo-repo:pull_request")]
    [InlineData(null, "pull_request_target", "refs/heads/main", "repo:octo-org/octo-repo:ref:refs/heads/main")]
    [InlineData("production", "push", "refs/heads/main", "repo:octo-org/octo-repo:environment:production")]
    [InlineData("production", "pull_request", "refs/pull/7/merge", "repo:octo-org/octo-repo:environment:production")]
    [InlineData("Production:V1", "push", "refs/heads/main", "repo:octo-org/octo-repo:environment:Production%3AV1")]
    [InlineData(null, "push", "refs/heads/a:b", "repo:octo-org/octo-repo:ref:refs/heads/a%3Ab")]
    public void Sub_follows_githubs_default_template(string? environment, string eventName, string gitRef, string expected)
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions
        {
            Environment = environment,
            EventName = eventName,
            Ref = gitRef,
        });

        var claims = Jwt.Payload(issuer.IssueToken());

        Assert.Equal(expected, claims.GetProperty("sub").GetString());
        Assert.Equal(gitRef, claims.GetProperty("ref").GetString());
    }

    [Fact]
    public void Pull_request_events_fill_head_and_base_ref()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { EventName = "pull_request", Ref = "refs/pull/7/merge" });

        var claims = Jwt.Payload(issuer.IssueToken());

        Assert.NotEqual(string.Empty, claims.GetProperty("head_ref").GetString());
        Assert.NotEqual(string.Empty, claims.GetProperty("base_ref").GetString());
        Assert.Equal(string.Empty, claims.GetProperty("ref_type").GetString());
    }

    [Fact]
    public void Ref_type_can_be_set()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { RefType = "tag", Ref = "refs/tags/v2" });

        Assert.Equal("tag", Jwt.Payload(issuer.IssueToken()).GetProperty("ref_type").GetString());
    }
}
