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

    /// <summary>
    /// Checks claims against every rule. The validator applies its policy itself; this is for further rules on claims
    /// that were already verified (an endpoint's own rules, for example).
    /// </summary>
    /// <param name="claims">Verified claims (never the unverified claims of a token).</param>
    /// <returns>
    /// Null when every rule holds; otherwise the first violated rule, with the value seen and the value expected — an
    /// operator's message (it names the configuration), not an answer for the caller.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="claims"/> is null.</exception>
    public string? Check(GitHubActionsClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
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
