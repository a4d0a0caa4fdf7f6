using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OidcToken.Claims;
using OidcToken.Rules;

using OidcToken.Validation.Observability;

namespace OidcToken.Validation;

/// <summary>
/// Validates GitHub Actions ID tokens: RS256 signature with the issuer's published keys (discovery + JWKS, cached,
/// refreshed on unknown <c>kid</c> at most once per <see cref="GitHubOidcValidationOptions.RefreshInterval"/>), issuer,
/// audience, lifetime, the claim policy, and optionally single use. Thread-safe; create one per configuration and reuse it.
/// </summary>
/// <remarks>
/// Checks run in this order and the first failure is reported: size, JWE, syntax (three canonical base64url segments,
/// JSON objects without duplicate names), <c>alg</c> = RS256 (never read from discovery), no <c>crit</c>/<c>jwk</c>/<c>jku</c>/
/// <c>x5u</c>/<c>x5c</c>, <c>kid</c>; then <c>iss</c>, <c>aud</c>, <c>exp</c>, <c>nbf</c> and maximum age (read from
/// the payload before any key is fetched, so a token from another issuer is refused as such, never reported as "keys
/// unavailable"); then key and signature; then, on verified claims only, policy and replay.
/// </remarks>
public sealed class GitHubOidcTokenValidator : IDisposable
{
    // KeySnapshot accepts moduli of 256 to 1024 bytes (2048 to 8192 bits).
    private const int MaxSignatureBytes = 1024;

    private readonly string _issuer;
    private readonly bool _acceptSlug;
    private readonly string[] _audiences;
    private readonly GitHubClaimPolicy _policy;
    private readonly TimeSpan _clockSkew;
    private readonly TimeSpan? _maxTokenAge;
    private readonly int _maxTokenLength;
    private readonly TimeProvider _time;
    private readonly IJtiReplayStore? _replayStore;
    private readonly ILogger _logger;
    private readonly IKeySource _keys;
    private int _disposed;

