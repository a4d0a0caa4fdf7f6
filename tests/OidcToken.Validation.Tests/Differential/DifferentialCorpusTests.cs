// Differential test, fixed inputs: the attack corpus and the real GitHub fixtures, each run through OUR validator and
// through JsonWebTokenHandler configured with the same rules (+ OraclePolicy), case for case. See DifferentialKit.cs
// for the oracle's configuration and StricterRules.cs for the enumerated, documented places where we are stricter.
//
// Fuzz budget for the sibling DifferentialFuzzTests: OIDCTOKEN_FUZZ_ITERATIONS (iterations per fuzz property) and
// OIDCTOKEN_FUZZ_SEED (replay) — see DifferentialKit.cs and Properties/FuzzSettings.cs.
//
//   dotnet test tests/OidcToken.Validation.Tests -c Release --filter "FullyQualifiedName~Differential"
using System.Text;
using OidcToken.Validation.Tests.RealTokens;
using Xunit.Abstractions;

namespace OidcToken.Validation.Tests.Differential;

public sealed class DifferentialCorpusTests(ITestOutputHelper output)
{
    private static readonly Lazy<Task<IReadOnlyList<DiffOutcome>>> AttackOutcomes = new(() => RunAllAsync(DifferentialCorpus.Attacks));

    private static readonly Lazy<Task<IReadOnlyList<DiffOutcome>>> RealOutcomes = new(() => RunAllAsync(DifferentialCorpus.RealFixtureCases));

    private static async Task<IReadOnlyList<DiffOutcome>> RunAllAsync(IEnumerable<DiffCase> cases)
    {
        var outcomes = new List<DiffOutcome>();
        foreach (var c in cases)
        {
            outcomes.Add(await DiffOutcome.RunAsync(c));
        }

        return outcomes;
    }

    private static string Report(IEnumerable<DiffOutcome> failures, Func<DiffOutcome, string?> why)
    {
        var builder = new StringBuilder();
        foreach (var f in failures)
        {
            builder.AppendLine().Append("- ").Append(why(f)).Append(": ").AppendLine(f.ToString());
        }

        return builder.ToString();
    }

    [Fact]
    public async Task Oracle_runs_on_the_fake_clock()
    {
        // TokenValidationParameters.TimeProvider is internal in 8.23.0 and set by reflection (DifferentialSetup): prove it
        // took. Token C is from 2026-04-22 and lives 5 minutes; on the real clock it is almost surely expired.
        var token = RealFixtures.Read(RealFixtures.TokenC);
        var jwks = RealFixtures.Jwks(RealFixtures.JwksC);
        using var inside = new DifferentialSetup("C inside", jwks, DateTimeOffset.Parse("2026-04-22T07:55:00Z", System.Globalization.CultureInfo.InvariantCulture), "demo", "1217768983");
        using var after = new DifferentialSetup("C after", jwks, DateTimeOffset.Parse("2026-04-22T08:00:54Z", System.Globalization.CultureInfo.InvariantCulture), "demo", "1217768983");
        using var before = new DifferentialSetup("C before", jwks, DateTimeOffset.Parse("2026-04-22T07:48:52Z", System.Globalization.CultureInfo.InvariantCulture), "demo", "1217768983");

        Assert.True((await inside.OracleAsync(token)).Valid);
        Assert.Equal(Family.Lifetime, (await after.OracleAsync(token)).Family);
        Assert.Equal(Family.Lifetime, (await before.OracleAsync(token)).Family);
    }

    [Fact]
    public async Task Oracle_applies_each_rule_like_the_configuration_says()
    {
        // Positive and negative controls for the oracle itself, so a mis-configured oracle cannot make the suite vacuous.
        var outcomes = await AttackOutcomes.Value;
        DiffOutcome Case(string name) => outcomes.Single(o => o.Case.Name == name);

        Assert.True(Case("control: valid token").Oracle.Valid);
        Assert.Equal(Family.Signature, Case("same kid, signed by another key").Oracle.Family);
        Assert.Equal(Family.Signature, Case("kid of another published key, signed by the first key").Oracle.Family);
        Assert.Equal(Family.Signature, Case("RS384 signed with the right key").Oracle.Family);
        Assert.Equal(Family.Issuer, Case("issuer 'https://token.actions.githubusercontent.com/'").Oracle.Family);
        Assert.Equal(Family.Audience, Case("audience 'https://vault.example.com/'").Oracle.Family);
        Assert.Equal(Family.Lifetime, Case("exp missing").Oracle.Family);
        Assert.Equal(Family.Lifetime, Case("expired one second past the skew edge").Oracle.Family);
        Assert.True(Case("control: expired exactly at the skew edge (exp + skew == now)").Oracle.Valid);
        Assert.Equal(Family.Policy, Case("repository_id '456780'").Oracle.Family);
        Assert.Equal(Family.Policy, Case("repository_id a number").Oracle.Family);
    }

