namespace OidcToken.Validation;

/// <summary>
/// Thrown by <see cref="GitHubClaimPolicyBuilder.Build"/> and the <see cref="GitHubOidcTokenValidator"/> constructor when
/// settings are invalid: an <see cref="ArgumentException"/> whose message lists every problem in the library's terms, and
/// whose <see cref="Problems"/> hold the same problems as data (the setting at fault and what is wrong).
/// </summary>
public sealed class GitHubOidcSettingsException : ArgumentException
{
    /// <summary>Creates an exception without problems (for serializers and tests; the library always lists its problems).</summary>
    public GitHubOidcSettingsException()
        : this("The settings are not valid.", [])
    {
    }

    /// <summary>Creates an exception with a message and no problems.</summary>
    /// <param name="message">What is wrong.</param>
    public GitHubOidcSettingsException(string message)
        : this(message, [])
    {
    }

    /// <summary>Creates an exception with a message, an inner exception and no problems.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The underlying exception.</param>
    public GitHubOidcSettingsException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    internal GitHubOidcSettingsException(string heading, IReadOnlyList<GitHubOidcSettingProblem> problems, string? paramName = null)
        : base(heading + string.Concat(problems.Select(p => System.Environment.NewLine + "- " + p.Message)), paramName)
    {
        Problems = problems;
    }

    /// <summary>Every problem found, in the order the message lists them; empty only when created by a caller.</summary>
    public IReadOnlyList<GitHubOidcSettingProblem> Problems { get; }
}
