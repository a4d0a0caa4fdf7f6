namespace OidcToken;

/// <summary>
/// Stable codes for every failure OidcToken reports. Values are explicit and never renumbered;
/// each has an anchored section in <c>docs/TROUBLESHOOTING.md</c> (see <see cref="Exception.HelpLink"/>).
/// </summary>
/// <remarks>
/// Codes 1–99 mean no request was attempted because this environment cannot issue a token;
/// 100–199 mean the token endpoint was asked and refused or could not be reached;
/// 200–299 mean it answered with something unusable; 300–399 mean a token failed verification; 400–499 mean an
/// exchange target refused the token.
/// </remarks>
public enum OidcTokenErrorCode
{
    /// <summary>Not running in GitHub Actions (<c>GITHUB_ACTIONS</c> is not <c>true</c>) and no runner variables are present.</summary>
    NotInGitHubActions = 1,

    /// <summary>
    /// Retired: no longer reported; the number stays reserved. A container outside a job is <see cref="NotInGitHubActions"/>;
    /// inside a job it is <see cref="PermissionMissing"/>, whose message then also says how to pass the variables into the container.
    /// </summary>
    ContainerWithoutRunnerVariables = 2,

    /// <summary>Running under <c>act</c>, which does not provide GitHub's token endpoint.</summary>
    RunningUnderAct = 3,

    /// <summary>In GitHub Actions, but the job was not granted <c>permissions: id-token: write</c>, so the runner set neither variable.</summary>
    PermissionMissing = 10,

    /// <summary>The run was triggered by a pull request from a fork; GitHub never issues ID tokens to those runs.</summary>
    ForkPullRequest = 11,

    /// <summary>The run was triggered by Dependabot, which GitHub treats like a fork: no ID token.</summary>
    DependabotRun = 12,

    /// <summary><c>ACTIONS_ID_TOKEN_REQUEST_TOKEN</c> is set but <c>ACTIONS_ID_TOKEN_REQUEST_URL</c> is not.</summary>
    RequestUrlMissing = 13,

    /// <summary><c>ACTIONS_ID_TOKEN_REQUEST_URL</c> is set but <c>ACTIONS_ID_TOKEN_REQUEST_TOKEN</c> is not.</summary>
    RequestTokenMissing = 14,

    /// <summary><c>ACTIONS_ID_TOKEN_REQUEST_URL</c> is not an absolute https URL (plain http is accepted only for loopback hosts).</summary>
    RequestUrlInvalid = 15,

    /// <summary>The token endpoint refused the request token (HTTP 401), usually because it expired.</summary>
    RequestTokenRejected = 100,

    /// <summary>The token endpoint refused the audience (HTTP 400).</summary>
    AudienceRefused = 101,

    /// <summary>The job is no longer running (HTTP 403, "job in 'Completed' state"), so no token can be issued.</summary>
    JobNotRunning = 102,

    /// <summary>The token endpoint refused the request with HTTP 403 for another reason.</summary>
    RequestForbidden = 103,

    /// <summary>The token endpoint answered HTTP 404: the request URL does not point at a token endpoint.</summary>
    EndpointNotFound = 104,

    /// <summary>The token endpoint kept failing with a retryable status (408, 429, 5xx, or a job still pending) until attempts or the deadline ran out.</summary>
    ServiceUnavailable = 105,

    /// <summary>The endpoint could not be reached (DNS, connection, TLS or a broken response stream), after retries.</summary>
    NetworkError = 106,

    /// <summary>The overall deadline passed before a token was received.</summary>
    Timeout = 107,

    /// <summary>The endpoint answered with a redirect; redirects are never followed for requests that carry a token.</summary>
    RedirectRefused = 108,

    /// <summary>The endpoint answered with another unexpected HTTP status.</summary>
    UnexpectedStatus = 109,

    /// <summary>An exchange target (cloud or registry) could not be reached, or kept failing with a temporary error, after retries.</summary>
    ExchangeFailed = 120,

    /// <summary>The keys needed to verify a token (the issuer's discovery document or JWKS) could not be fetched.</summary>
    VerificationKeysUnavailable = 110,

    /// <summary>The endpoint answered 2xx but the body was not the expected <c>{"value":"&lt;jwt&gt;"}</c> (HTML, truncated or missing the value, oversized, or not a JWT).</summary>
    InvalidResponse = 200,

    /// <summary>An exchange target answered with something unusable (not the documented response shape, or oversized).</summary>
    ExchangeResponseInvalid = 210,

    /// <summary>A freshly received token failed the configured verifier (signature, issuer, audience or claim policy).</summary>
    TokenVerificationFailed = 300,

    /// <summary>An exchange target (AWS, Azure, Google Cloud, Vault or a package registry) refused the token: its trust configuration does not match the token's claims, or the request.</summary>
    ExchangeRefused = 400,
}
