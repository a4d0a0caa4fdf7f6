// Fuzz: the JSON answers of Vault, NuGet, PyPI, npm and crates.io are outside input. Each target's mock answers with
// MockHttpTargetFault.Status(<status>, <hostile body>): random text, deep nesting, huge numbers, token soup, and
// mutations of the target's real success and error bodies (duplicate members, non-string values, BOMs, NULs, lone
// surrogates, truncation, trailing garbage), mostly with HTTP 200/201 and otherwise any status 200–599.
// Each exchange returns its credential or throws OidcTokenException (never another exception, never hangs), and no
// message or log line carries the GitHub token.
//
// (1xx statuses are left out here: a server that sends only an interim answer leaves the request unanswered until the
// attempt timeout, which the fault matrix covers.)
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property; default 100 here) and OIDCTOKEN_FUZZ_SEED (replay) —
// see tests/Shared/Fuzz/FuzzSettings.cs and docs/TESTING.md. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=20000 dotnet test tests/OidcToken.Exchange.Tests -c Release --filter "FullyQualifiedName~.Fuzz."
using CsCheck;
using OidcToken.Exchange.Tests.Support;
using OidcToken.Fuzzing;
using OidcToken.Testing;

namespace OidcToken.Exchange.Tests.Fuzz;

public sealed class ExchangeResponseFuzz : IDisposable
{
    private readonly IssuerHarness _github = new();

    public void Dispose() => _github.Dispose();

    private static Gen<(int Status, FuzzCase Body)> Answers(int successStatus, params string[] templates) =>
        Gen.Select(Gen.Int[0, 3], Gen.Int[200, 599], HostileJson.Cases(templates), (pick, status, body) => (pick == 0 ? status : successStatus, body));

