using OidcToken.Cli.Exchanging;
using OidcToken.Cli.Output;
using OidcToken.Testing;

namespace OidcToken.Cli;

/// <summary>
/// The CLI speaks CLI: library failures reach the user with the command's flags, never with the library's C# members
/// (every in-process run is also checked by <see cref="LibraryVocabulary"/> through <see cref="CliRun"/>).
/// </summary>
public sealed class CliVocabularyTests : IDisposable
{
    private const string Audience = "https://relying-party.example";
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Theory]
    [InlineData("VaultJwtLoginOptions.MaxAttempts")]
    [InlineData("(GitHubOidcClientOptions.Deadline and MaxAttempts, or oidc-token --timeout)")]
    [InlineData("call AllowAnyRepository() to opt out")]
    [InlineData("add RepositoryId(\"…\") or OwnerId(\"…\")")]
    [InlineData("validate offline with SigningKeys")]
    [InlineData("more than MaxTokenAge 5 s")]
    [InlineData("It was 'x'. (Parameter 'workloadIdentityProvider')")]
    [InlineData("build one with GitHubClaimPolicy.CreateBuilder()")]
    [InlineData("GitHubOidcValidationOptions")]
    [InlineData("check that NpmTrustedPublishingOptions.RegistryUrl points at npm")]
    public void Vocabulary_FindsLibraryMembers(string text) => Assert.NotNull(LibraryVocabulary.FindIn(text));

    [Theory]
    [InlineData("oidc-token: validate: invalid token: PolicyViolation: repository_id was '1', expected '2'")]
    [InlineData("oidc-token: ExchangeFailed: Vault at 127.0.0.1:1 could not be reached")]
    [InlineData("--allow-any-repository, --repository-id, --max-age, --jwks FILE, --role-arn, --timeout")]
    [InlineData("Issuer, Policy, Audience, Deadline and the signing keys of the issuer")]
    [InlineData("keys unavailable: KeysUnavailable: the signing keys could not be obtained (proxy, firewall, DNS)")]
    [InlineData("aud: https://relying-party.example\nsub: repo:octo-org/octo-repo:ref:refs/heads/main (Parameters)")]
    public void Vocabulary_IgnoresOrdinaryText(string text) => Assert.Null(LibraryVocabulary.FindIn(text));

    [Fact]
    public void Vocabulary_CoversTheOptionsOfEveryLibrary()
    {
        var names = LibraryVocabulary.OptionTypes().Select(type => type.Name).ToArray();
        Assert.Contains("GitHubOidcValidationOptions", names);
        Assert.Contains("GitHubOidcClientOptions", names);
        Assert.Contains("VaultJwtLoginOptions", names);
        Assert.Contains("GitHubAwsCredentialsOptions", names);
        Assert.Contains("GitHubActionsCredentialOptions", names);
    }

    [Fact]
    public async Task Validate_PolicyWithoutIdRule_NamesTheFlags()
    {
        var run = await CliRun.RunWithStdinAsync(
            _issuer.IssueToken(Audience), "validate", "--issuer", _issuer.Issuer, "--audience", Audience, "--repository", "octo-org/octo-repo");

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("--repository-id: the policy has no numeric-id rule", run.Error, StringComparison.Ordinal);
        Assert.Contains("--owner-id", run.Error, StringComparison.Ordinal);
        Assert.Contains("--allow-any-repository to opt out", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--repository-id", "12a", "--repository-id: '12a' is not a numeric id")]
    [InlineData("--owner", "octo-org/octo-repo", "--owner: 'octo-org/octo-repo' contains '/'")]
    [InlineData("--sub", "repo:octo*", "--sub: the pattern 'repo:octo*'")]
    public async Task Validate_PolicyProblem_NamesTheFlag(string option, string value, string expected)
    {
        var run = await CliRun.RunWithStdinAsync(
            _issuer.IssueToken(Audience), "validate", "--issuer", _issuer.Issuer, "--audience", Audience, "--allow-any-repository", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_DefaultAudience_NamesTheOptIn()
    {
        var run = await CliRun.RunWithStdinAsync(
            _issuer.IssueToken(Audience), "validate", "--issuer", _issuer.Issuer, "--audience", "https://github.com/octo-org", "--allow-any-repository");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--audience: 'https://github.com/octo-org' is GitHub's default audience", run.Error, StringComparison.Ordinal);
        Assert.Contains("--allow-default-audience", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_OfflineUnknownKey_NamesTheJwksFlag()
    {
        var token = GitHubRealFixtures.Token(GitHubRealFixtures.TokenC);

        var run = await CliRun.RunWithStdinAsync(
            token, "validate", "--audience", "demo", "--jwks", GitHubRealFixtures.PathOf(GitHubRealFixtures.JwksA), "--at", "2026-04-22T07:52:00Z",
            "--repository-id", "1217768983");

        Assert.Equal(6, run.ExitCode);
        Assert.Contains("UnknownKey", run.Error, StringComparison.Ordinal);
        Assert.Contains("update the key set given with --jwks FILE", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExchangeGcp_BadProvider_NamesTheFlagNotTheParameter()
    {
        using var runner = new ExchangeHarness();

        var run = await runner.RunAsync("exchange", "gcp", "--workload-identity-provider", "projects/my-project/locations/global/workloadIdentityPools/p/providers/q");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--workload-identity-provider: The workload identity provider must be", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Exchange", "VaultJwtLoginOptions.MaxAttempts", "MaxAttempts", "the number of attempts, which oidc-token sets itself")]
    [InlineData("Exchange", "VaultJwtLoginOptions.Address", "Address", "--endpoint (or VAULT_ADDR)")]
    [InlineData("Token", "(GitHubOidcClientOptions.Deadline and MaxAttempts, or oidc-token --timeout)", "Deadline", "(--timeout)")]
    public async Task ErrorReporter_ReplacesTheDeclaredSettingReferenceWithTheFlag(string scope, string reference, string setting, string expected)
    {
        var exception = new OidcTokenException(OidcTokenErrorCode.ExchangeFailed, "It failed.\nFix: allow more " + reference + ".\n(attempts: 3)")
        {
            Setting = setting,
            SettingReference = reference,
        };
        using var error = new StringWriter();

        var exitCode = await ErrorReporter.ReportAsync(error, exception, Enum.Parse<CliSettings.Scope>(scope));

        Assert.Equal(exception.ExitCode, exitCode);
        Assert.Contains("Fix: allow more " + expected, error.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Null(LibraryVocabulary.FindIn(error.ToString()));
    }
}
