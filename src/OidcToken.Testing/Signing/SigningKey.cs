using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OidcToken.Testing;

/// <summary>
/// One RS256 signing key: a fresh 2048-bit RSA key, a self-signed certificate for it (for <c>x5c</c> and
/// <c>x5t</c>, like GitHub's keys) and a GUID <c>kid</c> like GitHub's newer keys.
/// </summary>
internal sealed class SigningKey : IDisposable
{
    private readonly RSA _rsa;
    private readonly Lock _signLock = new();

    private SigningKey(RSA rsa, string keyId, byte[] certificateDer)
    {
        _rsa = rsa;
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
        var rsa = RSA.Create(2048);
        try
        {
            var request = new CertificateRequest("CN=oidc-token-mock.self-signed", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var now = timeProvider.GetUtcNow();
            using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
            return new SigningKey(rsa, Guid.NewGuid().ToString("D"), certificate.RawData);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    public byte[] Sign(byte[] data)
    {
        lock (_signLock)
        {
            return _rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }

    public void Dispose() => _rsa.Dispose();
}
