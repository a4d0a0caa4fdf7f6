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
    ValueTask<KeyLookup> FindAsync(string keyId, CancellationToken cancellationToken);
}
