using OidcToken.Testing;
using OidcToken.Validation.Redis.Tests.Support;
using Xunit.Abstractions;

namespace OidcToken.Validation.Redis.Tests.EndToEnd;

/// <summary><see cref="GitHubOidcTokenValidator"/> with the Redis store, against a mock issuer: once valid, then a replay; Redis down: 503-class refusal.</summary>
public sealed class ValidatorTests(RedisServer server, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const string Audience = "https://relying-party.example";

    [Fact]
    public async Task A_token_is_accepted_once_then_replayed_and_refused_while_Redis_is_down()
    {
        output.WriteLine("Redis backend: " + server.Description);
        await using var multiplexer = await server.ConnectAsync();
        using var issuer = MockGitHubOidcIssuer.Start();
        using var validator = new GitHubOidcTokenValidator(Options(issuer, new RedisJtiReplayStore(multiplexer)));
        var token = issuer.IssueToken(Audience);

        var first = await validator.ValidateAsync(token);
        Assert.True(first.IsValid, first.ToString());
        var second = await validator.ValidateAsync(token);
        Assert.Equal(GitHubOidcValidationFailure.Replayed, second.Failure);
        Assert.Equal(GitHubOidcFailureKind.Invalid, second.Kind);

        // A second instance of the service, with its own connection, sees the same ids.
        await using (var other = await server.ConnectAsync())
        {
            using var otherValidator = new GitHubOidcTokenValidator(Options(issuer, new RedisJtiReplayStore(other)));
            Assert.Equal(GitHubOidcValidationFailure.Replayed, (await otherValidator.ValidateAsync(token)).Failure);
            Assert.True((await otherValidator.ValidateAsync(issuer.IssueToken(Audience))).IsValid);
        }

        server.Stop();
        try
        {
            var down = await validator.ValidateAsync(issuer.IssueToken(Audience));

            output.WriteLine(down.Message);
            Assert.False(down.IsValid);
            Assert.Equal(GitHubOidcValidationFailure.ReplayStoreUnavailable, down.Failure);
            Assert.Equal(GitHubOidcFailureKind.ReplayStoreUnavailable, down.Kind);
            Assert.Contains(nameof(RedisJtiReplayStoreException), down.Message, StringComparison.Ordinal);
        }
        finally
        {
            await server.RestartAsync();
        }
    }

    private static GitHubOidcValidationOptions Options(MockGitHubOidcIssuer issuer, IJtiReplayStore store) => new()
    {
        Issuer = issuer.Issuer,
        Audiences = [Audience],
        Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId("456789").Build(),
        RefreshInterval = TimeSpan.FromSeconds(1),
        ReplayStore = store,
    };
}
