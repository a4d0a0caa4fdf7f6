namespace OidcToken.Validation;

/// <summary>Whether a validator holds the issuer's signing keys; see <see cref="GitHubOidcTokenValidator.CheckKeysAsync"/>.</summary>
public sealed class GitHubOidcKeyStatus
{
    internal GitHubOidcKeyStatus(bool available, int keyCount, string? problem)
    {
        Available = available;
        KeyCount = keyCount;
        Problem = problem;
    }

    /// <summary>True when usable keys are held (fetched, or configured offline).</summary>
    public bool Available { get; }

    /// <summary>How many usable keys are held.</summary>
    public int KeyCount { get; }

    /// <summary>Why keys are unavailable, or that the latest refresh failed while older keys are still used; null when all is well.</summary>
    public string? Problem { get; }
}
