using System.Security.Cryptography;

namespace OidcToken.Validation;

/// <summary>What a key source found for a <c>kid</c>.</summary>
internal readonly record struct KeyLookup(RSA? Key, bool KeysUnavailable, string? Problem)
{
    public static KeyLookup Found(RSA key) => new(key, false, null);

    public static KeyLookup Unknown(string problem) => new(null, false, problem);

    public static KeyLookup Unavailable(string problem) => new(null, true, problem);
}

/// <summary>Where the validator gets signing keys.</summary>
internal interface IKeySource : IDisposable
{
    ValueTask<KeyLookup> FindAsync(string keyId, CancellationToken cancellationToken);
}
