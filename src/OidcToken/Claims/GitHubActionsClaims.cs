namespace OidcToken;

/// <summary>
/// The claims of a GitHub Actions ID token, typed. GitHub sends every custom claim as a string
/// (ids, numbers and booleans included); they are kept as strings here so nothing is lost, with
/// <see cref="RefProtected"/> as the one convenience conversion.
/// </summary>
/// <remarks>
/// Where this object comes from decides whether it can be trusted: <see cref="IdToken.UnverifiedClaims"/>
/// was decoded without checking the signature; the validator's result carries verified claims.
/// Older tokens lack newer claims, so every property except the registered ones may be null.
/// </remarks>
public sealed class GitHubActionsClaims
{
    /// <summary>
    /// Creates an empty set of claims. Set the properties to describe a token in a test of your own authorization code;
    /// to read a token, use <see cref="TryParseUnverified"/> or a validator's result.
    /// </summary>
    public GitHubActionsClaims()
    {
    }

    /// <summary>
    /// Decodes the claims of a JWT <b>without verifying anything</b>: for showing the claims of a token you were handed
    /// (what a trust policy will compare), never for deciding whether to trust it — use <c>OidcToken.Validation</c> for that.
    /// </summary>
    /// <param name="jwt">The compact JWT (three base64url segments, at most 16 KiB).</param>
    /// <param name="claims">The decoded claims, or null when <paramref name="jwt"/> is not a readable JWT.</param>
    /// <returns>True when the payload could be decoded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="jwt"/> is null.</exception>
    public static bool TryParseUnverified(string jwt, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GitHubActionsClaims? claims)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        claims = Claims.JwtPayloadReader.TryRead(jwt, out _);
        return claims is not null;
    }

    /// <summary><c>iss</c>: the issuer, e.g. <c>https://token.actions.githubusercontent.com</c>.</summary>
    public string? Issuer { get; init; }

    /// <summary><c>sub</c>: e.g. <c>repo:octo-org/octo-repo:ref:refs/heads/main</c>; custom templates and immutable <c>owner@id/repo@id</c> forms exist.</summary>
    public string? Subject { get; init; }

    /// <summary><c>aud</c>: the audience (the first one, when the token carries a list).</summary>
    public string? Audience { get; init; }

    /// <summary>All audiences of the token (GitHub sends one).</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary><c>exp</c>.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary><c>iat</c>.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary><c>nbf</c>.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary><c>jti</c>: a unique id per token.</summary>
    public string? JwtId { get; init; }

    /// <summary><c>actor</c>: the account that triggered the run.</summary>
    public string? Actor { get; init; }

    /// <summary><c>actor_id</c>.</summary>
    public string? ActorId { get; init; }

    /// <summary><c>base_ref</c>: the target branch of a pull request (empty otherwise).</summary>
    public string? BaseRef { get; init; }

    /// <summary><c>check_run_id</c>.</summary>
    public string? CheckRunId { get; init; }

    /// <summary><c>enterprise</c>: the enterprise slug, for repositories in an enterprise.</summary>
    public string? Enterprise { get; init; }

    /// <summary><c>enterprise_id</c>.</summary>
    public string? EnterpriseId { get; init; }

    /// <summary><c>environment</c>: the deployment environment; absent when the job uses none.</summary>
    public string? Environment { get; init; }

    /// <summary><c>environment_node_id</c>.</summary>
    public string? EnvironmentNodeId { get; init; }

    /// <summary><c>event_name</c>: the event that triggered the run, e.g. <c>push</c>.</summary>
    public string? EventName { get; init; }

    /// <summary><c>head_ref</c>: the source branch of a pull request (empty otherwise).</summary>
    public string? HeadRef { get; init; }

    /// <summary><c>issuer_scope</c>.</summary>
    public string? IssuerScope { get; init; }

    /// <summary><c>job_workflow_ref</c>: the workflow file the job ran from (the called workflow for reusable workflows).</summary>
    public string? JobWorkflowRef { get; init; }

    /// <summary><c>job_workflow_sha</c>.</summary>
    public string? JobWorkflowSha { get; init; }

    /// <summary><c>ref</c>: e.g. <c>refs/heads/main</c>; may be empty for some events.</summary>
    public string? Ref { get; init; }

    /// <summary><c>ref_protected</c> as sent (<c>"true"</c> or <c>"false"</c>).</summary>
    public string? RefProtectedValue { get; init; }

    /// <summary><c>ref_protected</c> as a Boolean, or null when absent or not <c>true</c>/<c>false</c>.</summary>
    public bool? RefProtected => RefProtectedValue switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };

    /// <summary><c>ref_type</c>: <c>branch</c> or <c>tag</c>.</summary>
    public string? RefType { get; init; }

    /// <summary><c>repository</c>: <c>owner/name</c>.</summary>
    public string? Repository { get; init; }

    /// <summary><c>repository_id</c>: stable across renames.</summary>
    public string? RepositoryId { get; init; }

    /// <summary><c>repository_owner</c>.</summary>
    public string? RepositoryOwner { get; init; }

    /// <summary><c>repository_owner_id</c>: stable across renames.</summary>
    public string? RepositoryOwnerId { get; init; }

    /// <summary><c>repository_visibility</c>: <c>public</c>, <c>private</c> or <c>internal</c>.</summary>
    public string? RepositoryVisibility { get; init; }

    /// <summary><c>run_attempt</c>.</summary>
    public string? RunAttempt { get; init; }

    /// <summary><c>run_id</c>.</summary>
    public string? RunId { get; init; }

    /// <summary><c>run_number</c>.</summary>
    public string? RunNumber { get; init; }

    /// <summary><c>runner_environment</c>: <c>github-hosted</c> or <c>self-hosted</c>.</summary>
    public string? RunnerEnvironment { get; init; }

    /// <summary><c>sha</c>: the commit.</summary>
    public string? Sha { get; init; }

    /// <summary><c>workflow</c>: the workflow's name.</summary>
    public string? Workflow { get; init; }

    /// <summary><c>workflow_ref</c>: the calling workflow file and ref.</summary>
    public string? WorkflowRef { get; init; }

    /// <summary><c>workflow_sha</c>.</summary>
    public string? WorkflowSha { get; init; }

    /// <summary>Every other claim whose value is a string or a Boolean (e.g. <c>repo_property_*</c> custom properties), by name.</summary>
    public IReadOnlyDictionary<string, string> AdditionalClaims { get; init; } = new Dictionary<string, string>();
}
