namespace OidcToken.AspNetCore;

/// <summary>Names used by the GitHub OIDC authentication scheme.</summary>
public static class GitHubOidcDefaults
{
    /// <summary>The scheme <c>AddGitHubOidc</c> registers: <c>GitHubOidc</c>.</summary>
    public const string AuthenticationScheme = "GitHubOidc";
}
