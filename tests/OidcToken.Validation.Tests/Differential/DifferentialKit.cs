// Differential test kit: runs one token through OUR validator (GitHubOidcTokenValidator, own parser + RS256 check) and
// through the REFERENCE ORACLE (Microsoft.IdentityModel.JsonWebTokens JsonWebTokenHandler.ValidateTokenAsync configured
// with the same rules, plus OraclePolicy on the claims the handler returns), and reduces both answers to a Verdict.
//
// Fuzz budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations for EACH fuzz property in this folder; the small defaults keep the
// whole Differential folder well under 15 s on 2 cores) and OIDCTOKEN_FUZZ_SEED (replay a CsCheck seed printed by a
// failing run) — the same variables as the Properties tests, read through Properties/FuzzSettings.cs. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=200000 dotnet test tests/OidcToken.Validation.Tests -c Release --filter "FullyQualifiedName~Differential"
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OidcToken.Validation.Tests.Differential;

/// <summary>
/// Coarse reason families. Both validators check in different orders, so a family is only compared when a case has at
/// most one defect (see <see cref="DiffCase.CompareFamily"/>) and the handler's exception type is unambiguous.
/// </summary>
internal enum Family
{
    /// <summary>Valid.</summary>
    None,

    /// <summary>Not a usable compact JWS: size, syntax, JSON, JWE.</summary>
    Malformed,

    /// <summary>Algorithm, key selection or signature.</summary>
    Signature,

    Issuer,
    Audience,

    /// <summary>exp/nbf (missing exp, expired, not yet valid, nbf after exp).</summary>
    Lifetime,

    /// <summary>The claim policy (oracle: <see cref="OraclePolicy"/>).</summary>
    Policy,

    /// <summary>The handler failed with an exception type that names no clear family: compare the verdict only.</summary>
    Unclassified,

    /// <summary>OUR validator threw instead of returning a result (a contract violation, always a finding).</summary>
    Threw,
}

/// <summary>One validator's answer: valid or not, the reason family, and a detail line for failure reports.</summary>
internal readonly record struct Verdict(bool Valid, Family Family, string Detail, GitHubOidcValidationFailure? OurFailure = null)
{
    public override string ToString() => Valid ? "VALID" : $"invalid[{Family}] {Detail}";
}

/// <summary>
/// The policy the test configures on our validator (<c>RepositoryId(x)</c>) re-implemented on the handler's output:
/// <c>repository_id</c> must be a JSON string equal (ordinal) to x. GitHub sends every custom claim as a string; our
/// policy reads only string claims, so a numeric, array or null <c>repository_id</c> fails both. The value is read from
/// the handler's own parse of the validated token (<see cref="JsonWebToken.TryGetPayloadValue{T}"/> with T = object keeps
/// the JSON type: string, int/long/double, bool, JsonElement for arrays and objects); TokenValidationResult.Claims is not
/// used because it is rebuilt from System.Security.Claims and flattens a one-element array to its string.
/// </summary>
internal static class OraclePolicy
{
    public static string? Violation(SecurityToken? token, string repositoryId)
    {
        if (token is not JsonWebToken jwt)
        {
            return $"the handler returned a {token?.GetType().Name ?? "null"} token, not a JsonWebToken";
        }

        if (!jwt.TryGetPayloadValue<object>("repository_id", out var value))
        {
            return "repository_id is missing";
        }

        return value is string s && string.Equals(s, repositoryId, StringComparison.Ordinal)
            ? null
            : $"repository_id was '{value}' ({value?.GetType().Name ?? "null"}), expected the string '{repositoryId}'";
    }
}

/// <summary>
/// One configuration, applied identically to both sides: issuer, audiences, clock skew, the JWKS, a fake clock stopped at
/// <see cref="Now"/>, and a policy on <c>repository_id</c>. Both sides are thread-safe and reused across a fuzz run.
/// </summary>
internal sealed class DifferentialSetup : IDisposable
{
    private readonly GitHubOidcTokenValidator _ours;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;

