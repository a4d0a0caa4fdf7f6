namespace OidcToken.Diagnostics;

/// <summary>
/// The text of every environment diagnosis. Message text is a contract: tests assert it exactly.
/// </summary>
internal static class DiagnosticMessages
{
    internal const string PermissionsYaml =
        "permissions:\n" +
        "  id-token: write\n" +
        "  contents: read\n";

    internal const string PermissionMissing =
        "GitHub Actions did not give this job an OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set. " +
        "The runner sets them only when the job is granted 'id-token: write'.\n" +
        "Fix: add this to the workflow (top level) or to the job that requests the token:\n\n" +
        PermissionsYaml + "\n" +
        "Declaring any permission sets every permission you do not list to none, so also list the others the job needs " +
        "(contents: read lets actions/checkout work). 'id-token: write' only lets the job request an ID token; it grants no write access to any resource.\n" +
        "Reusable workflows: the calling workflow must grant 'id-token: write'. A caller outside the called workflow's organization or enterprise " +
        "must set it explicitly at its workflow or calling-job level.";

    internal const string ForkPullRequest =
        "No OIDC token is available: this run was triggered by a pull request from a fork{0}, and GitHub never issues ID tokens to those runs " +
        "(the maximum permission for fork pull requests is 'id-token: none').\n" +
        "Fix: skip the step that needs the token for fork pull requests (for example " +
        "'if: github.event.pull_request.head.repo.full_name == github.repository'), use a tokenless path for them, or run the privileged part " +
        "in a separate workflow triggered after review (workflow_run or a push to a branch of this repository). " +
        "Do not switch to pull_request_target to get a token: it runs with this repository's permissions on untrusted code.";

    internal const string DependabotRun =
        "No OIDC token is available: this run was triggered by Dependabot (GITHUB_ACTOR is dependabot[bot]), and GitHub runs Dependabot's " +
        "workflows like fork pull requests, with a read-only GITHUB_TOKEN and no ID token.\n" +
        "Fix: skip the step for Dependabot (if: github.actor != 'dependabot[bot]'), or re-run the workflow as a person, which does get a token.";

    internal const string RequestUrlMissing =
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN is set but ACTIONS_ID_TOKEN_REQUEST_URL is not. The runner always sets both together, " +
        "so the URL was lost on the way to this process (a container or subprocess that received only one of them).\n" +
        "Fix: pass both variables through, for example 'docker run -e ACTIONS_ID_TOKEN_REQUEST_URL -e ACTIONS_ID_TOKEN_REQUEST_TOKEN …'.";

    internal const string RequestTokenMissing =
        "ACTIONS_ID_TOKEN_REQUEST_URL is set but ACTIONS_ID_TOKEN_REQUEST_TOKEN is not. The runner always sets both together, " +
        "so the token was lost on the way to this process (a container or subprocess that received only one of them).\n" +
        "Fix: pass both variables through, for example 'docker run -e ACTIONS_ID_TOKEN_REQUEST_URL -e ACTIONS_ID_TOKEN_REQUEST_TOKEN …'.";

    internal const string RequestTokenUnusable =
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN is set but cannot be used: it holds characters an HTTP header cannot carry (a new line, NUL, " +
        "another control character, or a non-ASCII character). The runner's value is plain ASCII, so it was changed or replaced on the way to this process.\n" +
        "Fix: pass the runner's value through unchanged (no quoting or trailing new line added by a script).";

    internal const string RequestUrlInvalid =
        "ACTIONS_ID_TOKEN_REQUEST_URL cannot be used: {0}. The runner sets an absolute https URL; this value was changed or replaced on the way to this process.\n" +
        "Fix: pass the runner's value through unchanged. For local tests, use the mock issuer (oidc-token-mock), whose plain http URL is on loopback.";

    internal const string NotInGitHubActions =
        "Not running in GitHub Actions (GITHUB_ACTIONS is not 'true'), and ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set, " +
        "so there is no token endpoint to ask.\n" +
        "Fix: run this inside a GitHub Actions job that has 'permissions: id-token: write'. To try OIDC code on this machine, run it under the mock " +
        "issuer: 'oidc-token-mock -- <your command>' sets the variables for that command and stops with it (in tests, MockGitHubOidcIssuer from OidcToken.Testing).";

    /// <summary>
    /// Added after <see cref="PermissionMissing"/> when a container marker is found inside a GitHub Actions job: the only
    /// place the "pass both variables into the container" advice is given. The permission comes first because a job
    /// container or a runner pod without the variables usually means the job lacks it; a container started by hand inside
    /// the job is the other story.
    /// </summary>
    internal const string ContainerInJob =
        "\nRunning in a container ({0}): if the job does grant 'id-token: write' (its other steps get a token), this container was started " +
        "inside the job (docker run, docker compose) and did not inherit the job's environment. Fix: pass both variables into the container: " +
        "'docker run -e ACTIONS_ID_TOKEN_REQUEST_URL -e ACTIONS_ID_TOKEN_REQUEST_TOKEN …', and let the container reach the token endpoint's host.";

    /// <summary>The note added to <see cref="NotInGitHubActions"/> when a container marker is found: neutral, after the story.</summary>
    internal const string ContainerOutsideActionsNote =
        "Container marker found ({0}): a dev container, a Codespace or another CI system. Only a GitHub Actions job has a token endpoint; " +
        "the mock issuer works inside a container too.";

    internal const string RunningUnderAct =
        "Running under act (ACT is set), which does not provide GitHub's OIDC token endpoint, so ACTIONS_ID_TOKEN_REQUEST_URL and " +
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set.\n" +
        "Fix: skip the step under act ('if: ${{ !env.ACT }}'), or start the mock issuer (oidc-token-mock) and pass the variables it prints " +
        "to act with --env.";

    internal const string Ready = "A token can be requested here: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are set.";
}
