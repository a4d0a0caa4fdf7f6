namespace OidcToken.Testing;

/// <summary>
/// Which of GitHub's issuer shapes a <see cref="MockGitHubOidcIssuer"/> imitates. The issuer is
/// always rooted at the mock's loopback <see cref="MockGitHubOidcIssuer.BaseAddress"/>.
/// </summary>
public enum MockIssuerKind
{
    /// <summary>
    /// Like <c>https://token.actions.githubusercontent.com</c>: the issuer is the base address
    /// itself (without a trailing slash).
    /// </summary>
    GitHubCom = 0,

    /// <summary>
    /// Like an enterprise with a unique issuer (<c>https://token.actions.githubusercontent.com/&lt;slug&gt;</c>):
    /// the issuer is the base address plus <c>/</c> plus <see cref="MockGitHubOidcIssuerOptions.EnterpriseSlug"/>.
    /// Its discovery document still points at the root JWKS, as GitHub's does.
    /// </summary>
    EnterpriseSlug = 1,

    /// <summary>
    /// Like GitHub Enterprise Server (<c>https://HOSTNAME/_services/token</c>): the issuer is the base
    /// address plus <c>/_services/token</c>, and <c>GITHUB_SERVER_URL</c> is the base address.
    /// </summary>
    EnterpriseServer = 2,
}