    public DifferentialSetup(
        string name,
        JsonWebKeySet keys,
        DateTimeOffset now,
        string audience,
        string repositoryId,
        string issuer = GitHubIssuers.GitHubCom,
        bool allowDefaultAudience = false)
    {
        Name = name;
        Keys = keys;
        Now = now;
        Issuer = issuer;
        Audience = audience;
        RepositoryId = repositoryId;
        Time = new FakeTimeProvider(now);
        ClockSkew = TimeSpan.FromSeconds(60);
        MaxTokenLength = 16 * 1024;
        UnusableKeyIds = StricterRules.UnusableKeyIds(keys);

        _ours = new GitHubOidcTokenValidator(new GitHubOidcValidationOptions
        {
            Issuer = issuer,
            Audiences = [audience],
            AllowDefaultAudience = allowDefaultAudience,
            Policy = GitHubClaimPolicy.CreateBuilder().RepositoryId(repositoryId).Build(),
            ClockSkew = ClockSkew,
            MaxTokenLength = MaxTokenLength,
            SigningKeys = keys,
            TimeProvider = Time,
        });

        // "The same rules", spelled out: every default that could make the handler more lenient than the rules is set
        // explicitly. TryAllIssuerSigningKeys = false: the kid selects the key, no fallback. ValidateIssuerSigningKey =
        // false: that check only concerns X509 certificate lifetimes, and neither side trusts x5c (the JWKS's n/e are
        // the key). IgnoreTrailingSlashWhenValidatingAudience defaults to TRUE in 8.x; the rule is exact match.
        _parameters = new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            IssuerSigningKeys = keys.GetSigningKeys(),
            TryAllIssuerSigningKeys = false,
            ValidateIssuerSigningKey = false,
            RequireSignedTokens = true,
            ValidateSignatureLast = false,
            ValidateIssuer = true,
            ValidIssuer = issuer,
            ValidateAudience = true,
            RequireAudience = true,
            ValidAudiences = [audience],
            IgnoreTrailingSlashWhenValidatingAudience = false,
            IgnoreCaseWhenValidatingAudience = false,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew,
            ValidateTokenReplay = false,
            ValidateActor = false,
            SaveSigninToken = false,
        };
        SetHandlerClock(_parameters, Time);
    }

    public string Name { get; }

    public DateTimeOffset Now { get; }

    /// <summary>The JWKS both validators trust.</summary>
    public JsonWebKeySet Keys { get; }

    public string Issuer { get; }

    public string Audience { get; }

    public string RepositoryId { get; }

    public TimeSpan ClockSkew { get; }

    public int MaxTokenLength { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>Kids of JWKS entries our key snapshot skips (see <see cref="StricterRule.UnusableJwksKey"/>).</summary>
    public IReadOnlySet<string> UnusableKeyIds { get; }

    public override string ToString() => Name;

    public async Task<Verdict> OursAsync(string token)
    {
        GitHubOidcValidationResult result;
        try
        {
            result = await _ours.ValidateAsync(token);
        }
#pragma warning disable CA1031 // The contract is "never throws for bad input": any exception is recorded as a finding.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new Verdict(false, Family.Threw, $"THREW {ex.GetType().Name}: {ex.Message}");
        }

        return result.IsValid
            ? new Verdict(true, Family.None, "valid")
            : new Verdict(false, FamilyOf(result.Failure), $"{result.Failure}: {result.Message}", result.Failure);
    }

    public async Task<Verdict> OracleAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            var exception = result.Exception;
            var type = exception?.GetType().Name ?? "no exception";
            var message = exception?.Message ?? string.Empty;
            var firstLine = message.Split('\n')[0];
            return new Verdict(false, FamilyOf(exception), $"{type}: {(firstLine.Length > 200 ? firstLine[..200] + "…" : firstLine)}");
        }

        return OraclePolicy.Violation(result.SecurityToken, RepositoryId) is { } violation
            ? new Verdict(false, Family.Policy, "oracle policy: " + violation)
            : new Verdict(true, Family.None, "valid");
    }

    public void Dispose() => _ours.Dispose();

    /// <summary>
    /// In Microsoft.IdentityModel.Tokens 8.23.0 <c>TokenValidationParameters.TimeProvider</c> exists but is INTERNAL
    /// (the handler's lifetime check reads it; the default is TimeProvider.System). Replacing the lifetime check with a
    /// LifetimeValidator delegate would make the oracle our own code, so the fake clock is set through reflection and
    /// the handler's own lifetime logic runs. <c>DifferentialCorpusTests</c> proves the hook took (a token valid only at
    /// the fake instant is accepted, and rejected one skew + 1 s later); if the property disappears this throws.
    /// </summary>
    private static void SetHandlerClock(TokenValidationParameters parameters, TimeProvider time)
    {
        var property = typeof(TokenValidationParameters).GetProperty(
            "TimeProvider", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("TokenValidationParameters.TimeProvider not found: the oracle cannot use the fake clock; update SetHandlerClock.");
        property.SetValue(parameters, time);
    }

    internal static Family FamilyOf(GitHubOidcValidationFailure failure) => failure switch
    {
        GitHubOidcValidationFailure.None => Family.None,
        GitHubOidcValidationFailure.Malformed or GitHubOidcValidationFailure.TooLarge or GitHubOidcValidationFailure.Encrypted
            or GitHubOidcValidationFailure.NonCanonicalEncoding => Family.Malformed,
        GitHubOidcValidationFailure.AlgorithmNotAllowed or GitHubOidcValidationFailure.ForbiddenHeader or GitHubOidcValidationFailure.MissingKeyId
            or GitHubOidcValidationFailure.UnknownKey or GitHubOidcValidationFailure.InvalidSignature => Family.Signature,
        GitHubOidcValidationFailure.InvalidIssuer => Family.Issuer,
        GitHubOidcValidationFailure.InvalidAudience => Family.Audience,
        GitHubOidcValidationFailure.Expired or GitHubOidcValidationFailure.NotYetValid or GitHubOidcValidationFailure.MissingExpiration
            or GitHubOidcValidationFailure.TooOld => Family.Lifetime,
        GitHubOidcValidationFailure.PolicyViolation => Family.Policy,
        _ => Family.Unclassified,
    };

    /// <summary>Maps the handler's exception to a family; types that do not name one clearly are Unclassified (verdict-only).</summary>
    internal static Family FamilyOf(Exception? exception) => exception switch
    {
        // Most specific first: several of these derive from one another.
        SecurityTokenExpiredException or SecurityTokenNotYetValidException or SecurityTokenNoExpirationException
            or SecurityTokenInvalidLifetimeException => Family.Lifetime,
        SecurityTokenInvalidIssuerException => Family.Issuer,
        SecurityTokenInvalidAudienceException => Family.Audience,
        SecurityTokenInvalidAlgorithmException or SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException
            or SecurityTokenInvalidSigningKeyException => Family.Signature,
        SecurityTokenMalformedException or SecurityTokenDecryptionFailedException or SecurityTokenEncryptionKeyNotFoundException
            or SecurityTokenDecompressionFailedException => Family.Malformed,
        ArgumentException => Family.Malformed,
        _ => Family.Unclassified,
    };

    /// <summary>A JWKS with the given RSA keys, each optionally with its own <c>use</c> and <c>alg</c> (null: omitted).</summary>
    public static JsonWebKeySet KeySet(params (string KeyId, System.Security.Cryptography.RSA Key, string? Use, string? Alg)[] keys)
    {
        var array = new JsonArray();
        foreach (var (kid, key, use, alg) in keys)
        {
            var parameters = key.ExportParameters(includePrivateParameters: false);
            var jwk = new JsonObject { ["kty"] = "RSA", ["kid"] = kid, ["n"] = Attacks.AttackKit.B64(parameters.Modulus!), ["e"] = Attacks.AttackKit.B64(parameters.Exponent!) };
            if (use is not null)
            {
                jwk["use"] = use;
            }

            if (alg is not null)
            {
                jwk["alg"] = alg;
            }

            array.Add(jwk);
        }

        return new JsonWebKeySet(new JsonObject { ["keys"] = array }.ToJsonString());
    }
}