    private async Task Campaign(MockHttpTarget target, Gen<(int Status, FuzzCase Body)> answers, Func<Task> exchange)
    {
        await answers.SampleAsync(
            async answer =>
            {
                var what = $"HTTP {answer.Status}, {answer.Body}";
                target.FailNextRequests(1, MockHttpTargetFault.Status(answer.Status, answer.Body.Text));
                var error = await FuzzKit.Bounded(exchange, what);
                if (FuzzKit.AssertDocumented(error, what) is { } documented)
                {
                    _github.AssertNoSecrets(documented);
                }
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(100),
            threads: 1);
        _github.AssertNoSecrets(_github.Logs.Text);
    }

    [Fact]
    public async Task A_lone_surrogate_escape_is_an_unusable_answer_or_an_unreadable_error_text()
    {
        // Found by this campaign: JsonElement.GetString() threw InvalidOperationException for "\ud800" out of the exchange.
        using var registry = MockNpmRegistry.Start("@octo/widget");
        var npm = _github.Fast(new NpmTrustedPublishingOptions { RegistryUrl = registry.RegistryUrl, Package = "@octo/widget", MaxAttempts = 1 });
        registry.FailNextRequests(1, MockHttpTargetFault.Status(201, "{\"token\":\"\\ud800\"}"));
        var invalid = await Assert.ThrowsAsync<OidcTokenException>(() => NpmTrustedPublishing.ExchangeAsync(_github.Source, npm));
        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, invalid.ErrorCode);

        using var vault = MockVault.Start(_github.Issuer.DefaultAudience, role: "ci");
        var login = _github.Fast(new VaultJwtLoginOptions { Address = vault.BaseAddress, Role = "ci", MaxAttempts = 1 });
        vault.FailNextRequests(1, MockHttpTargetFault.Status(400, "{\"errors\":[\"\\ud800\"]}"));
        var refused = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.LoginAsync(_github.Source, login));
        Assert.True(Enum.IsDefined(refused.ErrorCode));
    }

    [Fact]
    public async Task Vault_login_answers()
    {
        using var vault = MockVault.Start(_github.Issuer.DefaultAudience, role: "ci");
        var options = _github.Fast(new VaultJwtLoginOptions { Address = vault.BaseAddress, Role = "ci", MaxAttempts = 1 });
        await Campaign(
            vault,
            Answers(
                200,
                "{\"request_id\":\"r\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,\"data\":null,\"auth\":{\"client_token\":\"hvs.CAESIFUZZ\",\"accessor\":\"acc\",\"policies\":[\"default\",\"ci\"],\"token_policies\":[\"default\"],\"metadata\":{\"role\":\"ci\"},\"lease_duration\":3600,\"renewable\":true,\"entity_id\":\"e\",\"token_type\":\"service\",\"orphan\":true}}",
                "{\"errors\":[\"error validating token: invalid audience (aud) claim: audience claim does not match any expected audience\"]}",
                "{\"errors\":[]}"),
            () => VaultJwtLogin.LoginAsync(_github.Source, options));
    }

    [Fact]
    public async Task NuGet_token_service_answers()
    {
        const string Audience = "https://gallery.example.test";
        using var gallery = MockNuGetTokenService.Start(Audience, user: "octo-publisher");
        var options = _github.Fast(new NuGetTrustedPublishingOptions { TokenServiceUrl = gallery.TokenServiceUrl, Audience = Audience, User = "octo-publisher", MaxAttempts = 1 });
        await Campaign(
            gallery,
            Answers(
                200,
                "{\"tokenType\":\"ApiKey\",\"expires\":\"2099-01-01T00:00:00+00:00\",\"apiKey\":\"oy2fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz\"}",
                "{\"error\":\"The token's repository does not match the trusted publishing policy.\"}"),
            () => NuGetTrustedPublishing.ExchangeAsync(_github.Source, options));
    }

    [Fact]
    public async Task PyPI_audience_and_mint_token_answers()
    {
        using var index = MockPyPI.Start("pypi");
        var discover = _github.Fast(new PyPITrustedPublishingOptions { RepositoryUrl = index.RepositoryUrl, MaxAttempts = 1 });
        var mint = _github.Fast(new PyPITrustedPublishingOptions { RepositoryUrl = index.RepositoryUrl, Audience = "pypi", MaxAttempts = 1 });
        var templates = new[]
        {
            "{\"audience\":\"pypi\"}",
            "{\"success\":true,\"token\":\"pypi-AgEIcHlwaS5vcmcFUZZ\",\"expires\":4102444800}",
            "{\"message\":\"Token request failed\",\"errors\":[{\"code\":\"invalid-publisher\",\"description\":\"valid token, but no corresponding publisher\"}]}",
        };
        var useMint = false;
        await Campaign(
            index,
            Answers(200, templates),
            () => PyPITrustedPublishing.ExchangeAsync(_github.Source, (useMint = !useMint) ? mint : discover));
    }

    [Fact]
    public async Task Npm_registry_answers()
    {
        using var registry = MockNpmRegistry.Start("@octo/widget");
        var options = _github.Fast(new NpmTrustedPublishingOptions { RegistryUrl = registry.RegistryUrl, Package = "@octo/widget", MaxAttempts = 1 });
        await Campaign(
            registry,
            Answers(201, "{\"token\":\"npm_FUZZfuzzFUZZfuzzFUZZfuzzFUZZfuzz1234\"}", "{\"message\":\"OIDC token exchange error - package not found\"}", "{\"error\":\"x\"}"),
            () => NpmTrustedPublishing.ExchangeAsync(_github.Source, options));
    }

    [Fact]
    public async Task Crates_registry_answers()
    {
        using var registry = MockCratesRegistry.Start();
        var options = _github.Fast(new CratesTrustedPublishingOptions { RegistryUrl = registry.RegistryUrl, MaxAttempts = 1 });
        await Campaign(
            registry,
            Answers(200, "{\"token\":\"cio_FUZZfuzzFUZZfuzzFUZZfuzzFUZZfuzz\"}", "{\"errors\":[{\"detail\":\"No Trusted Publishing config found for repository `octo-org/octo-repo`.\"}]}"),
            () => CratesTrustedPublishing.ExchangeAsync(_github.Source, options));
    }
}