    [Fact]
    public async Task Attack_corpus_we_are_never_more_permissive_than_the_reference()
    {
        var outcomes = await AttackOutcomes.Value;
        var failures = outcomes.Where(o => !o.NeverMorePermissive || o.Ours.Family == Family.Threw).ToList();
        output.WriteLine($"{outcomes.Count} attack cases; we accept {outcomes.Count(o => o.Ours.Valid)}, the reference accepts {outcomes.Count(o => o.Oracle.Valid)}");
        Assert.True(failures.Count == 0, $"{failures.Count} case(s) where we accept what the reference rejects, or threw:" + Report(failures, o => o.Difference()));
    }

    [Fact]
    public async Task Attack_corpus_verdicts_and_reason_families_equal_except_documented_stricter_rules()
    {
        var outcomes = await AttackOutcomes.Value;
        var failures = outcomes.Where(o => o.Difference() is not null).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {outcomes.Count} attack case(s) differ:" + Report(failures, o => o.Difference()));
    }

    [Fact]
    public async Task Real_fixtures_we_are_never_more_permissive_than_the_reference()
    {
        var outcomes = await RealOutcomes.Value;
        var failures = outcomes.Where(o => !o.NeverMorePermissive || o.Ours.Family == Family.Threw).ToList();
        Assert.True(failures.Count == 0, Report(failures, o => o.Difference()));
    }

    [Fact]
    public async Task Real_fixtures_verdicts_and_reason_families_equal_except_documented_stricter_rules()
    {
        var outcomes = await RealOutcomes.Value;
        output.WriteLine($"{outcomes.Count} real-fixture cases; valid in both: {outcomes.Count(o => o.Ours.Valid && o.Oracle.Valid)}");
        var failures = outcomes.Where(o => o.Difference() is not null).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {outcomes.Count} real-fixture case(s) differ:" + Report(failures, o => o.Difference()));

        // The fixtures really are accepted inside their windows (the comparison is not "both reject everything").
        Assert.True(outcomes.Count(o => o.Oracle.Valid) >= 20, "expected the real tokens to be valid inside their windows");
    }

    [Fact]
    public async Task Converse_ordinary_tokens_the_reference_accepts_we_accept()
    {
        // Handler valid AND none of our documented stricter rules applies ⇒ we say valid.
        var outcomes = (await AttackOutcomes.Value).Concat(await RealOutcomes.Value).ToList();
        var ordinary = outcomes.Where(o => o.Stricter.Count == 0 && o.Oracle.Valid).ToList();
        output.WriteLine($"{ordinary.Count} ordinary cases the reference accepts");
        Assert.True(ordinary.Count >= 40, "the corpus must hold enough ordinary valid tokens for the converse to mean something");
        var failures = ordinary.Where(o => !o.Ours.Valid).ToList();
        Assert.True(failures.Count == 0, Report(failures, _ => "the reference accepts, no stricter rule applies, we reject"));
    }

    [Fact]
    public async Task Every_documented_stricter_rule_is_exercised_and_each_case_under_it_is_rejected_by_us()
    {
        var outcomes = (await AttackOutcomes.Value).Concat(await RealOutcomes.Value).ToList();
        foreach (var rule in Enum.GetValues<StricterRule>())
        {
            var under = outcomes.Where(o => o.Stricter.Contains(rule)).ToList();
            var handlerAccepts = under.Count(o => o.Oracle.Valid);
            output.WriteLine($"{rule}: {under.Count} case(s); the reference accepts {handlerAccepts} of them, we accept {under.Count(o => o.Ours.Valid)}");
            Assert.True(under.Count > 0, $"no corpus case exercises the documented exception {rule}");
            if (StricterRules.AlwaysRejects(rule))
            {
                Assert.All(under, o => Assert.False(o.Ours.Valid, o.ToString()));
            }
        }
    }

    [Fact]
    public async Task Non_string_typ_cty_x5t_zip_and_azp_are_refused_as_malformed_by_both()
    {
        var outcomes = await AttackOutcomes.Value;
        var cases = outcomes.Where(o => o.Case.Name.StartsWith("non-string ", StringComparison.Ordinal)).ToList();
        Assert.Equal(5 * DifferentialCorpus.NonStringJson.Length, cases.Count);
        Assert.All(cases, o => Assert.Equal(GitHubOidcValidationFailure.Malformed, o.Ours.OurFailure));

        // Number, Boolean, array, object: the handler refuses them too (IDX14102 header, IDX14101 payload). Null it
        // reads as absent, which is the documented stricter rule NullStringMember.
        Assert.All(cases.Where(o => !o.Case.Name.EndsWith("= null", StringComparison.Ordinal)), o =>
        {
            Assert.Equal(Family.Malformed, o.Oracle.Family);
            Assert.Contains(o.Case.Name.Contains("azp", StringComparison.Ordinal) ? "IDX14101" : "IDX14102", o.Oracle.Detail, StringComparison.Ordinal);
            Assert.Empty(o.Stricter);
        });
        Assert.All(cases.Where(o => o.Case.Name.EndsWith("= null", StringComparison.Ordinal)), o =>
        {
            Assert.True(o.Oracle.Valid, o.ToString());
            Assert.Equal([StricterRule.NullStringMember], o.Stricter);
        });
    }
}