/// <summary>
/// One differential case: a token, the setup both sides use, and whether a reason-family comparison is meaningful
/// (false when the case may carry several defects, which the two validators may report in different orders).
/// <paramref name="SemanticFamiliesOnly"/>: for random text mutations, which stage notices broken text first is
/// parser-specific (our strict alphabet check vs the handler's failed verification), so a Malformed on either side is
/// not compared; signature/issuer/audience/lifetime/policy still are.
/// </summary>
internal sealed record DiffCase(string Name, string Token, DifferentialSetup Setup, bool CompareFamily = true, bool SemanticFamiliesOnly = false)
{
    public override string ToString() => $"{Name} @ {Setup.Name}";
}

/// <summary>The two verdicts of one case, the deliberate stricter rules that apply to it, and the comparison.</summary>
internal sealed record DiffOutcome(DiffCase Case, Verdict Ours, Verdict Oracle, IReadOnlySet<StricterRule> Stricter)
{
    public static async Task<DiffOutcome> RunAsync(DiffCase c)
    {
        var ours = await c.Setup.OursAsync(c.Token);
        var oracle = await c.Setup.OracleAsync(c.Token);
        return new DiffOutcome(c, ours, oracle, StricterRules.Applicable(c.Token, c.Setup));
    }

    /// <summary>The invariant, without exception: whenever we accept, the reference (plus oracle policy) accepts.</summary>
    public bool NeverMorePermissive => !Ours.Valid || Oracle.Valid;

