using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OidcToken.Exchange.Vault;

namespace OidcToken.Exchange.Tests.Vault;

public sealed class CaBundleTests
{
    private static X509Certificate2 CreateRoot(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        return request.CreateSelfSigned(now, now.AddYears(50));
    }

    private static X509Certificate2 CreateLeaf(X509Certificate2 issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=vault.test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        return request.Create(issuer, now, now.AddYears(40), [1, 2, 3, 4]);
    }

    [Fact]
    public void A_server_certificate_issued_by_the_bundle_is_trusted_even_though_the_system_does_not_know_the_root()
    {
        using var root = CreateRoot("Private Vault CA");
        using var leaf = CreateLeaf(root);

        Assert.True(CaBundle.Validate([root], leaf, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void A_certificate_from_another_root_is_refused()
    {
        using var root = CreateRoot("Private Vault CA");
        using var other = CreateRoot("Somebody else");
        using var leaf = CreateLeaf(other);

        Assert.False(CaBundle.Validate([root], leaf, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void A_host_name_mismatch_is_refused_whatever_the_bundle()
    {
        using var root = CreateRoot("Private Vault CA");
        using var leaf = CreateLeaf(root);

        Assert.False(CaBundle.Validate([root], leaf, null, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(CaBundle.Validate([root], null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void A_PEM_bundle_file_loads()
    {
        using var root = CreateRoot("Private Vault CA");
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, root.ExportCertificatePem());

            var bundle = CaBundle.Load(path, "VaultJwtLoginOptions.CaCertificateFile");

            Assert.Equal(root.Thumbprint, Assert.Single(bundle).Thumbprint);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
