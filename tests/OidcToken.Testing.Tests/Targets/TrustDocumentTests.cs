namespace OidcToken.Testing.Targets;

/// <summary>
/// The target mocks configured from trust documents (what <c>oidc-token doctor --trust</c> prints): the AWS trust policy
/// evaluation, the Google condition subset, the Entra credential and the Vault role readers.
/// </summary>
public sealed class TrustDocumentTests
{
    private const string Provider = "token.actions.githubusercontent.com";
    private const string Issuer = "https://" + Provider;
    private const string Account = "123456789012";

    private static string Policy(string effect, string action, string op, string sub, string account = Account) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"" + effect + "\",\"Principal\":{\"Federated\":\"arn:aws:iam::" + account +
        ":oidc-provider/" + Provider + "\"},\"Action\":\"" + action + "\",\"Condition\":{\"" + op + "\":{\"" + Provider + ":aud\":\"sts.amazonaws.com\",\"" +
        Provider + ":sub\":" + sub + "}}}]}";

    private static bool Admits(string policy, string subject, string issuer = Issuer, string audience = "sts.amazonaws.com") =>
        AwsTrustPolicy.Parse(policy).Admits(Account, issuer, subject, [audience]);

    [Fact]
    public void Aws_StringEquals_compares_exactly_and_StringLike_matches_patterns()
    {
        var exact = Policy("Allow", "sts:AssumeRoleWithWebIdentity", "StringEquals", "\"repo:o/r:ref:refs/heads/main\"");
        var like = Policy("Allow", "sts:AssumeRoleWithWebIdentity", "StringLike", "[\"repo:o/r:*\",\"repo:o/x:ref:refs/heads/main\"]");

        Assert.True(Admits(exact, "repo:o/r:ref:refs/heads/main"));
        Assert.False(Admits(exact, "repo:o/r:ref:refs/heads/dev"));
        Assert.False(Admits(exact, "repo:o/r:ref:refs/heads/main", audience: "other"));
        Assert.False(Admits(exact, "repo:o/r:ref:refs/heads/main", issuer: "https://token.actions.octocorp.ghe.com"));
        Assert.True(Admits(like, "repo:o/r:ref:refs/heads/dev"));
        Assert.True(Admits(like, "repo:o/x:ref:refs/heads/main"));
        Assert.False(Admits(like, "repo:o/x:ref:refs/heads/dev"));
    }

    [Fact]
    public void Aws_a_statement_for_another_action_account_or_key_does_not_apply_and_deny_wins()
    {
        Assert.False(Admits(Policy("Allow", "sts:AssumeRole", "StringEquals", "\"s\""), "s"));
        Assert.True(Admits(Policy("Allow", "sts:*", "StringEquals", "\"s\""), "s"));
        Assert.False(Admits(Policy("Allow", "sts:AssumeRoleWithWebIdentity", "StringEquals", "\"s\"", account: "999999999999"), "s"));
        Assert.False(Admits(Policy("Allow", "sts:AssumeRoleWithWebIdentity", "ForAnyValue:StringEquals", "\"s\""), "s"));
        var allowAndDeny = Policy("Allow", "sts:AssumeRoleWithWebIdentity", "StringLike", "\"*\"").Replace(
            "}]}",
            "},{\"Effect\":\"Deny\",\"Principal\":{\"Federated\":\"arn:aws:iam::" + Account + ":oidc-provider/" + Provider + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"," +
            "\"Condition\":{\"StringEquals\":{\"" + Provider + ":sub\":\"bad\"}}}]}",
            StringComparison.Ordinal);
        Assert.True(Admits(allowAndDeny, "good"));
        Assert.False(Admits(allowAndDeny, "bad"));
    }

    [Fact]
    public void Aws_a_policy_that_is_not_a_document_is_refused_at_start()
    {
        Assert.Throws<ArgumentException>(() => MockAwsSts.Start(new MockAwsStsOptions { TrustPolicy = "{not json" }));
        Assert.Throws<ArgumentException>(() => MockAwsSts.Start(new MockAwsStsOptions { TrustPolicy = "{\"Version\":\"2012-10-17\"}" }));
    }

    [Fact]
    public void Google_condition_subset_evaluates_equalities_and_refuses_the_rest()
    {
        var condition = CelCondition.Parse("assertion.repository_id == '456789' && assertion.ref != \"refs/heads/dev\" && assertion.x == 'it\\'s'");

        Assert.True(condition(new Dictionary<string, string> { ["repository_id"] = "456789", ["ref"] = "refs/heads/main", ["x"] = "it's" }));
        Assert.False(condition(new Dictionary<string, string> { ["repository_id"] = "456789", ["ref"] = "refs/heads/dev", ["x"] = "it's" }));
        Assert.False(condition(new Dictionary<string, string> { ["ref"] = "refs/heads/main", ["x"] = "it's" }));
        Assert.Throws<ArgumentException>(() => CelCondition.Parse("assertion.a == 'b' || assertion.c == 'd'"));
        Assert.Throws<ArgumentException>(() => CelCondition.Parse("assertion.a.startsWith('b')"));
        Assert.Throws<ArgumentException>(() => new MockGoogleCloudOptions().UseProvider("{\"attributeCondition\":\"'a' in assertion.b\"}"));
    }

    [Fact]
    public void Entra_credential_sets_the_three_values_and_needs_one_audience()
    {
        var options = new MockEntraIdOptions().UseFederatedCredential("{\"name\":\"n\",\"issuer\":\"i\",\"subject\":\"s\",\"audiences\":[\"a\"]}");

        Assert.Equal(("i", "s", "a"), (options.ExpectedIssuer, options.ExpectedSubject, options.ExpectedAudience));
        Assert.Throws<ArgumentException>(() => new MockEntraIdOptions().UseFederatedCredential("{\"issuer\":\"i\",\"subject\":\"s\",\"audiences\":[\"a\",\"b\"]}"));
    }

    [Fact]
    public void Vault_role_sets_audiences_claims_and_user_claim_and_refuses_glob()
    {
        using var vault = MockVault.Start("https://github.com/octo-org");

        vault.ApplyRole("{\"role_type\":\"jwt\",\"user_claim\":\"repository_id\",\"bound_audiences\":[\"x\",\"y\"],\"bound_claims\":{\"repository_id\":\"1\",\"ref\":[\"a\",\"b\"]}}");

        Assert.Equal(["x", "y"], vault.BoundAudiences);
        Assert.Equal("repository_id", vault.UserClaim);
        Assert.Equal(["a", "b"], vault.BoundClaims!["ref"]);
        Assert.Throws<ArgumentException>(() => vault.ApplyRole("{\"bound_claims_type\":\"glob\"}"));
        Assert.Throws<ArgumentException>(() => vault.ApplyRole("{\"role_type\":\"oidc\"}"));
    }
}
