using System.Buffers.Text;
using System.IdentityModel.Tokens.Jwt;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OidcToken.Validation;

namespace OidcToken.Benchmarks.Validation;

/// <summary>
/// The four ways of validating one token of a <see cref="ValidationCorpus"/>, each warm (keys imported and cached once)
/// and each applying the same checks. Every method throws when a token does not validate, so no contender can win by
/// failing early.
/// </summary>
public sealed class ValidationContenders : IDisposable
{
    private readonly ValidationCorpus _corpus;
    private readonly byte[][] _signingInputs;
    private readonly int[] _signatureStarts;
    private readonly GitHubOidcTokenValidator _validator;
    private readonly JsonWebTokenHandler _jsonWebTokenHandler = new();
    private readonly JwtSecurityTokenHandler _jwtSecurityTokenHandler = new();
    private readonly TokenValidationParameters _parameters;

    public ValidationContenders(ValidationCorpus corpus)
    {
        _corpus = corpus;
        var tokens = corpus.Tokens;
        _signingInputs = new byte[tokens.Length][];
        _signatureStarts = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            var second = tokens[i].LastIndexOf('.');
            _signingInputs[i] = Encoding.ASCII.GetBytes(tokens[i][..second]);
            _signatureStarts[i] = second + 1;
        }

        var clock = new FixedTimeProvider(ValidationCorpus.Now);
        _validator = new GitHubOidcTokenValidator(new GitHubOidcValidationOptions
        {
            Issuer = ValidationCorpus.Issuer,
            Audiences = [ValidationCorpus.Audience],
            Policy = GitHubClaimPolicy.CreateBuilder()
                .RepositoryId(ValidationCorpus.RepositoryId)
                .Subject(ValidationCorpus.SubjectPattern)
                .Build(),
            SigningKeys = corpus.KeySet,
            TimeProvider = clock,
            ClockSkew = TimeSpan.FromSeconds(ValidationCorpus.ClockSkewSeconds),
        });

        _parameters = new TokenValidationParameters
        {
            ValidIssuer = ValidationCorpus.Issuer,
            ValidAudience = ValidationCorpus.Audience,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            IssuerSigningKey = corpus.KeySet.Keys[0],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(ValidationCorpus.ClockSkewSeconds),
        };
        SetClock(_parameters, clock);
        _jwtSecurityTokenHandler.MapInboundClaims = false;
    }

    public int Count => _corpus.Tokens.Length;

    /// <summary>
    /// The floor: decode the base64url signature and <see cref="RSA.VerifyData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, HashAlgorithmName, RSASignaturePadding)"/>
    /// over the token's signing input (already bytes), with the public key imported once. Nothing else is checked.
    /// </summary>
    public bool BareRsaVerifyData(int i)
    {
        Span<byte> signature = stackalloc byte[256];
        if (Base64Url.DecodeFromChars(_corpus.Tokens[i].AsSpan(_signatureStarts[i]), signature, out _, out var written) != System.Buffers.OperationStatus.Done
            || !_corpus.PublicKey.VerifyData(_signingInputs[i], signature[..written], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return Fail(i);
        }

        return true;
    }

    /// <summary>OidcToken: <see cref="GitHubOidcTokenValidator.ValidateAsync"/> (offline keys, fixed clock, RepositoryId + Subject policy).</summary>
    public GitHubOidcValidationResult OidcTokenValidator(int i)
    {
        var result = _validator.ValidateAsync(_corpus.Tokens[i]).GetAwaiter().GetResult();
        return result.IsValid ? result : throw new InvalidOperationException($"token {i}: {result}");
    }

    /// <summary>Microsoft.IdentityModel.JsonWebTokens' handler with the same checks, the policy read from the validated token.</summary>
    public TokenValidationResult JsonWebTokenHandler(int i)
    {
        var result = _jsonWebTokenHandler.ValidateTokenAsync(_corpus.Tokens[i], _parameters).GetAwaiter().GetResult();
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token
            || !token.TryGetPayloadValue<string>("repository_id", out var repositoryId) || repositoryId != ValidationCorpus.RepositoryId
            || !token.TryGetPayloadValue<string>("sub", out var subject) || !SubjectMatches(subject))
        {
            Fail(i, result.Exception);
        }

        return result;
    }

    /// <summary>The legacy System.IdentityModel.Tokens.Jwt handler with the same checks (inbound claim mapping off).</summary>
    public JwtSecurityToken JwtSecurityTokenHandler(int i)
    {
        _jwtSecurityTokenHandler.ValidateToken(_corpus.Tokens[i], _parameters, out var validated);
        var token = (JwtSecurityToken)validated;
        if (!token.Payload.TryGetValue("repository_id", out var repositoryId) || repositoryId is not string id || id != ValidationCorpus.RepositoryId
            || !token.Payload.TryGetValue("sub", out var subject) || subject is not string sub || !SubjectMatches(sub))
        {
            Fail(i);
        }

        return token;
    }

    public void Dispose()
    {
        _validator.Dispose();
    }

    /// <summary>
    /// TokenValidationParameters.TimeProvider is not public in 8.23 (the handlers read it for lifetime checks), so it is set
    /// by reflection, keeping the handlers' own lifetime validation; without the property, a LifetimeValidator doing the
    /// same check at the fixed instant takes its place.
    /// </summary>
    private static void SetClock(TokenValidationParameters parameters, TimeProvider clock)
    {
        var property = typeof(TokenValidationParameters).GetProperty(
            "TimeProvider", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
        if (property?.SetMethod is { } setter)
        {
            setter.Invoke(parameters, [clock]);
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var skew = parameters.ClockSkew;
        parameters.LifetimeValidator = (notBefore, expires, _, _) =>
            expires is { } exp && exp + skew >= now && (notBefore is not { } nbf || nbf - skew <= now);
    }

    /// <summary>The policy's sub pattern <c>repo:octo-org/octo-repo:ref:refs/heads/*</c> for the baselines: the prefix, then a non-empty rest.</summary>
    private static bool SubjectMatches(string subject) =>
        subject.Length > ValidationCorpus.SubjectPrefix.Length && subject.StartsWith(ValidationCorpus.SubjectPrefix, StringComparison.Ordinal);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Fail(int i, Exception? inner = null) =>
        throw new InvalidOperationException($"token {i} did not validate", inner);
}
