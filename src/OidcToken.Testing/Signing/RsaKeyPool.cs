using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OidcToken.Testing;

/// <summary>
/// The process's 2048-bit RSA keys, lent to one <see cref="SigningKey"/> at a time. Generating a key costs from 0.1 s
/// on an idle machine to 2 s on a loaded 2-core one, and a test suite starts a mock issuer per test, so a key is
/// generated only when none is free, and goes back to the pool when its <see cref="SigningKey"/> is disposed (the issuer
/// that used it was disposed). Two keys in use at the same time are always distinct: issuers alive together, and every
/// key of one issuer's rotations, never share one. Each <see cref="SigningKey"/> still has its own <c>kid</c> and
/// certificate. Thread-safe.
/// </summary>
internal static class RsaKeyPool
{
    private static readonly ConcurrentBag<PooledRsa> _free = [];

    /// <summary>A key no one else holds: a free one, or a new one.</summary>
    public static PooledRsa Rent()
    {
        if (_free.TryTake(out var key))
        {
            return key;
        }

        return new PooledRsa(RSA.Create(2048));
    }

    /// <summary>Gives <paramref name="key"/> back for a later <see cref="Rent"/>; the caller must not use it again.</summary>
    public static void Return(PooledRsa key) => _free.Add(key);
}

/// <summary>A pooled RSA key and the lock its signatures take (shared by every holder it ever has).</summary>
internal sealed class PooledRsa(RSA rsa)
{
    public RSA Rsa { get; } = rsa;

    public Lock SignLock { get; } = new();
}
