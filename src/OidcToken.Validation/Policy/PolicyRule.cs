namespace OidcToken.Validation;

/// <summary>One rule of a <see cref="GitHubClaimPolicy"/>: a description and a check returning the violation, or null.</summary>
internal sealed class PolicyRule(string description, Func<GitHubActionsClaims, string?> check)
{
    public string Description { get; } = description;

    public string? Check(GitHubActionsClaims claims) => check(claims);

    /// <summary><paramref name="claim"/> must equal <paramref name="expected"/>.</summary>
    public static PolicyRule Equal(string claim, Func<GitHubActionsClaims, string?> read, string expected, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var suffix = ignoreCase ? " (case-insensitive)" : string.Empty;
        return new PolicyRule(
            $"{claim} == '{expected}'{suffix}",
            claims => read(claims) is { } value
                ? string.Equals(value, expected, comparison) ? null : $"{claim} was '{Text.Quote(value)}', expected '{expected}'{suffix}"
                : $"{claim} was missing, expected '{expected}'{suffix}");
    }
}
