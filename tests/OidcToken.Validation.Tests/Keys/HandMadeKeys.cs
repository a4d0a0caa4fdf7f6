using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.KeySources;

/// <summary>JWKS written by hand (any <c>n</c>, any <c>e</c>, repeated kids) and RSA keys with a chosen public exponent.</summary>
internal static class HandMadeKeys
{
    private static readonly byte[] Sha256DigestInfo = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

    private static readonly Lazy<RSA> ExponentThreeKey = new(() => CreateWithExponent(3));

    /// <summary>A 2048-bit RSA key whose public exponent is 3 (.NET only generates keys with 65537).</summary>
    public static RSA KeyWithExponentThree => ExponentThreeKey.Value;

    public static JsonObject Jwk(string kid, byte[] modulus, byte[] exponent, string? use = "sig")
    {
        var jwk = new JsonObject { ["kty"] = "RSA", ["kid"] = kid, ["alg"] = "RS256", ["n"] = B64(modulus), ["e"] = B64(exponent) };
        if (use is not null)
        {
            jwk["use"] = use;
        }

        return jwk;
    }

    public static JsonObject Jwk(string kid, RSA key, string? use = "sig")
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return Jwk(kid, parameters.Modulus!, parameters.Exponent!, use);
    }

    public static string JwksJson(params JsonObject[] keys) => new JsonObject { ["keys"] = new JsonArray([.. keys]) }.ToJsonString();

    public static JsonWebKeySet Jwks(params JsonObject[] keys) => new(JwksJson(keys));

    /// <summary>The minimal big-endian bytes of a public exponent.</summary>
    public static byte[] Exponent(long value) => new BigInteger(value).ToByteArray(isUnsigned: true, isBigEndian: true);

    /// <summary>
    /// The EMSA-PKCS1-v1_5 encoding of SHA-256(<paramref name="signingInput"/>) for a <paramref name="length"/>-byte
    /// modulus: 00 01 FF…FF 00 DigestInfo hash. With e = 1, this block is its own RS256 signature under any modulus.
    /// </summary>
    public static byte[] Pkcs1Sha256Block(byte[] signingInput, int length)
    {
        var hash = SHA256.HashData(signingInput);
        var block = new byte[length];
        block[1] = 0x01;
        var padEnd = length - Sha256DigestInfo.Length - hash.Length - 1;
        block.AsSpan(2, padEnd - 2).Fill(0xFF);
        Sha256DigestInfo.CopyTo(block, padEnd + 1);
        hash.CopyTo(block, padEnd + 1 + Sha256DigestInfo.Length);
        return block;
    }

    /// <summary>Textbook RSA verification: signature^e mod n, as a block of the modulus's length.</summary>
    public static byte[] RaiseToExponent(byte[] signature, byte[] exponent, byte[] modulus)
    {
        var n = new BigInteger(modulus, isUnsigned: true, isBigEndian: true);
        var m = BigInteger.ModPow(new BigInteger(signature, isUnsigned: true, isBigEndian: true), new BigInteger(exponent, isUnsigned: true, isBigEndian: true), n);
        return Pad(m, modulus.Length);
    }

    private static RSA CreateWithExponent(int exponent)
    {
        var e = new BigInteger(exponent);
        while (true)
        {
            var p = Prime(1024, e);
            var q = Prime(1024, e);
            if (p == q)
            {
                continue;
            }

            if (p < q)
            {
                (p, q) = (q, p);
            }

            var n = p * q;
            if (n.GetBitLength() != 2048)
            {
                continue;
            }

            var phi = (p - 1) * (q - 1);
            var d = ModInverse(e, phi);
            var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = Pad(n, 256),
                Exponent = Exponent(exponent),
                D = Pad(d, 256),
                P = Pad(p, 128),
                Q = Pad(q, 128),
                DP = Pad(d % (p - 1), 128),
                DQ = Pad(d % (q - 1), 128),
                InverseQ = Pad(ModInverse(q, p), 128),
            });
            return rsa;
        }
    }

    /// <summary>A random prime of <paramref name="bits"/> bits (top two set) with gcd(e, p − 1) = 1.</summary>
    private static BigInteger Prime(int bits, BigInteger e)
    {
        int[] small = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];
        var bytes = new byte[bits / 8];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            bytes[0] |= 0xC0;
            bytes[^1] |= 0x01;
            var candidate = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
            if ((candidate - 1) % e == 0 || small.Any(s => candidate % s == 0) || !IsProbablePrime(candidate))
            {
                continue;
            }

            return candidate;
        }
    }

    private static bool IsProbablePrime(BigInteger n)
    {
        var d = n - 1;
        var r = 0;
        while (d.IsEven)
        {
            d >>= 1;
            r++;
        }

        var buffer = new byte[n.GetByteCount(isUnsigned: true)];
        for (var round = 0; round < 40; round++)
        {
            BigInteger a;
            do
            {
                RandomNumberGenerator.Fill(buffer);
                a = new BigInteger(buffer, isUnsigned: true) % n;
            }
            while (a < 2 || a > n - 2);

            var x = BigInteger.ModPow(a, d, n);
            if (x.IsOne || x == n - 1)
            {
                continue;
            }

            var composite = true;
            for (var i = 1; i < r && composite; i++)
            {
                x = BigInteger.ModPow(x, 2, n);
                composite = x != n - 1;
            }

            if (composite)
            {
                return false;
            }
        }

        return true;
    }

    private static BigInteger ModInverse(BigInteger a, BigInteger m)
    {
        BigInteger oldR = a % m, r = m, oldS = 1, s = 0;
        while (!r.IsZero)
        {
            var quotient = oldR / r;
            (oldR, r) = (r, oldR - (quotient * r));
            (oldS, s) = (s, oldS - (quotient * s));
        }

        if (!oldR.IsOne)
        {
            throw new ArgumentException("not invertible", nameof(a));
        }

        return ((oldS % m) + m) % m;
    }

    private static byte[] Pad(BigInteger value, int length)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return padded;
    }
}
