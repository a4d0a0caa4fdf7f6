using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace OidcToken.Validation;

/// <summary>
/// The usable signing keys of one JWKS, by <c>kid</c>: RSA keys of at least 2048 bits, with <c>use</c> absent or
/// <c>sig</c> and <c>alg</c> absent or <c>RS256</c>, and a public exponent that is odd and at least 3 (<c>e</c> = 1
/// would make every signature trivially forgeable). Only <c>n</c> and <c>e</c> are used; <c>x5c</c> is ignored. A
/// <c>kid</c> that appears more than once in the set is ambiguous and none of its keys is used, whichever comes first.
/// Immutable; the <see cref="RSA"/> objects are only used to verify.
/// </summary>
internal sealed class KeySnapshot
{
    private readonly FrozenDictionary<string, RSA> _keys;

    private KeySnapshot(FrozenDictionary<string, RSA> keys, object? source)
    {
        _keys = keys;
        Source = source;
    }

    /// <summary>The object the keys were read from (a configuration), to notice when it changes.</summary>
    public object? Source { get; }

    public int Count => _keys.Count;

    public bool TryGet(string keyId, out RSA key) => _keys.TryGetValue(keyId, out key!);

    public static KeySnapshot From(JsonWebKeySet? keySet, object? source)
    {
        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        if (keySet is not null)
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var jwk in keySet.Keys)
            {
                if (!string.IsNullOrEmpty(jwk.Kid))
                {
                    seen[jwk.Kid] = seen.GetValueOrDefault(jwk.Kid) + 1;
                }
            }

            foreach (var jwk in keySet.Keys)
            {
                if (!string.IsNullOrEmpty(jwk.Kid) && seen[jwk.Kid] == 1 && TryCreate(jwk) is { } rsa)
                {
                    keys.Add(jwk.Kid, rsa);
                }
            }
        }

        return new KeySnapshot(keys.ToFrozenDictionary(StringComparer.Ordinal), source);
    }

    /// <summary>An odd public exponent of at least 3, at most 8 bytes (leading zero bytes allowed).</summary>
    private static bool IsUsableExponent(byte[] exponent)
    {
        if (exponent.Length is 0 or > 8 || (exponent[^1] & 1) == 0)
        {
            return false;
        }

        for (var i = 0; i < exponent.Length - 1; i++)
        {
            if (exponent[i] != 0)
            {
                return true;
            }
        }

        return exponent[^1] >= 3;
    }

    private static RSA? TryCreate(JsonWebKey jwk)
    {
        if (!string.Equals(jwk.Kty, JsonWebAlgorithmsKeyTypes.RSA, StringComparison.Ordinal)
            || string.IsNullOrEmpty(jwk.Kid) || string.IsNullOrEmpty(jwk.N) || string.IsNullOrEmpty(jwk.E)
            || (!string.IsNullOrEmpty(jwk.Use) && !string.Equals(jwk.Use, JsonWebKeyUseNames.Sig, StringComparison.Ordinal))
            || (!string.IsNullOrEmpty(jwk.Alg) && !string.Equals(jwk.Alg, SecurityAlgorithms.RsaSha256, StringComparison.Ordinal)))
        {
            return null;
        }

        byte[] modulus, exponent;
        try
        {
            modulus = Base64UrlEncoder.DecodeBytes(jwk.N);
            exponent = Base64UrlEncoder.DecodeBytes(jwk.E);
        }
        catch (FormatException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }

        var start = 0;
        while (start < modulus.Length - 1 && modulus[start] == 0)
        {
            start++;
        }

        modulus = modulus[start..];
        if (modulus.Length < 256 || modulus.Length > 1024 || !IsUsableExponent(exponent))
        {
            return null;
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = exponent });
            return rsa;
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
            return null;
        }
    }
}
