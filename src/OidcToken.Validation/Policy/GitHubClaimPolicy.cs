namespace OidcToken.Validation;

/// <summary>
/// An immutable set of rules on a token's GitHub claims (repository, owner, ids, ref, environment, events, workflow,
/// runner, <c>sub</c> patterns). Build one with <see cref="CreateBuilder"/>; every rule must hold.
/// </summary>
public sealed class GitHubClaimPolicy
{
    private readonly PolicyRule[] _rules;

    internal GitHubClaimPolicy(PolicyRule[] rules) => _rules = rules;

    /// <summary>Starts a policy.</summary>
    /// <returns>A new builder.</returns>
    public static GitHubClaimPolicyBuilder CreateBuilder() => new();

    /// <summary>Lists the rules, one per line.</summary>
    /// <returns>A description of the policy.</returns>
    public override string ToString() =>
        _rules.Length == 0
            ? "GitHubClaimPolicy: no rules (any repository)"
            : "GitHubClaimPolicy:" + string.Concat(_rules.Select(r => System.Environment.NewLine + "  " + r.Description));

    /// <summary>Returns the first violated rule's message, or null when every rule holds.</summary>
    internal string? Evaluate(GitHubActionsClaims claims)
    {
        foreach (var rule in _rules)
        {
            if (rule.Check(claims) is { } violation)
            {
                return violation;
            }
        }

        return null;
    }
}
