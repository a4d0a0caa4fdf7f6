using System.Text.Json;
using Azure.Core.Pipeline;
using OidcToken.Cli.Exchanging;
using OidcToken.Testing;

namespace OidcToken.Cli.Diagnostics;

/// <summary>
/// <c>oidc-token doctor --trust</c>: the printed configuration is fed to the target's mock as it is, and must admit this
/// job's token there and refuse a token from another repository (or ref); plus usage errors, offline <c>--token -</c>,
/// enterprise issuers, the warnings, and that the token never shows.
/// </summary>
public sealed class TrustCommandTests : IDisposable
{
    private const string Account = "123456789012";
    private const string RoleArn = "arn:aws:iam::" + Account + ":role/deploy";
    private const string Provider = "projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider";

    private readonly ExchangeHarness _runner = new();
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _runner.Dispose();
    }

    /// <summary>A token of the same owner's other repository, otherwise like this job's.</summary>
    private static Dictionary<string, string> OtherRepository() => new(StringComparer.Ordinal)
    {
        ["sub"] = "repo:octo-org/other-repo:ref:refs/heads/main",
        ["repository"] = "octo-org/other-repo",
        ["repository_id"] = "999999",
    };

    private static string[] Trust(params string[] more) => ["doctor", "--trust", .. more];

    private async Task<string> PrintAsync(params string[] args)
    {
        var run = await _runner.RunAsync(Trust([.. args, "--format", "json"]));
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("eyJ", run.Output + run.Error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.Output); // the document alone
        return run.Output;
    }

    private MockAwsSts Sts(string policy)
    {
        var sts = MockAwsSts.Start(new MockAwsStsOptions { TrustPolicy = policy, ExpectedIssuer = _runner.Issuer.Issuer });
        _disposables.Add(sts);
        return sts;
    }

    private Task<CliRun> AssumeAsync(MockAwsSts sts, string? stdin = null) =>
        CliRun.RunAsync(
            _runner.Context(stdin: stdin),
            ["exchange", "aws", "--role-arn", RoleArn, "--endpoint", sts.BaseAddress.AbsoluteUri, "--format", "json", .. stdin is null ? Array.Empty<string>() : ["--token", "-"]]);

    [Fact]
    public async Task Aws_policy_admits_this_job_at_the_mock_and_refuses_another_repository()
    {
        var policy = await PrintAsync("aws", "--account-id", Account);
        Assert.Equal("sts.amazonaws.com", Assert.Single(_runner.Issuer.TokenRequests).Audience);
        var sts = Sts(policy);

        var admitted = await AssumeAsync(sts);
        var other = await AssumeAsync(sts, _runner.Issuer.IssueToken("sts.amazonaws.com", OtherRepository()));
        var otherBranch = await AssumeAsync(sts, _runner.Issuer.IssueToken("sts.amazonaws.com", new Dictionary<string, string> { ["sub"] = "repo:octo-org/octo-repo:ref:refs/heads/dev" }));

        Assert.Equal(0, admitted.ExitCode);
        Assert.Equal(7, other.ExitCode);
        Assert.Equal(7, otherBranch.ExitCode);
        Assert.Equal([null, "AccessDenied", "AccessDenied"], sts.Requests.Select(r => r.ErrorCode));
        Assert.Contains("oidc-token doctor --trust aws", other.Error, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(policy);
        var statement = Assert.Single(json.RootElement.GetProperty("Statement").EnumerateArray());
        var host = _runner.Issuer.Issuer["http://".Length..];
        Assert.Equal("arn:aws:iam::" + Account + ":oidc-provider/" + host, statement.GetProperty("Principal").GetProperty("Federated").GetString());
        Assert.Equal("sts:AssumeRoleWithWebIdentity", statement.GetProperty("Action").GetString());
        var equals = statement.GetProperty("Condition").GetProperty("StringEquals");
        Assert.Equal("sts.amazonaws.com", equals.GetProperty(host + ":aud").GetString());
        Assert.Equal("repo:octo-org/octo-repo:ref:refs/heads/main", equals.GetProperty(host + ":sub").GetString());
    }

    [Fact]
    public async Task Aws_placeholder_account_is_refused_until_replaced()
    {
        var policy = await PrintAsync("aws");

        Assert.Contains("arn:aws:iam::<ACCOUNT_ID>:oidc-provider/", policy, StringComparison.Ordinal);
        Assert.Equal(7, (await AssumeAsync(Sts(policy))).ExitCode);
        Assert.Equal(0, (await AssumeAsync(Sts(policy.Replace("<ACCOUNT_ID>", Account, StringComparison.Ordinal)))).ExitCode);
    }

    [Fact]
    public async Task Aws_enterprise_issuer_names_its_host_and_path_and_is_admitted()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { IssuerKind = MockIssuerKind.EnterpriseSlug, EnterpriseSlug = "octo-ent" });
        var context = CliRun.Context(issuer.GetEnvironment(), ("GITHUB_ACTIONS", null));
        var run = await CliRun.RunAsync(context, Trust("aws", "--account-id", Account, "--format", "json"));
        Assert.Equal(0, run.ExitCode);
        var providerPath = issuer.Issuer["http://".Length..];
        Assert.EndsWith("/octo-ent", providerPath, StringComparison.Ordinal);
        Assert.Contains("\"" + providerPath + ":sub\": \"repo:octo-org/octo-repo:ref:refs/heads/main\"", run.Output, StringComparison.Ordinal);
        Assert.Contains(":oidc-provider/" + providerPath + "\"", run.Output, StringComparison.Ordinal);

        using var sts = MockAwsSts.Start(new MockAwsStsOptions { TrustPolicy = run.Output }); // no ExpectedIssuer: the policy alone decides
        var exchange = await CliRun.RunAsync(context, "exchange", "aws", "--role-arn", RoleArn, "--endpoint", sts.BaseAddress.AbsoluteUri, "--format", "json");
        Assert.Equal(0, exchange.ExitCode);

        // The same job's token from the github.com issuer (no slug) names another provider: refused.
        var rootIssuerToken = issuer.IssueToken("sts.amazonaws.com", new Dictionary<string, string> { ["iss"] = issuer.BaseAddress.AbsoluteUri.TrimEnd('/') });
        var refused = await CliRun.RunAsync(
            new CliContext(_ => null, () => new StringReader(rootIssuerToken)),
            "exchange", "aws", "--role-arn", RoleArn, "--endpoint", sts.BaseAddress.AbsoluteUri, "--token", "-");
        Assert.Equal(7, refused.ExitCode);
    }

    [Theory]
    [InlineData("https://token.actions.githubusercontent.com/octo-ent", "token.actions.githubusercontent.com/octo-ent")]
    [InlineData("https://token.actions.octocorp.ghe.com", "token.actions.octocorp.ghe.com")]
    [InlineData("https://github.example.com/_services/token", "github.example.com/_services/token")]
    [InlineData("https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com")]
    public async Task Aws_offline_condition_keys_follow_the_tokens_issuer(string iss, string provider)
    {
        var token = _runner.Issuer.IssueToken("sts.amazonaws.com", new Dictionary<string, string> { ["iss"] = iss });

        var run = await CliRun.RunWithStdinAsync(token, Trust("aws", "--token", "-", "--account-id", Account, "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        var statement = json.RootElement.GetProperty("Statement")[0];
        Assert.Equal("arn:aws:iam::" + Account + ":oidc-provider/" + provider, statement.GetProperty("Principal").GetProperty("Federated").GetString());
        Assert.Equal(
            [provider + ":aud", provider + ":sub"],
            statement.GetProperty("Condition").GetProperty("StringEquals").EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain(token, run.Output + run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Aws_text_explains_how_to_apply_and_how_to_make_sub_carry_the_ids()
    {
        var run = await _runner.RunAsync(Trust("aws"));

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("AWS IAM role trust policy that admits this job and no other\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("  repository       octo-org/octo-repo (id 456789)\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("\ntrust-policy.json:\n{\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("aws iam update-assume-role-policy --role-name ROLE_NAME --policy-document file://trust-policy.json", run.Output, StringComparison.Ordinal);
        Assert.Contains("Replace <ACCOUNT_ID>", run.Output, StringComparison.Ordinal);
        Assert.Contains(
            "echo '{\"use_default\":false,\"include_claim_keys\":[\"repository_owner_id\",\"repository_id\",\"context\"]}' | gh api -X PUT repos/octo-org/octo-repo/actions/oidc/customization/sub --input -",
            run.Output,
            StringComparison.Ordinal);
        Assert.Empty(run.Error);
        Assert.DoesNotContain("eyJ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aws_subject_with_ids_needs_no_template_advice()
    {
        var token = _runner.Issuer.IssueToken("sts.amazonaws.com", new Dictionary<string, string> { ["sub"] = "repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main" });

        var run = await CliRun.RunWithStdinAsync(token, Trust("aws", "--token", "-"));

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("include_claim_keys", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main\"", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azure_credential_admits_this_job_at_the_mock_and_refuses_another_repository()
    {
        var credential = await PrintAsync("azure");
        Assert.Equal("api://AzureADTokenExchange", Assert.Single(_runner.Issuer.TokenRequests).Audience);
        using (var json = JsonDocument.Parse(credential))
        {
            Assert.Equal(["name", "issuer", "subject", "description", "audiences"], json.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal("github-repo-octo-org-octo-repo-ref-refs-heads-main", json.RootElement.GetProperty("name").GetString());
        }

        var entra = new MockEntraId(new MockEntraIdOptions().UseFederatedCredential(credential));
        using var http = entra.CreateHttpClient();
        var args = new[] { "exchange", "azure", "--tenant-id", entra.TenantId, "--client-id", entra.ClientId, "--format", "json" };

        var admitted = await CliRun.RunAsync(_runner.Context(azure: new HttpClientTransport(http)), args);
        var other = await CliRun.RunAsync(
            _runner.Context(stdin: _runner.Issuer.IssueToken("api://AzureADTokenExchange", OtherRepository()), azure: new HttpClientTransport(http)), [.. args, "--token", "-"]);

        Assert.Equal(0, admitted.ExitCode);
        Assert.Equal(7, other.ExitCode);
        Assert.Contains("AADSTS700213", other.Error, StringComparison.Ordinal);
        Assert.Contains("oidc-token doctor --trust azure", other.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vault_role_admits_this_job_at_the_mock_and_refuses_another_repository_or_ref()
    {
        var role = await PrintAsync("vault");
        Assert.Null(Assert.Single(_runner.Issuer.TokenRequests).Audience); // GitHub's default audience
        using (var json = JsonDocument.Parse(role))
        {
            var bound = json.RootElement.GetProperty("bound_claims");
            Assert.Equal(
                [("repository_owner_id", "123456"), ("repository_id", "456789"), ("ref", "refs/heads/main")],
                bound.EnumerateObject().Select(p => (p.Name, p.Value.GetString())));
            Assert.Equal("jwt", json.RootElement.GetProperty("role_type").GetString());
            Assert.Equal("repository_id", json.RootElement.GetProperty("user_claim").GetString());
            Assert.Equal(_runner.Issuer.DefaultAudience, json.RootElement.GetProperty("bound_audiences")[0].GetString());
        }

        using var vault = MockVault.Start("https://example.invalid/other-audience", role: "ci");
        vault.ApplyRole(role);
        var args = new[] { "exchange", "vault", "--endpoint", vault.BaseAddress.AbsoluteUri, "--role", "ci", "--format", "json" };

        var admitted = await CliRun.RunAsync(_runner.Context(), args);
        var other = await CliRun.RunAsync(_runner.Context(stdin: _runner.Issuer.IssueToken(null, OtherRepository())), [.. args, "--token", "-"]);
        var otherRef = await CliRun.RunAsync(
            _runner.Context(stdin: _runner.Issuer.IssueToken(null, new Dictionary<string, string> { ["ref"] = "refs/heads/dev" })), [.. args, "--token", "-"]);

        Assert.Equal(0, admitted.ExitCode);
        Assert.Equal(7, other.ExitCode);
        Assert.Contains("claim \"repository_id\" does not match", other.Error, StringComparison.Ordinal);
        Assert.Equal(7, otherRef.ExitCode);
        Assert.Contains("oidc-token doctor --trust vault", otherRef.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gcp_condition_admits_this_job_at_the_mock_sts_and_refuses_another_repository()
    {
        var provider = await PrintAsync("gcp", "--workload-identity-provider", Provider);
        Assert.Equal("https://iam.googleapis.com/" + Provider, Assert.Single(_runner.Issuer.TokenRequests).Audience);
        using (var json = JsonDocument.Parse(provider))
        {
            Assert.Equal(
                "assertion.repository_owner_id == '123456' && assertion.repository_id == '456789' && assertion.ref == 'refs/heads/main'",
                json.RootElement.GetProperty("attributeCondition").GetString());
            Assert.Equal("assertion.repository_id", json.RootElement.GetProperty("attributeMapping").GetProperty("attribute.repository_id").GetString());
            Assert.False(json.RootElement.GetProperty("oidc").TryGetProperty("allowedAudiences", out _)); // the default audience needs none
        }

        using var google = MockGoogleCloud.Start(new MockGoogleCloudOptions { WorkloadIdentityProvider = Provider }.UseProvider(provider));
        using var http = new HttpClient();

        async Task<int> ExchangeAsync(string token)
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = MockGoogleCloud.TokenExchangeGrantType,
                ["requested_token_type"] = MockGoogleCloud.AccessTokenType,
                ["subject_token_type"] = "urn:ietf:params:oauth:token-type:jwt",
                ["audience"] = "//iam.googleapis.com/" + Provider,
                ["scope"] = "https://www.googleapis.com/auth/cloud-platform",
                ["subject_token"] = token,
            });
            using var response = await http.PostAsync(google.TokenUrl, form);
            return (int)response.StatusCode;
        }

        var audience = "https://iam.googleapis.com/" + Provider;
        Assert.Equal(200, await ExchangeAsync(_runner.Issuer.IssueToken(audience)));
        Assert.Equal(400, await ExchangeAsync(_runner.Issuer.IssueToken(audience, OtherRepository())));
        Assert.Equal(400, await ExchangeAsync(_runner.Issuer.IssueToken(audience, new Dictionary<string, string> { ["repository_owner_id"] = "1" })));
        Assert.Equal([null, "unauthorized_client", "unauthorized_client"], google.Requests.Select(r => r.Error));
    }

    [Fact]
    public async Task Gcp_text_gives_the_gcloud_flags_and_the_principal_set()
    {
        var run = await _runner.RunAsync(Trust("gcp", "--workload-identity-provider", "//iam.googleapis.com/" + Provider));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(
            "gcloud iam workload-identity-pools providers create-oidc github-provider --project=123456789 --location=global --workload-identity-pool=github-pool " +
            "--issuer-uri=" + _runner.Issuer.Issuer + " --attribute-mapping=google.subject=assertion.sub,attribute.repository_id=assertion.repository_id," +
            "attribute.repository_owner_id=assertion.repository_owner_id,attribute.repository=assertion.repository " +
            "--attribute-condition='assertion.repository_owner_id == '\\''123456'\\'' && assertion.repository_id == '\\''456789'\\'' && assertion.ref == '\\''refs/heads/main'\\'''",
            run.Output,
            StringComparison.Ordinal);
        Assert.Contains(
            "principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github-pool/attribute.repository_id/456789",
            run.Output,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gcp_offline_with_a_custom_audience_lists_it_as_allowed()
    {
        var token = _runner.Issuer.IssueToken("my-gcp-audience");

        var run = await CliRun.RunWithStdinAsync(token, Trust("gcp", "--token", "-", "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("my-gcp-audience", json.RootElement.GetProperty("oidc").GetProperty("allowedAudiences")[0].GetString());
        Assert.Contains("PROJECT_NUMBER", run.Error, StringComparison.Ordinal); // the note names the placeholders
    }

    [Fact]
    public async Task Reusable_workflow_warns_that_sub_describes_the_caller_and_conditions_on_job_workflow_ref()
    {
        const string Called = "octo-org/shared/.github/workflows/deploy.yml@refs/heads/main";
        var token = _runner.Issuer.IssueToken(null, new Dictionary<string, string> { ["job_workflow_ref"] = Called });

        var vault = await CliRun.RunWithStdinAsync(token, Trust("vault", "--token", "-", "--format", "json"));
        var aws = await CliRun.RunWithStdinAsync(token, Trust("aws", "--token", "-", "--format", "json"));

        Assert.Equal(0, vault.ExitCode);
        Assert.Contains("warning: this job runs the reusable workflow " + Called, vault.Error, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(vault.Output))
        {
            Assert.Equal(Called, json.RootElement.GetProperty("bound_claims").GetProperty("job_workflow_ref").GetString());
        }

        Assert.Equal(0, aws.ExitCode);
        Assert.Contains("sub (repo:octo-org/octo-repo:ref:refs/heads/main) describes the caller", aws.Error, StringComparison.Ordinal);
        Assert.Contains("\"include_claim_keys\":[\"repository_owner_id\",\"repository_id\",\"context\",\"job_workflow_ref\"]", aws.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, vault.Output + vault.Error + aws.Output + aws.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("repository_owner:octo-org", "does not name this repository")]
    [InlineData("repo:octo-org/octo-repo:environment:prod*", "which StringLike and glob matching treat as wildcards")]
    public async Task Wildcard_like_subjects_warn(string subject, string warning)
    {
        var token = _runner.Issuer.IssueToken("api://AzureADTokenExchange", new Dictionary<string, string> { ["sub"] = subject });

        var run = await CliRun.RunWithStdinAsync(token, Trust("azure", "--token", "-", "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("oidc-token: doctor --trust azure: warning: ", run.Error, StringComparison.Ordinal);
        Assert.Contains(warning, run.Error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(subject, json.RootElement.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Pull_request_warns_that_every_pull_request_is_admitted_and_does_not_pin_the_ref()
    {
        var token = _runner.Issuer.IssueToken(null, new Dictionary<string, string>
        {
            ["sub"] = "repo:octo-org/octo-repo:pull_request",
            ["event_name"] = "pull_request",
            ["ref"] = "refs/pull/7/merge",
        });

        var run = await CliRun.RunWithStdinAsync(token, Trust("vault", "--token", "-", "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("admits every pull_request job of this repository", run.Error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("bound_claims").TryGetProperty("ref", out _));
    }

    [Fact]
    public async Task Environment_is_bound_instead_of_the_ref()
    {
        var token = _runner.Issuer.IssueToken(null, new Dictionary<string, string> { ["environment"] = "prod", ["sub"] = "repo:octo-org/octo-repo:environment:prod" });

        var run = await CliRun.RunWithStdinAsync(token, Trust("vault", "--token", "-", "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("warning", run.Error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(
            ["repository_owner_id", "repository_id", "environment"],
            json.RootElement.GetProperty("bound_claims").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Offline_token_with_another_audience_says_what_exchange_needs()
    {
        var token = _runner.Issuer.IssueToken("sts.amazonaws.com");

        var run = await CliRun.RunWithStdinAsync(token, Trust("azure", "--token", "-", "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("note: The token's aud is sts.amazonaws.com, not api://AzureADTokenExchange", run.Error, StringComparison.Ordinal);
        Assert.Contains("pass it --audience sts.amazonaws.com", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_inside_actions_masks_the_piped_token_first()
    {
        var token = _runner.Issuer.IssueToken("sts.amazonaws.com");
        var context = new CliContext(name => name == "GITHUB_ACTIONS" ? "true" : null, () => new StringReader(token));

        var run = await CliRun.RunAsync(context, Trust("aws", "--token", "-", "--format", "json"));

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("::add-mask::", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "doctor", "--token", "-" }, "go with --trust aws|azure|gcp|vault")]
    [InlineData(new[] { "doctor", "--account-id", Account }, "go with --trust")]
    [InlineData(new[] { "doctor", "--trust", "aws", "--probe" }, "--probe does not combine with --trust")]
    [InlineData(new[] { "doctor", "--trust", "aws", "--account-id", "12345" }, "--account-id must be the role's 12-digit AWS account id")]
    [InlineData(new[] { "doctor", "--trust", "vault", "--account-id", Account }, "--account-id goes with --trust aws only")]
    [InlineData(new[] { "doctor", "--trust", "aws", "--workload-identity-provider", Provider }, "--workload-identity-provider goes with --trust gcp only")]
    [InlineData(new[] { "doctor", "--trust", "gcp" }, "--trust gcp needs --workload-identity-provider")]
    [InlineData(new[] { "doctor", "--trust", "gcp", "--workload-identity-provider", "projects/my-project/locations/global/workloadIdentityPools/pool/providers/prov" }, "--workload-identity-provider: The workload identity provider must be")]
    [InlineData(new[] { "doctor", "--trust", "aws", "--audience", " " }, "--audience must not be empty")]
    public async Task Usage_errors_exit_2_and_name_the_fix(string[] args, string message)
    {
        var run = await _runner.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'oidc-token doctor --help' for the options.", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _runner.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task A_token_on_the_command_line_is_refused_and_not_echoed()
    {
        var token = _runner.Issuer.IssueToken("sts.amazonaws.com");

        var run = await _runner.RunAsync(Trust("aws", "--token", token));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--token accepts only '-'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_target_is_a_usage_error()
    {
        var run = await _runner.RunAsync(Trust("gcs"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("gcs", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdin_without_a_jwt_or_with_another_audience_is_a_usage_error()
    {
        var garbage = await CliRun.RunWithStdinAsync("not-a-token", Trust("aws", "--token", "-"));
        var token = _runner.Issuer.IssueToken("sts.amazonaws.com");
        var mismatch = await CliRun.RunWithStdinAsync(token, Trust("aws", "--token", "-", "--audience", "other"));

        Assert.Equal(2, garbage.ExitCode);
        Assert.Contains("stdin does not hold a GitHub ID token (JWT)", garbage.Error, StringComparison.Ordinal);
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Contains("the token on stdin has aud 'sts.amazonaws.com', not --audience 'other'", mismatch.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, mismatch.Output + mismatch.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_a_job_it_exits_3_and_suggests_piping_a_token()
    {
        var run = await CliRun.RunAsync(Trust("azure"));

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("| oidc-token doctor --trust azure --token -", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audience_flag_is_requested_and_written()
    {
        var policy = await PrintAsync("aws", "--audience", "my-aws-audience");

        Assert.Equal("my-aws-audience", Assert.Single(_runner.Issuer.TokenRequests).Audience);
        Assert.Contains(":aud\": \"my-aws-audience\"", policy, StringComparison.Ordinal);
    }
}
