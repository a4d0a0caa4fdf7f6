namespace OidcToken.Validation.Tests.PolicyRules;

public sealed class ClaimPolicyRuleTests(PolicyIssuerFixture fixture) : IClassFixture<PolicyIssuerFixture>
{
    // The mock's token: repository octo-org/octo-repo (456789), owner octo-org (123456), ref refs/heads/main,
    // event push, runner github-hosted, workflow ci.yml, no environment.
    private static GitHubClaimPolicyBuilder Any() => GitHubClaimPolicy.CreateBuilder().AllowAnyRepository();

    public static TheoryData<string, Func<GitHubClaimPolicyBuilder, GitHubClaimPolicyBuilder>, string?, string?> Rules => new()
    {
        // name, rule, claim overrides as "name=value", expected violation (null: passes)
        { "repository same", b => b.Repository("octo-org/octo-repo"), null, null },
        { "repository other case", b => b.Repository("Octo-Org/Octo-Repo"), null, null },
        { "repository differs", b => b.Repository("octo-org/other"), null, "repository was 'octo-org/octo-repo', expected 'octo-org/other' (case-insensitive)" },
        { "repository_id same", b => b.RepositoryId("456789"), null, null },
        { "repository_id differs", b => b.RepositoryId("2"), "repository_id=1", "repository_id was '1', expected '2'" },
        { "owner same", b => b.Owner("OCTO-ORG"), null, null },
        { "owner differs", b => b.Owner("evil-org"), null, "repository_owner was 'octo-org', expected 'evil-org' (case-insensitive)" },
        { "owner_id same", b => b.OwnerId("123456"), null, null },
        { "owner_id differs", b => b.OwnerId("999"), null, "repository_owner_id was '123456', expected '999'" },
        { "ref same", b => b.Ref("refs/heads/main"), null, null },
        { "ref differs", b => b.Ref("refs/heads/release"), null, "ref was 'refs/heads/main', expected 'refs/heads/release'" },
        { "ref is case-sensitive", b => b.Ref("refs/heads/Main"), null, "ref was 'refs/heads/main', expected 'refs/heads/Main'" },
        { "protected ref", b => b.RequireProtectedRef(), "ref_protected=true", null },
        { "unprotected ref", b => b.RequireProtectedRef(), "ref_protected=false", "ref_protected was 'false', expected 'true'" },
        { "environment same", b => b.Environment("Production"), "environment=production", null },
        { "environment differs", b => b.Environment("production"), "environment=staging", "environment was 'staging', expected 'production' (case-insensitive)" },
        { "environment absent", b => b.Environment("production"), null, "environment was missing, expected 'production' (case-insensitive)" },
        { "event allowed", b => b.AllowEvents("push", "workflow_dispatch"), null, null },
        { "event not allowed", b => b.AllowEvents("release", "workflow_dispatch"), null, "event_name was 'push', expected one of 'release', 'workflow_dispatch'" },
        { "event not denied", b => b.DenyEvents("pull_request_target"), null, null },
        { "event denied", b => b.DenyEvents("pull_request_target"), "event_name=pull_request_target", "event_name was 'pull_request_target', which the policy denies (denied: 'pull_request_target')" },
        { "job_workflow_ref same", b => b.JobWorkflowRef("octo-org/shared/.github/workflows/deploy.yml@refs/heads/main"), "job_workflow_ref=octo-org/shared/.github/workflows/deploy.yml@refs/heads/main", null },
        { "job_workflow_ref differs", b => b.JobWorkflowRef("octo-org/shared/.github/workflows/deploy.yml@refs/heads/main"), "job_workflow_ref=octo-org/shared/.github/workflows/deploy.yml@refs/heads/dev", "job_workflow_ref was 'octo-org/shared/.github/workflows/deploy.yml@refs/heads/dev', expected 'octo-org/shared/.github/workflows/deploy.yml@refs/heads/main'" },
        { "workflow_ref same", b => b.WorkflowRef("octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main"), "workflow_ref=octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main", null },
        { "workflow_ref differs", b => b.WorkflowRef("octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main"), "workflow_ref=octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main", "workflow_ref was 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main', expected 'octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main'" },
        { "runner same", b => b.RunnerEnvironment("github-hosted"), null, null },
        { "runner differs", b => b.RunnerEnvironment("github-hosted"), "runner_environment=self-hosted", "runner_environment was 'self-hosted', expected 'github-hosted'" },
        { "sub matches", b => b.Subject("repo:octo-org/octo-repo:ref:refs/heads/main"), null, null },
        { "sub differs", b => b.Subject("repo:octo-org/octo-repo:environment:prod"), "sub=repo:octo-org/octo-repo:ref:refs/heads/main", "sub was 'repo:octo-org/octo-repo:ref:refs/heads/main', expected to match 'repo:octo-org/octo-repo:environment:prod'" },
        { "sub any-of", b => b.Subject("repo:octo-org/a:*").Subject("repo:octo-org/b:*"), "sub=repo:octo-org/c:ref:refs/heads/main", "sub was 'repo:octo-org/c:ref:refs/heads/main', expected to match one of 'repo:octo-org/a:*', 'repo:octo-org/b:*'" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task Each_rule_passes_or_fails_with_its_exact_message(string name, Func<GitHubClaimPolicyBuilder, GitHubClaimPolicyBuilder> rule, string? claim, string? expected)
    {
        var overrides = claim is null ? null : new Dictionary<string, string> { [claim[..claim.IndexOf('=')]] = claim[(claim.IndexOf('=') + 1)..] };

        var result = await fixture.CheckAsync(rule(Any()).Build(), overrides);

        if (expected is null)
        {
            Assert.True(result.IsValid, name + ": " + result);
        }
        else
        {
            Assert.Equal(GitHubOidcValidationFailure.PolicyViolation, result.Failure);
            Assert.Equal(GitHubOidcFailureKind.Invalid, result.Kind);
            Assert.Equal(expected, result.Message);
        }
    }

    [Fact]
    public async Task Rules_are_all_required()
    {
        var policy = GitHubClaimPolicy.CreateBuilder().RepositoryId("456789").OwnerId("123456").Ref("refs/heads/main").AllowEvents("push").Build();
        Assert.True((await fixture.CheckAsync(policy)).IsValid);

        var result = await fixture.CheckAsync(policy, new Dictionary<string, string> { ["ref"] = "refs/heads/evil" });
        Assert.Equal("ref was 'refs/heads/evil', expected 'refs/heads/main'", result.Message);
    }

    [Fact]
    public void ToString_lists_the_rules()
    {
        var text = GitHubClaimPolicy.CreateBuilder().RepositoryId("456789").Environment("prod").DenyEvents("pull_request_target").Subject("repo:octo-org/*").Build().ToString();

        Assert.Contains("repository_id == '456789'", text, StringComparison.Ordinal);
        Assert.Contains("environment == 'prod' (case-insensitive)", text, StringComparison.Ordinal);
        Assert.Contains("event_name not in ['pull_request_target']", text, StringComparison.Ordinal);
        Assert.Contains("sub matches 'repo:octo-org/*'", text, StringComparison.Ordinal);
    }
}
