// Fuzz: the issuer's discovery document and JWKS are outside input. Served by MockGitHubOidcIssuer
// (OverrideDiscoveryBody / OverrideJwksBody) as hostile text — random text, deep nesting, huge numbers, token soup, and
// mutations of the real documents (duplicate members, non-string values, BOMs, NULs, lone surrogates, truncation,
// odd key types and parameters) — GitHubOidcTokenValidator.ValidateAsync always returns a result (never throws, never
// hangs), and a refusal says why. Both fetch paths are covered: the first fetch (through ConfigurationManager) and the
// unknown-kid refetch (OidcToken's own), after a good first fetch.
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property; defaults here 150–250) and OIDCTOKEN_FUZZ_SEED (replay) —
// see tests/Shared/Fuzz/FuzzSettings.cs and docs/TESTING.md. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=20000 dotnet test tests/OidcToken.Validation.Tests -c Release --filter "FullyQualifiedName~.Fuzz."
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using OidcToken.Fuzzing;
using OidcToken.Testing;
using OidcToken.Validation.Tests.Attacks;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Fuzz;

public sealed class KeyDocumentFuzz : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = StartIssuer();

    public void Dispose() => _issuer.Dispose();

    private async Task<(string Discovery, string Jwks)> RealDocumentsAsync()
    {
        using var http = new HttpClient();
        var discovery = await http.GetStringAsync(new Uri(_issuer.Issuer + "/.well-known/openid-configuration"));
        var jwks = await http.GetStringAsync(new Uri(JsonNode.Parse(discovery)!["jwks_uri"]!.GetValue<string>()));
        return (discovery, jwks);
    }

    /// <summary>The real JWKS plus shapes a hostile issuer might publish: other key types, x5c only, several keys with one kid.</summary>
    private static string[] JwksTemplates(string real)
    {
        var key = JsonNode.Parse(real)!["keys"]![0]!.AsObject();
        var n = key["n"]!.GetValue<string>();
        return
        [
            real,
            "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"" + key["kid"] + "\",\"x\":\"AAAA\",\"y\":\"AAAA\"}]}",
            "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"" + key["kid"] + "\",\"k\":\"c2VjcmV0\"}]}",
            "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"" + key["kid"] + "\",\"x5c\":[\"MIIB\"],\"n\":\"" + n + "\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"use\":\"sig\",\"key_ops\":[\"verify\"]}]}",
            "{\"keys\":[" + key.ToJsonString() + "," + key.ToJsonString() + "]}",
        ];
    }

    private static void AssertResult(GitHubOidcValidationResult result, object what)
    {
        Assert.NotNull(result);
        if (!result.IsValid)
        {
            Assert.NotEqual(GitHubOidcValidationFailure.None, result.Failure);
            Assert.False(string.IsNullOrWhiteSpace(result.Message), "a refusal without a message for " + what);
        }
    }

    private static async Task<GitHubOidcValidationResult> ValidateBounded(GitHubOidcTokenValidator validator, string token, object what)
    {
        GitHubOidcValidationResult? result = null;
        var error = await FuzzKit.Bounded(async () => result = await validator.ValidateAsync(token), what);
        Assert.True(error is null, $"ValidateAsync threw for {what}:\n{error}");
        AssertResult(result!, what);
        return result!;
    }

    [Fact]
    public async Task Hostile_JWKS_on_the_first_fetch_gives_a_result()
    {
        var (_, jwks) = await RealDocumentsAsync();
        try
        {
            await HostileJson.Cases(JwksTemplates(jwks)).SampleAsync(
                async c =>
                {
                    _issuer.OverrideJwksBody(c.Text);
                    using var validator = new GitHubOidcTokenValidator(OnlineOptions(_issuer));
                    await ValidateBounded(validator, _issuer.IssueToken(Audience), c);
                },
                seed: FuzzSettings.Seed,
                iter: FuzzSettings.Iterations(250),
                threads: 1);
        }
        finally
        {
            _issuer.OverrideJwksBody(null);
        }
    }

    [Fact]
    public async Task Hostile_discovery_documents_on_the_first_fetch_give_a_result()
    {
        var (discovery, _) = await RealDocumentsAsync();
        try
        {
            await HostileJson.Cases(discovery).SampleAsync(
                async c =>
                {
                    _issuer.OverrideDiscoveryBody(c.Text);
                    using var validator = new GitHubOidcTokenValidator(OnlineOptions(_issuer));
                    await ValidateBounded(validator, _issuer.IssueToken(Audience), c);
                },
                seed: FuzzSettings.Seed,
                iter: FuzzSettings.Iterations(250),
                threads: 1);
        }
        finally
        {
            _issuer.OverrideDiscoveryBody(null);
        }
    }

    [Fact]
    public async Task Hostile_documents_on_the_unknown_kid_refetch_give_a_result()
    {
        var (discovery, jwks) = await RealDocumentsAsync();
        var templates = JwksTemplates(jwks);
        var gen = Gen.Select(HostileJson.Cases(templates), HostileJson.Cases(discovery), Gen.Int[0, 2]);
        try
        {
            await gen.SampleAsync(
                async (badJwks, badDiscovery, which) =>
                {
                    var what = which switch { 0 => "JWKS " + badJwks, 1 => "discovery " + badDiscovery, _ => "both: " + badJwks + " / " + badDiscovery };
                    var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
                    var options = OnlineOptions(_issuer);
                    options.TimeProvider = clock;
                    using var validator = new GitHubOidcTokenValidator(options);
                    var good = _issuer.IssueToken(Audience);
                    Assert.True((await ValidateBounded(validator, good, "first fetch")).IsValid);

                    _issuer.OverrideJwksBody(which == 1 ? null : badJwks.Text);
                    _issuer.OverrideDiscoveryBody(which == 0 ? null : badDiscovery.Text);
                    try
                    {
                        clock.Advance(OnlineRefreshInterval + TimeSpan.FromSeconds(1));
                        var unknownKid = OnlineKit.BadKidToken(_issuer, "not-published-" + Guid.NewGuid().ToString("N"));
                        var fetchesBefore = _issuer.DiscoveryRequestCount;
                        Assert.False((await ValidateBounded(validator, unknownKid, what)).IsValid);
                        Assert.True(_issuer.DiscoveryRequestCount > fetchesBefore, "the unknown kid did not refetch");

                        // And the validator still answers for the good token: valid with the keys fetched before, or (when the
                        // refetch brought a usable key set without its kid, a legitimate rotation) refused with a reason.
                        await ValidateBounded(validator, good, what);
                    }
                    finally
                    {
                        _issuer.OverrideJwksBody(null);
                        _issuer.OverrideDiscoveryBody(null);
                    }
                },
                seed: FuzzSettings.Seed,
                iter: FuzzSettings.Iterations(150),
                threads: 1);
        }
        finally
        {
            _issuer.OverrideJwksBody(null);
            _issuer.OverrideDiscoveryBody(null);
        }
    }
}