    /// <summary>Creates a validator; checks every option and reports all problems at once.</summary>
    /// <param name="options">The settings; read once, later changes have no effect.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="GitHubOidcSettingsException">
    /// One or more options are invalid (an <see cref="ArgumentException"/>); the message lists each problem and its fix, and
    /// <see cref="GitHubOidcSettingsException.Problems"/> holds them as data.
    /// </exception>
    public GitHubOidcTokenValidator(GitHubOidcValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<GitHubOidcSettingProblem>();

        var issuerProblem = IssuerAddress.Check(options.Issuer, out var issuerUri);
        if (issuerProblem is not null)
        {
            problems.Add(new(
                nameof(options.Issuer),
                $"'{QuoteOrEmpty(options.Issuer)}' is not an issuer: an absolute https URL without credentials, query, fragment or trailing '/' (plain http only for a loopback host: 127.0.0.0/8, ::1 or localhost).",
                message: issuerProblem));
        }

        var audiences = options.Audiences?.ToArray() ?? [];
        if (audiences.Length == 0)
        {
            problems.Add(new(
                nameof(options.Audiences),
                "no audience given: add the audience your service expects (the value the workflow passes to getIDToken), e.g. 'https://my-service.example.com'.",
                message: "Audiences is empty: add the audience your service expects (the value the workflow passes to getIDToken), e.g. 'https://my-service.example.com'."));
        }

        foreach (var audience in audiences)
        {
            if (string.IsNullOrWhiteSpace(audience))
            {
                problems.Add(new(nameof(options.Audiences), "an audience is empty or whitespace: remove it.", message: "Audiences contains an empty or whitespace value: remove it."));
            }
            else if (!options.AllowDefaultAudience && IssuerAddress.IsDefaultAudienceShape(audience, issuerUri))
            {
                problems.Add(new(
                    nameof(options.Audiences),
                    $"'{Text.Quote(audience)}' is GitHub's default audience (the owner's URL): every service of that organization receives tokens with it, so any of them could replay a token here. Use a custom audience for this service, or accept the risk explicitly.",
                    optOutSetting: nameof(options.AllowDefaultAudience),
                    message: $"Audiences contains '{Text.Quote(audience)}', GitHub's default audience (the owner's URL): every service of that organization receives tokens with it, so any of them could replay a token here. Use a custom audience for this service, or set AllowDefaultAudience = true to accept the risk."));
            }
        }

        if (options.Policy is null)
        {
            problems.Add(new(
                nameof(options.Policy),
                "no claim policy given: without one any GitHub repository's token would be accepted; pin the repository id or the owner id.",
                message: "Policy is null: build one with GitHubClaimPolicy.CreateBuilder() (e.g. .RepositoryId(\"123\").Build()); without it any GitHub repository's token would be accepted."));
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            problems.Add(Range(nameof(options.ClockSkew), Text.Seconds(options.ClockSkew), "use 0 to 300 s (default 60 s)."));
        }

        if (options.MaxTokenAge is { } age && age <= TimeSpan.Zero)
        {
            problems.Add(new(
                nameof(options.MaxTokenAge),
                $"{Text.Seconds(age)} is not a positive duration: use one, or no limit.",
                message: $"MaxTokenAge is {Text.Seconds(age)}: use a positive duration, or null for no limit."));
        }

        if (options.MaxTokenLength is < 1024 or > 65536)
        {
            problems.Add(Range(nameof(options.MaxTokenLength), options.MaxTokenLength.ToString(CultureInfo.InvariantCulture), "use 1024 to 65536 (default 16384)."));
        }

        if (options.RefreshInterval < TimeSpan.FromSeconds(1) || options.RefreshInterval > TimeSpan.FromSeconds(60))
        {
            problems.Add(Range(nameof(options.RefreshInterval), Text.Seconds(options.RefreshInterval), "use 1 to 60 s (default 60 s)."));
        }

        if (options.AutomaticRefreshInterval < TimeSpan.FromMinutes(5) || options.AutomaticRefreshInterval > TimeSpan.FromHours(24))
        {
            problems.Add(Range(nameof(options.AutomaticRefreshInterval), Text.Seconds(options.AutomaticRefreshInterval), "use 5 minutes to 24 hours (default 1 hour)."));
        }

        KeySnapshot? offlineKeys = null;
        if (options.SigningKeys is { } keySet)
        {
            offlineKeys = KeySnapshot.From(keySet, keySet);
            if (offlineKeys.Count == 0)
            {
                problems.Add(new(
                    nameof(options.SigningKeys),
                    "no usable key: it needs RSA keys (2048 bits or more) with a kid, use 'sig' and alg RS256 when given; load the issuer's JWKS (<issuer>/.well-known/jwks).",
                    message: "SigningKeys holds no usable key: it needs RSA keys (2048 bits or more) with a kid, use 'sig' and alg RS256 when given; load the issuer's JWKS (<issuer>/.well-known/jwks)."));
            }
        }

        if (problems.Count > 0)
        {
            throw new GitHubOidcSettingsException("The GitHub OIDC validation options are not valid:", problems, nameof(options));
        }

        _issuer = options.Issuer;
        _acceptSlug = options.AcceptEnterpriseSlugIssuer;
        _audiences = audiences;
        _policy = options.Policy!;
        _clockSkew = options.ClockSkew;
        _maxTokenAge = options.MaxTokenAge;
        _maxTokenLength = options.MaxTokenLength;
        _time = options.TimeProvider ?? TimeProvider.System;
        _replayStore = options.ReplayStore;
        _logger = options.LoggerFactory?.CreateLogger("OidcToken.Validation") ?? NullLogger.Instance;
        _keys = offlineKeys is not null
            ? new StaticKeySource(offlineKeys)
            : new DiscoveryKeySource(_issuer, issuerUri!, options.HttpClient, options.RefreshInterval, options.AutomaticRefreshInterval, _time, _logger);
    }

    /// <summary>Validates a token. Invalid tokens and unreachable keys are results, not exceptions.</summary>
    /// <param name="token">The compact-serialized JWT.</param>
    /// <param name="cancellationToken">Cancels key fetching and the replay store.</param>
    /// <returns>The result: valid with verified claims, or the failure, its kind and a message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The validator was disposed.</exception>
    public async Task<GitHubOidcValidationResult> ValidateAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        using var activity = ValidationTelemetry.Source.StartActivity("ValidateGitHubToken");

