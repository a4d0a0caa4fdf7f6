namespace OidcToken.Testing;

/// <summary>
/// Settings for <see cref="MockGitHubOidcIssuer.Start(MockGitHubOidcIssuerOptions?)"/>: where the mock
/// listens and what the job it pretends to serve looks like. The values are copied when the issuer
/// starts; changing this object afterwards has no effect on a running issuer.
/// </summary>
public sealed class MockGitHubOidcIssuerOptions
{
    /// <summary>
    /// The TCP port to listen on at 127.0.0.1. Default <c>0</c>: any free port.
    /// </summary>
    public int Port { get; set; }

    /// <summary>
    /// The repository owner (user or organization) login. Default <c>"octo-org"</c>.
    /// </summary>
    public string Owner { get; set; } = "octo-org";

    /// <summary>
    /// The repository name, without the owner. Default <c>"octo-repo"</c>.
    /// </summary>
    public string Repository { get; set; } = "octo-repo";

    /// <summary>
    /// The numeric id of the owner, as a string (claim <c>repository_owner_id</c>). Default <c>"123456"</c>.
    /// </summary>
    public string OwnerId { get; set; } = "123456";

    /// <summary>
    /// The numeric id of the repository, as a string (claim <c>repository_id</c>). Default <c>"456789"</c>.
    /// </summary>
    public string RepositoryId { get; set; } = "456789";

    /// <summary>
    /// The git ref the job runs on (claim <c>ref</c>, <c>GITHUB_REF</c>). Default <c>"refs/heads/main"</c>.
    /// </summary>
    public string Ref { get; set; } = "refs/heads/main";

    /// <summary>
    /// The claim <c>ref_type</c>. Default <see langword="null"/>: derived from <see cref="Ref"/>
    /// (<c>branch</c> for <c>refs/heads/…</c>, <c>tag</c> for <c>refs/tags/…</c>, otherwise empty).
    /// </summary>
    public string? RefType { get; set; }

    /// <summary>
    /// The deployment environment the job references. Default <see langword="null"/>: no
    /// <c>environment</c> claim, and <c>sub</c> is not environment-based.
    /// </summary>
    public string? Environment { get; set; }

    /// <summary>
    /// The event that triggered the workflow (claim <c>event_name</c>). Default <c>"push"</c>.
    /// <c>"pull_request"</c> makes <c>sub</c> end in <c>:pull_request</c> (unless an environment is set)
    /// and fills <c>head_ref</c>/<c>base_ref</c>.
    /// </summary>
    public string EventName { get; set; } = "push";

    /// <summary>
    /// The login of the user that triggered the run (claim <c>actor</c>). Default <c>"octocat"</c>.
    /// </summary>
    public string Actor { get; set; } = "octocat";

    /// <summary>
    /// The claim <c>runner_environment</c>: <c>github-hosted</c> or <c>self-hosted</c>. Default <c>"github-hosted"</c>.
    /// </summary>
    public string RunnerEnvironment { get; set; } = "github-hosted";

    /// <summary>
    /// The claim <c>repository_visibility</c>: <c>public</c>, <c>private</c> or <c>internal</c>. Default <c>"public"</c>.
    /// </summary>
    public string Visibility { get; set; } = "public";

    /// <summary>
    /// The commit (claims <c>sha</c>, <c>workflow_sha</c>, <c>job_workflow_sha</c>).
    /// Default <c>"0123456789abcdef0123456789abcdef01234567"</c>.
    /// </summary>
    public string Sha { get; set; } = "0123456789abcdef0123456789abcdef01234567";

    /// <summary>
    /// The workflow file name under <c>.github/workflows/</c>, used in <c>workflow_ref</c> and
    /// <c>job_workflow_ref</c>. Default <c>"ci.yml"</c>.
    /// </summary>
    public string WorkflowFile { get; set; } = "ci.yml";

    /// <summary>
    /// <c>exp − iat</c> of every token. Default 300 seconds, like GitHub's usual tokens. Must be positive.
    /// </summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// <c>iat − nbf</c> of every token. Default 300 seconds, like GitHub's current tokens. Must not be negative.
    /// </summary>
    public TimeSpan NotBeforeBackdate { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// Which issuer shape to imitate. Default <see cref="MockIssuerKind.GitHubCom"/>.
    /// </summary>
    public MockIssuerKind IssuerKind { get; set; } = MockIssuerKind.GitHubCom;

    /// <summary>
    /// The enterprise slug for <see cref="MockIssuerKind.EnterpriseSlug"/> (letters, digits and <c>-</c>).
    /// Default <see langword="null"/>; required for that kind, ignored otherwise.
    /// </summary>
    public string? EnterpriseSlug { get; set; }

    /// <summary>
    /// Extra string claims, or overrides of the generated string claims (for example <c>sub</c>,
    /// <c>jti</c>, <c>enterprise</c>, <c>repo_property_x</c>). <c>aud</c>, <c>exp</c>, <c>iat</c> and
    /// <c>nbf</c> cannot be set here. Overrides do not recompute derived claims (changing
    /// <c>repository</c> does not change <c>sub</c>). Default: empty.
    /// </summary>
    public IDictionary<string, string> AdditionalClaims { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The clock for <c>iat</c>, <c>nbf</c>, <c>exp</c> and certificate validity. Default
    /// <see cref="TimeProvider.System"/>; tests pass a fake clock. Injected delays
    /// (<see cref="MockHttpTargetFault.Delay(TimeSpan)"/>) always use real time.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Called once for every request to the token endpoint, a discovery document or the JWKS, after the answer is
    /// decided and before it is sent (for an injected delay, before the wait), with a record that holds no secret.
    /// For logging and watching what a client under test does (the <c>oidc-token-mock --log</c> flag uses it). It runs
    /// on the server's request thread, possibly on several at once: keep it quick and thread-safe; an exception it
    /// throws fails that request. Default <see langword="null"/>: nothing is called.
    /// </summary>
    public Action<MockIssuerRequest>? RequestObserver { get; set; }
}
