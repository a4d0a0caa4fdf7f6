using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.Signing;

public sealed class SignatureAndRotationTests
{
    [Fact]
    public async Task Token_from_the_endpoint_verifies_against_the_published_jwks()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        var token = await client.GetTokenAsync("sts.amazonaws.com");
        var result = await client.VerifyAsync(token, "sts.amazonaws.com");

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(1, issuer.DiscoveryRequestCount);
        Assert.Equal(1, issuer.JwksRequestCount);
    }

    [Fact]
    public async Task Tampered_or_misaddressed_tokens_do_not_verify()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var other = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        var token = issuer.IssueToken("aud");
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64Url.DecodeFromChars(parts[1]))!;
        payload["repository"] = JsonSerializer.SerializeToElement("evil/repo");
        var tampered = parts[0] + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload)) + "." + parts[2];

        Assert.True((await client.VerifyAsync(token, "aud")).IsValid);
        Assert.False((await client.VerifyAsync(tampered, "aud")).IsValid);
        Assert.False((await client.VerifyAsync(token, "other-aud")).IsValid);
        Assert.False((await client.VerifyAsync(other.IssueToken("aud"), "aud")).IsValid);
    }

    [Fact]
    public async Task Jwks_keys_have_githubs_members_and_consistent_x5c_and_x5t()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        using var real = JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture("github-jwks-2026-04_forgejo.json")));
        var realKeyWithCertificate = real.RootElement.GetProperty("keys").EnumerateArray().First(k => k.TryGetProperty("x5c", out _));

        var jwks = await client.GetJsonAsync(issuer.BaseAddress + ".well-known/jwks");
        var key = Assert.Single(jwks.GetProperty("keys").EnumerateArray());

        Assert.Equal(realKeyWithCertificate.EnumerateObject().Select(p => p.Name), key.EnumerateObject().Select(p => p.Name));
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal("AQAB", key.GetProperty("e").GetString());
        Assert.Equal(issuer.CurrentKeyId, key.GetProperty("kid").GetString());
        Assert.Equal(256, Base64Url.DecodeFromChars(key.GetProperty("n").GetString()).Length);

        var der = Convert.FromBase64String(key.GetProperty("x5c")[0].GetString()!);
        Assert.Equal(Base64Url.EncodeToString(SHA1.HashData(der)), key.GetProperty("x5t").GetString());
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        using var certificateKey = certificate.GetRSAPublicKey()!;
        Assert.Equal(key.GetProperty("n").GetString(), Base64Url.EncodeToString(certificateKey.ExportParameters(false).Modulus));
        Assert.Equal(key.GetProperty("x5t").GetString(), Jwt.Header(issuer.IssueToken()).GetProperty("x5t").GetString());
    }

    [Fact]
    public async Task Rotation_keeping_the_previous_key_verifies_old_and_new_tokens()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        var oldKid = issuer.CurrentKeyId;
        var oldToken = await client.GetTokenAsync("aud");

        issuer.RotateSigningKey();
        var newToken = await client.GetTokenAsync("aud");

        Assert.NotEqual(oldKid, issuer.CurrentKeyId);
        Assert.Equal(issuer.CurrentKeyId, Jwt.Header(newToken).GetProperty("kid").GetString());
        Assert.Equal(oldKid, Jwt.Header(oldToken).GetProperty("kid").GetString());
        var kids = (await client.GetJsonAsync(issuer.BaseAddress + ".well-known/jwks")).GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Equal([issuer.CurrentKeyId, oldKid], kids);
        Assert.True((await client.VerifyAsync(oldToken, "aud")).IsValid);
        Assert.True((await client.VerifyAsync(newToken, "aud")).IsValid);
    }

    [Fact]
    public async Task Rotation_dropping_the_previous_key_invalidates_old_tokens()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        var oldToken = await client.GetTokenAsync("aud");

        issuer.RotateSigningKey(keepPreviousKeyPublished: false);
        var newToken = await client.GetTokenAsync("aud");

        var kids = (await client.GetJsonAsync(issuer.BaseAddress + ".well-known/jwks")).GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Equal([issuer.CurrentKeyId], kids);
        Assert.False((await client.VerifyAsync(oldToken, "aud")).IsValid);
        Assert.True((await client.VerifyAsync(newToken, "aud")).IsValid);
    }

    [Fact]
    public async Task Signing_during_rotation_is_safe()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);

        var signing = Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => issuer.IssueToken("aud"))));
        issuer.RotateSigningKey();
        issuer.RotateSigningKey();
        var tokens = await signing;

        foreach (var token in tokens)
        {
            Assert.True((await client.VerifyAsync(token, "aud")).IsValid);
        }
    }

    [Fact]
    public async Task Live_issuers_and_rotations_never_share_an_rsa_key_though_keys_are_pooled()
    {
        using var first = MockGitHubOidcIssuer.Start();
        using var second = MockGitHubOidcIssuer.Start();
        using var firstClient = new IssuerClient(first);
        using var secondClient = new IssuerClient(second);
        var moduli = new List<string> { await ModulusAsync(firstClient, first), await ModulusAsync(secondClient, second) };
        first.RotateSigningKey();
        moduli.Add(await ModulusAsync(firstClient, first));
        first.RotateSigningKey(keepPreviousKeyPublished: false);
        moduli.Add(await ModulusAsync(firstClient, first));
        Assert.Equal(moduli.Count, moduli.Distinct(StringComparer.Ordinal).Count());

        // A key given back by a disposed issuer may be lent again, but under a new kid and certificate.
        string disposedKid, disposedThumbprint;
        using (var gone = MockGitHubOidcIssuer.Start())
        {
            disposedKid = gone.CurrentKeyId;
            disposedThumbprint = Jwt.Header(gone.IssueToken()).GetProperty("x5t").GetString()!;
        }

        using var next = MockGitHubOidcIssuer.Start();
        Assert.NotEqual(disposedKid, next.CurrentKeyId);
        Assert.NotEqual(disposedThumbprint, Jwt.Header(next.IssueToken()).GetProperty("x5t").GetString());
    }

    private static async Task<string> ModulusAsync(IssuerClient client, MockGitHubOidcIssuer issuer)
    {
        var keys = (await client.GetJsonAsync(issuer.BaseAddress + ".well-known/jwks")).GetProperty("keys");
        return keys.EnumerateArray().First(k => k.GetProperty("kid").GetString() == issuer.CurrentKeyId).GetProperty("n").GetString()!;
    }
}
