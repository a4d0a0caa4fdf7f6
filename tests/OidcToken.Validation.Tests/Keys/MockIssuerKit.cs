using OidcToken.Testing;

namespace OidcToken.Validation.Tests.KeySources;

/// <summary>Options for validating tokens of a <see cref="MockGitHubOidcIssuer"/> over HTTP (discovery + JWKS).</summary>
internal static class MockIssuerKit
{
    public const string Audience = "https://relying-party.example";

    public static GitHubClaimPolicy Policy => GitHubClaimPolicy.CreateBuilder().RepositoryId("456789").Build();

    public static GitHubOidcValidationOptions Options(MockGitHubOidcIssuer issuer, TimeSpan? refreshInterval = null) => new()
    {
        Issuer = issuer.Issuer,
        Audiences = [Audience],
        Policy = Policy,
        RefreshInterval = refreshInterval ?? TimeSpan.FromSeconds(1),
    };
}