    /// <summary>
    /// Null when the verdicts agree as required, else what differs. With a documented stricter rule applicable, the only
    /// requirement is that we reject (the handler may accept). Otherwise the verdicts must be equal, and when both reject
    /// and the case allows it, the families must be equal too (unless the handler's exception is unclassified).
    /// </summary>
    public string? Difference()
    {
        if (!NeverMorePermissive)
        {
            return "WE ACCEPT WHAT THE REFERENCE REJECTS";
        }

        if (Ours.Family == Family.Threw)
        {
            return "OUR VALIDATOR THREW (contract: ValidateAsync never throws for bad input)";
        }

        if (Stricter.Count > 0)
        {
            // Only the invariant (checked above) is required; but a rule that claims we ALWAYS reject must hold.
            return Ours.Valid && Stricter.Any(StricterRules.AlwaysRejects) ? "a documented always-reject stricter rule applies but we accepted" : null;
        }

        if (Ours.Valid != Oracle.Valid)
        {
            return "verdicts differ (no documented stricter rule applies)";
        }

        if (!Ours.Valid && Case.CompareFamily && Oracle.Family != Family.Unclassified && Ours.Family != Oracle.Family
            && (!Case.SemanticFamiliesOnly || (Ours.Family != Family.Malformed && Oracle.Family != Family.Malformed))
            && !UnknownKeyReportedAsClaimFailure
            && !ClaimFailureReportedBeforeSignature)
        {
            return "both reject, for different reason families";
        }

        return null;
    }

    /// <summary>
    /// A tolerated family pairing: we check issuer, audience and lifetime on the payload before any key is fetched (a
    /// token from another issuer is refused as such, never as "keys unavailable"), so a token whose claims and signature
    /// are both wrong is refused for its claims; JsonWebTokenHandler checks the signature first. Among the claims we check
    /// issuer, audience, then lifetime; the handler lifetime, audience, then issuer, so a token wrong in two of them is
    /// named after a different one. Both reject.
    /// </summary>
    private bool ClaimFailureReportedBeforeSignature =>
        Ours.Family is Family.Issuer or Family.Lifetime or Family.Audience
        && Oracle.Family is Family.Signature or Family.Issuer or Family.Lifetime or Family.Audience;

    /// <summary>
    /// Another: when no key matches the kid, JsonWebTokenHandler 8.x validates lifetime, audience and issuer anyway and
    /// reports THEIR failure in preference to the missing key. We report UnknownKey only once those claims passed, so
    /// this pairing now arises only where the handler's claim rules are stricter than ours. Both reject.
    /// </summary>
    private bool UnknownKeyReportedAsClaimFailure =>
        Ours.OurFailure == GitHubOidcValidationFailure.UnknownKey && Oracle.Family is Family.Issuer or Family.Lifetime or Family.Audience;

    public override string ToString() =>
        $"{Case}{System.Environment.NewLine}  ours:   {Ours}{System.Environment.NewLine}  oracle: {Oracle}{System.Environment.NewLine}  stricter rules applicable: [{string.Join(", ", Stricter)}]"
        + $"{System.Environment.NewLine}  token ({Case.Token.Length} chars): {(Case.Token.Length > 600 ? Case.Token[..600] + "…" : Case.Token)}";
}
