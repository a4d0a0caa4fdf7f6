using OidcToken.Testing;
using OidcToken.Validation.Tests.KeySources;

namespace OidcToken.Validation.Tests.PolicyRules;

/// <summary>One mock issuer shared by the policy tests; each check builds a validator with the policy under test.</summary>
public sealed class PolicyIssuerFixture : IDisposable
{
    public MockGitHubOidcIssuer Issuer { get; } = MockGitHubOidcIssuer.Start();

    public async Task<GitHubOidcValidationResult> CheckAsync(GitHubClaimPolicy policy, IReadOnlyDictionary<string, string>? claims = null)
    {
        var options = MockIssuerKit.Options(Issuer);
        options.Policy = policy;
        using var validator = new GitHubOidcTokenValidator(options);
        return await validator.ValidateAsync(Issuer.IssueToken(MockIssuerKit.Audience, claims));
    }

    public void Dispose() => Issuer.Dispose();
}
