using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OidcToken.Testing;

/// <summary>
/// One RS256 signing key: a 2048-bit RSA key no other live key uses (from <see cref="RsaKeyPool"/>), a new self-signed
/// certificate for it (for <c>x5c</c> and <c>x5t</c>, like GitHub's keys) and a new GUID <c>kid</c> like GitHub's newer
/// keys. Disposing it gives the RSA key back to the pool.
/// </summary>
internal sealed class SigningKey : IDisposable
{
    private readonly PooledRsa _key;
    private int _disposed;

    private SigningKey(PooledRsa key, string keyId, byte[] certificateDer)
    {
        _key = key;
        var rsa = key.Rsa;
        KeyId = keyId;
        CertificateDer = certificateDer;
        Thumbprint = Base64Url.EncodeToString(SHA1.HashData(certificateDer));
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        Modulus = Base64Url.EncodeToString(parameters.Modulus!);
        Exponent = Base64Url.EncodeToString(parameters.Exponent!);
    }

    public string KeyId { get; }

    /// <summary>base64url SHA-1 of the certificate (<c>x5t</c>).</summary>
    public string Thumbprint { get; }

    public byte[] CertificateDer { get; }

    public string Modulus { get; }

    public string Exponent { get; }

    public static SigningKey Create(TimeProvider timeProvider)
    {
        var key = RsaKeyPool.Rent();
        try
        {
            byte[] certificateDer;
            lock (key.SignLock)
            {
                var request = new CertificateRequest("CN=oidc-token-mock.self-signed", key.Rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                var now = timeProvider.GetUtcNow();
                using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
                certificateDer = certificate.RawData;
            }

            return new SigningKey(key, Guid.NewGuid().ToString("D"), certificateDer);
        }
        catch
        {
            RsaKeyPool.Return(key);
            throw;
        }
    }

    public byte[] Sign(byte[] data)
    {
        lock (_key.SignLock)
        {
            return _key.Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            RsaKeyPool.Return(_key);
        }
    }
}
