namespace OidcToken.Validation.Tests.PolicyRules;

public sealed class ClaimPolicyBuildTests
{
    [Fact]
    public void No_numeric_id_rule_is_refused_unless_opted_out_by_name()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => GitHubClaimPolicy.CreateBuilder().Repository("octo-org/octo-repo").Build());

        Assert.Contains("no numeric-id rule", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowAnyRepository()", error.Message, StringComparison.Ordinal);
        GitHubClaimPolicy.CreateBuilder().Repository("octo-org/octo-repo").AllowAnyRepository().Build();
        GitHubClaimPolicy.CreateBuilder().OwnerId("1").Build();
        GitHubClaimPolicy.CreateBuilder().RepositoryId("1").Build();
    }

    [Fact]
    public void Every_problem_is_reported_together()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => GitHubClaimPolicy.CreateBuilder()
            .RepositoryId("12a")
            .OwnerId("")
            .Repository("no-slash")
            .Owner(" ")
            .Ref("")
            .Environment("")
            .AllowEvents("push", "pull_request_target")
            .DenyEvents("pull_request_target")
            .RunnerEnvironment("windows")
            .JobWorkflowRef("")
            .WorkflowRef(" ")
            .Subject("repo:octo*")
            .Subject("repo:octo-org/*-prod:*")
            .Subject("")
            .Build());

        string[] expected =
        [
            "RepositoryId: '12a' is not a numeric id (digits only)",
            "OwnerId: '' is not a numeric id (digits only)",
            "Repository: 'no-slash' is not 'owner/name'",
            "Owner: the value is empty",
            "Ref: the value is empty.",
            "Environment: the value is empty.",
            "AllowEvents/DenyEvents: the event 'pull_request_target' is both allowed and denied",
            "RunnerEnvironment: 'windows' is not 'github-hosted' or 'self-hosted'.",
            "JobWorkflowRef: the value is empty.",
            "WorkflowRef: the value is empty.",
            "Subject: the pattern 'repo:octo*' has a '*' inside the segment 'octo*'",
            "Subject: the pattern 'repo:octo-org/*-prod:*' has a '*' inside the segment '*-prod'",
            "Subject: the pattern is empty",
        ];
        foreach (var part in expected)
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("no numeric-id rule", error.Message, StringComparison.Ordinal);
        Assert.Equal(expected.Length + 1, error.Message.Split('\n').Length);
    }

    [Fact]
    public void Setting_a_single_valued_rule_twice_with_different_values_is_refused()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => GitHubClaimPolicy.CreateBuilder().RepositoryId("1").RepositoryId("2").Build());
        Assert.Contains("RepositoryId: set twice, to '1' and '2'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_event_lists_are_refused()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => GitHubClaimPolicy.CreateBuilder().RepositoryId("1").AllowEvents().DenyEvents("").Build());
        Assert.Contains("AllowEvents: called without event names", error.Message, StringComparison.Ordinal);
        Assert.Contains("DenyEvents: an event name is empty.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_arguments_are_caller_bugs()
    {
        var builder = GitHubClaimPolicy.CreateBuilder();
        Assert.Throws<ArgumentNullException>("ownerSlashRepo", () => builder.Repository(null!));
        Assert.Throws<ArgumentNullException>("id", () => builder.RepositoryId(null!));
        Assert.Throws<ArgumentNullException>("pattern", () => builder.Subject(null!));
        Assert.Throws<ArgumentNullException>("names", () => builder.AllowEvents(null!));
    }

    [Fact]
    public void Builder_methods_return_the_same_builder()
    {
        var builder = GitHubClaimPolicy.CreateBuilder();
        Assert.Same(builder, builder.RepositoryId("1").OwnerId("2").Owner("o").Repository("o/r").Ref("refs/heads/main").RequireProtectedRef()
            .Environment("e").AllowEvents("push").DenyEvents("pull_request_target").JobWorkflowRef("j").WorkflowRef("w")
            .RunnerEnvironment("self-hosted").Subject("repo:o/r:*").AllowAnyRepository());
    }
}