        // The common, clean token takes the fast path; anything it does not fully recognise goes through the strict
        // parser, which decides and words the failure (see FastCompactToken). The fast path leaves the signing input in
        // `ascii` as bytes; after the strict parser it is transcoded below.
        var ascii = ArrayPool<byte>.Shared.Rent(Math.Min(token.Length, _maxTokenLength));
        try
        {
            return await ValidateCoreAsync(token, ascii, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(ascii);
        }
    }

    /// <summary>
    /// Whether the issuer's signing keys are available: fetches them when none are held yet (at most once per
    /// <see cref="GitHubOidcValidationOptions.RefreshInterval"/> while that fails), otherwise reports the keys held. For
    /// health checks; validation never needs it.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for a fetch.</param>
    /// <returns>The status: available with the number of usable keys, or unavailable with the cause of the latest failed fetch.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The validator was disposed.</exception>
    public async Task<GitHubOidcKeyStatus> CheckKeysAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return await _keys.StatusAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops scheduled key refreshes and releases the validator's own HTTP handler (not a caller-supplied client).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _keys.Dispose();
        }
    }

    private async ValueTask<GitHubOidcValidationResult> ValidateCoreAsync(string token, byte[] ascii, CancellationToken cancellationToken)
    {
        var signingInputReady = FastCompactToken.TryParse(token, _maxTokenLength, ascii, out var keyId, out var claims, out var signedLength);
        if (!signingInputReady)
        {
            var parsed = CompactToken.Parse(token, _maxTokenLength);
            if (parsed.Failure != GitHubOidcValidationFailure.None)
            {
                return Reject(parsed.Failure, parsed.Message!, parsed.KeyId);
            }

            keyId = parsed.KeyId!;
            signedLength = parsed.SecondDot;
            string? problem;
            using (parsed.Payload)
            {
                claims = JwtPayloadReader.FromJson(parsed.Payload!.RootElement, out problem)!;
            }

            if (claims is null)
            {
                return Reject(GitHubOidcValidationFailure.Malformed, "the token payload is not usable: " + problem, keyId);
            }
        }

        // Issuer, audience and lifetime are read from the payload before any key is looked up: a token from another
        // issuer is refused as such, not reported as "keys unavailable"; nothing from the payload is trusted (the
        // policy, the replay guard, the result's claims) until the signature holds.
        if (CheckUnverifiedClaims(claims, keyId) is { } early)
        {
            return early;
        }

        var lookup = await _keys.FindAsync(keyId, claims.IssuedAt, cancellationToken).ConfigureAwait(false);
        if (lookup.KeysUnavailable)
        {
            ValidationLog.TokenRejected(_logger, GitHubOidcValidationFailure.KeysUnavailable, Text.Quote(keyId), lookup.Message);
            return ValidationTelemetry.Record(GitHubOidcValidationResult.KeysUnavailable(lookup.Message!, keyId, lookup.Setting, lookup.Problem));
        }

        if (lookup.Key is not { } key)
        {
            return Reject(GitHubOidcValidationFailure.UnknownKey, lookup.Message!, keyId, lookup.Setting, lookup.Problem);
        }

        if (!signingInputReady)
        {
            // The strict parser accepted the token: it is ASCII (canonical base64url segments and two dots).
            Encoding.ASCII.GetBytes(token.AsSpan(0, signedLength), ascii);
        }

        if (!VerifySignature(token, ascii.AsSpan(0, signedLength), key))
        {
            return Reject(
                GitHubOidcValidationFailure.InvalidSignature,
                $"the signature does not verify with the issuer's key '{Text.Quote(keyId)}': the token was altered or was not signed by the issuer",
                keyId);
        }

        return await CheckVerifiedClaimsAsync(claims, keyId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// RS256 over the signing input (<paramref name="signingInput"/>: the ASCII bytes of the token up to its second
    /// dot). The signature segment has passed the canonical base64url checks; it must decode to exactly the key's
    /// modulus length.
    /// </summary>
    private static bool VerifySignature(string token, ReadOnlySpan<byte> signingInput, RSA key)
    {
        var expected = (key.KeySize + 7) / 8;
        var encoded = token.AsSpan(signingInput.Length + 1);
        if (expected > MaxSignatureBytes || encoded.Length != ((expected * 4) + 2) / 3)
        {
            return false;
        }

        Span<byte> signature = stackalloc byte[MaxSignatureBytes];
        if (Base64Url.DecodeFromChars(encoded, signature, out _, out var signatureLength) != OperationStatus.Done || signatureLength != expected)
        {
            return false;
        }

        try
        {
            return key.VerifyData(signingInput, signature[..signatureLength], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Issuer, audience, <c>exp</c>, <c>nbf</c> and the token's age; null when they pass.</summary>
    private GitHubOidcValidationResult? CheckUnverifiedClaims(GitHubActionsClaims claims, string keyId)
    {
        if (!IsAcceptedIssuer(claims.Issuer))
        {
            var expected = _acceptSlug ? $"'{_issuer}' or '{_issuer}/<enterprise-slug>'" : $"'{_issuer}'";
            var seen = claims.Issuer is null ? "missing" : $"'{Text.Quote(claims.Issuer)}'";
            return Reject(GitHubOidcValidationFailure.InvalidIssuer, $"issuer was {seen}, expected {expected}", keyId);
        }

        if (!HasAcceptedAudience(claims.Audiences))
        {
            var seen = claims.Audiences.Count == 0 ? "missing" : string.Join(", ", claims.Audiences.Select(a => "'" + Text.Quote(a) + "'"));
            var expected = _audiences.Length == 1 ? $"'{_audiences[0]}'" : "one of " + string.Join(", ", _audiences.Select(a => "'" + a + "'"));
            return Reject(
                GitHubOidcValidationFailure.InvalidAudience,
                $"audience was {seen}, expected {expected}: the token was requested for another service; request it with the expected audience",
                keyId);
        }

        var now = _time.GetUtcNow();
        if (claims.ExpiresAt is not { } exp)
        {
            return Reject(GitHubOidcValidationFailure.MissingExpiration, "the token has no expiry (exp): GitHub's tokens always carry one", keyId);
        }

        // Compared as exp < now − skew: exp + skew overflows for an exp near the end of year 9999.
        if (exp < now - _clockSkew)
        {
            return Reject(
                GitHubOidcValidationFailure.Expired,
                $"the token expired at {Text.Instant(exp)}, now is {Text.Instant(now)}, clock skew {Text.Seconds(_clockSkew)}: request a fresh token (they live about 5 minutes)",
                keyId);
        }

        if (claims.NotBefore is { } notBefore && notBefore > exp)
        {
            return Reject(
                GitHubOidcValidationFailure.NotYetValid,
                $"the token's not-before {Text.Instant(notBefore)} is after its expiry {Text.Instant(exp)}: it is never valid",
                keyId);
        }

        if (claims.NotBefore is { } nbf && nbf - _clockSkew > now)
        {
            return Reject(
                GitHubOidcValidationFailure.NotYetValid,
                $"the token is not valid before {Text.Instant(nbf)}, now is {Text.Instant(now)}, clock skew {Text.Seconds(_clockSkew)}: check this machine's clock",
                keyId);
        }

        if (_maxTokenAge is { } maxAge)
        {
            if (claims.IssuedAt is not { } iat)
            {
                return Reject(GitHubOidcValidationFailure.TooOld, "the token has no issue time (iat), so its age cannot be checked against the maximum token age", keyId);
            }

            // Compared as iat − skew > now: an iat in the future would make any age look fine.
            if (iat - _clockSkew > now)
            {
                return Reject(
                    GitHubOidcValidationFailure.NotYetValid,
                    $"the token claims to be issued at {Text.Instant(iat)}, in the future (now is {Text.Instant(now)}, clock skew {Text.Seconds(_clockSkew)}), so its age cannot be checked: check this machine's clock",
                    keyId);
            }

            if (now - iat > maxAge + _clockSkew)
            {
                return Reject(
                    GitHubOidcValidationFailure.TooOld,
                    $"the token was issued at {Text.Instant(iat)}, {Text.Seconds(now - iat)} ago, more than the maximum token age of {Text.Seconds(maxAge)} plus clock skew {Text.Seconds(_clockSkew)}: request a fresh token",
                    keyId);
            }
        }

        return null;
    }

    /// <summary>The claim policy and the replay guard, on claims whose signature has been verified.</summary>
    private async ValueTask<GitHubOidcValidationResult> CheckVerifiedClaimsAsync(GitHubActionsClaims claims, string keyId, CancellationToken cancellationToken)
    {
        if (_policy.Check(claims) is { } violation)
        {
            return Reject(GitHubOidcValidationFailure.PolicyViolation, violation, keyId);
        }

        if (_replayStore is not null)
        {
            if (string.IsNullOrEmpty(claims.JwtId))
            {
                return Reject(GitHubOidcValidationFailure.Replayed, "the token has no id (jti), so the replay guard cannot accept it once", keyId);
            }

            // exp is present: CheckUnverifiedClaims refused a token without one.
            var exp = claims.ExpiresAt!.Value;
            var rememberUntil = exp > DateTimeOffset.MaxValue - _clockSkew ? DateTimeOffset.MaxValue : exp + _clockSkew;
            bool fresh;
            try
            {
                fresh = await _replayStore.TryAddAsync(claims.Issuer!, claims.JwtId, rememberUntil, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Fail closed: a token whose id could not be recorded is never accepted unguarded.
                var message = $"the replay store could not record the token's id ({ex.GetType().Name}: {Text.Quote(ex.Message)}). The token was not judged: retry later, and check the store (e.g. that Redis is reachable)";
                ValidationLog.TokenRejected(_logger, GitHubOidcValidationFailure.ReplayStoreUnavailable, Text.Quote(keyId), message);
                return ValidationTelemetry.Record(GitHubOidcValidationResult.ReplayStoreUnavailable(message, keyId));
            }

            if (!fresh)
            {
                return Reject(
                    GitHubOidcValidationFailure.Replayed,
                    $"the token with jti '{Text.Quote(claims.JwtId)}' was already used (or the replay store is full): each token is accepted once; request a new one",
                    keyId);
            }
        }

        return ValidationTelemetry.Record(GitHubOidcValidationResult.Valid(claims, keyId));
    }

    private bool HasAcceptedAudience(IReadOnlyList<string> audiences)
    {
        for (var i = 0; i < audiences.Count; i++)
        {
            foreach (var accepted in _audiences)
            {
                if (string.Equals(audiences[i], accepted, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool IsAcceptedIssuer(string? issuer)
    {
        if (issuer is null)
        {
            return false;
        }

        if (string.Equals(issuer, _issuer, StringComparison.Ordinal))
        {
            return true;
        }

        return _acceptSlug
            && issuer.Length > _issuer.Length + 1
            && issuer.StartsWith(_issuer, StringComparison.Ordinal)
            && issuer[_issuer.Length] == '/'
            && SlugRule.IsSlug(issuer[(_issuer.Length + 1)..]);
    }

    private GitHubOidcValidationResult Reject(GitHubOidcValidationFailure failure, string message, string? keyId, string? setting = null, string? detail = null)
    {
        ValidationLog.TokenRejected(_logger, failure, keyId is null ? null : Text.Quote(keyId), message);
        return ValidationTelemetry.Record(GitHubOidcValidationResult.Invalid(failure, message, keyId, setting, detail));
    }

    /// <summary>The value quoted for a message; empty for null (a caller can set a non-nullable property to null).</summary>
    private static string QuoteOrEmpty(string? value) => value is null ? string.Empty : Text.Quote(value);

    /// <summary>A setting outside its range: "X is 5 s: use …" in the library's terms, "5 s is out of range: use …" as the description.</summary>
    private static GitHubOidcSettingProblem Range(string setting, string value, string rule) =>
        new(setting, $"{value} is out of range: {rule}", message: $"{setting} is {value}: {rule}");
}
