using System.Security.Cryptography;

namespace OidcToken.Validation;

/// <summary>What a key source found for a <c>kid</c>.</summary>
/// <remarks>
/// <see cref="Advice"/>, when set, is the last part of the message and names the option <see cref="Setting"/>; the
/// message is <see cref="Problem"/> followed by it.
/// </remarks>
internal readonly record struct KeyLookup(RSA? Key, bool KeysUnavailable, string? Problem, string? Setting = null, string? Advice = null)
{
    public string? Message => Problem + Advice;

    public static KeyLookup Found(RSA key) => new(key, false, null);

    public static KeyLookup Unknown(string problem, string? setting = null, string? advice = null) => new(null, false, problem, setting, advice);

    public static KeyLookup Unavailable(string problem, string? setting = null, string? advice = null) => new(null, true, problem, setting, advice);
}

/// <summary>Where the validator gets signing keys.</summary>
internal interface IKeySource : IDisposable
{
    /// <summary>Finds the key for <paramref name="keyId"/>.</summary>
    /// <param name="keyId">The token's <c>kid</c>.</param>
    /// <param name="issuedAt">The token's (unverified) <c>iat</c>: a key set fetched after it can judge the token.</param>
    /// <param name="cancellationToken">Cancels the wait for a fetch (not the shared fetch itself).</param>
    ValueTask<KeyLookup> FindAsync(string keyId, DateTimeOffset? issuedAt, CancellationToken cancellationToken);

    /// <summary>Whether keys are held (fetching them when none are yet), for health checks.</summary>
    ValueTask<GitHubOidcKeyStatus> StatusAsync(CancellationToken cancellationToken);
}
