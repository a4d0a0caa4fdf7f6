using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OidcToken.Exchange.Vault;

/// <summary>
/// Trusts only the roots in a PEM bundle for a server's certificate: the chain is built with
/// <see cref="X509ChainTrustMode.CustomRootTrust"/> over the bundle; name mismatches and missing certificates still fail.
/// </summary>
internal static class CaBundle
{
    public static X509Certificate2Collection Load(string path, string optionName)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException($"{optionName} is empty; set it to a PEM file of CA certificates, or leave it null to use the system's trusted roots.", optionName);
        }

        var bundle = new X509Certificate2Collection();
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new ArgumentException($"{optionName} '{path}' cannot be used: the file does not exist.", optionName);
            }

            if (info.Length > 1024 * 1024)
            {
                throw new ArgumentException($"{optionName} '{path}' cannot be used: the file is larger than 1 MiB, too large for a CA bundle.", optionName);
            }

            bundle.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"{optionName} '{path}' cannot be used: it could not be read as PEM certificates ({ex.GetType().Name}: {ex.Message}).", optionName, ex);
        }

        if (bundle.Count == 0)
        {
            throw new ArgumentException($"{optionName} '{path}' cannot be used: it contains no PEM certificate (-----BEGIN CERTIFICATE-----).", optionName);
        }

        return bundle;
    }

    public static SocketsHttpHandler CreateHandler(X509Certificate2Collection roots)
    {
        var handler = Common.ExchangeSession.CreateHandler();
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(roots, certificate, chain, errors),
        };
        return handler;
    }

    internal static bool Validate(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try
        {
            return chain.Build(leaf);
        }
        finally
        {
            if (!ReferenceEquals(leaf, certificate))
            {
                leaf.Dispose();
            }
        }
    }
}
