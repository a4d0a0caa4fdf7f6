using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using OidcToken.Testing;

namespace OidcToken.Validation.Tests.Attacks;

/// <summary>
/// Hand-made tokens for the attack suite and the property tests. Every byte of the header, the payload and
/// the signature is under the test's control: tokens are signed with <see cref="RSA.SignData(byte[], HashAlgorithmName, RSASignaturePadding)"/>
/// over the exact text, so duplicate members, odd encodings and forged headers can be produced at will.
/// Offline validators get <see cref="Key"/> under <see cref="KeyId"/> as their only signing key and a
/// <see cref="FakeTimeProvider"/> stopped at <see cref="Now"/>.
/// </summary>
internal static class AttackKit
{
    public const string KeyId = "attack-kit-key-1";
    public const string Audience = "https://vault.example.com";
    public const string RepositoryId = "456789";
    public const string OwnerId = "123456";
    public const string Issuer = GitHubIssuers.GitHubCom;
    public const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>A fixed instant: the suite never depends on the machine's clock (offline cases).</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The legitimate signing key, published under <see cref="KeyId"/>.</summary>
    public static RSA Key { get; } = RSA.Create(2048);

    /// <summary>Another 2048-bit key: "same kid, other key", and the attacker's own key.</summary>
    public static RSA OtherKey { get; } = RSA.Create(2048);

    public static readonly TimeSpan OnlineRefreshInterval = TimeSpan.FromSeconds(1);

    public static FakeTimeProvider Clock() => new(Now);

    public static GitHubClaimPolicy Policy() => GitHubClaimPolicy.CreateBuilder().RepositoryId(RepositoryId).Build();

    public static JsonWebKeySet KeySet(params (string KeyId, RSA Key)[] keys)
    {
        var array = new JsonArray();
        foreach (var (kid, key) in keys)
        {
            var parameters = key.ExportParameters(includePrivateParameters: false);
            array.Add(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = kid,
                ["n"] = B64(parameters.Modulus!),
                ["e"] = B64(parameters.Exponent!),
            });
        }

        return new JsonWebKeySet(new JsonObject { ["keys"] = array }.ToJsonString());
    }

    /// <summary>Offline options: <see cref="Key"/> as <see cref="KeyId"/>, a fake clock at <see cref="Now"/>, policy on <see cref="RepositoryId"/>.</summary>
    public static GitHubOidcValidationOptions Options(TimeProvider? timeProvider = null) => new()
    {
        Issuer = Issuer,
        Audiences = [Audience],
        Policy = Policy(),
        SigningKeys = KeySet((KeyId, Key)),
        TimeProvider = timeProvider ?? Clock(),
    };

    public static GitHubOidcTokenValidator Validator(Action<GitHubOidcValidationOptions>? configure = null)
    {
        var options = Options();
        configure?.Invoke(options);
        return new GitHubOidcTokenValidator(options);
    }

    /// <summary>Online options against a mock issuer: discovery + JWKS over loopback HTTP, real time, 1 s refresh interval.</summary>
    public static GitHubOidcValidationOptions OnlineOptions(MockGitHubOidcIssuer issuer) => new()
    {
        Issuer = issuer.Issuer,
        Audiences = [Audience],
        Policy = Policy(),
        RefreshInterval = OnlineRefreshInterval,
    };

    public static MockGitHubOidcIssuer StartIssuer() =>
        MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { RepositoryId = RepositoryId, OwnerId = OwnerId });

    /// <summary>The header GitHub sends, minus <c>x5t</c>: alg, kid, typ.</summary>
    public static JsonObject Header(string alg = "RS256", string? kid = KeyId)
    {
        var header = new JsonObject { ["alg"] = alg };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        header["typ"] = "JWT";
        return header;
    }

    /// <summary>A GitHub-shaped payload valid at <paramref name="now"/> (default <see cref="Now"/>): custom claims are strings.</summary>
    public static JsonObject Payload(DateTimeOffset? now = null, string? jti = null)
    {
        var t = (now ?? Now).ToUnixTimeSeconds();
        const string workflowRef = "octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main";
        const string sha = "0123456789abcdef0123456789abcdef01234567";
        return new JsonObject
        {
            ["actor"] = "octocat",
            ["actor_id"] = "583231",
            ["aud"] = Audience,
            ["base_ref"] = string.Empty,
            ["check_run_id"] = "10000000001",
            ["event_name"] = "push",
            ["exp"] = t + 295,
            ["head_ref"] = string.Empty,
            ["iat"] = t - 5,
            ["iss"] = Issuer,
            ["job_workflow_ref"] = workflowRef,
            ["job_workflow_sha"] = sha,
            ["jti"] = jti ?? Guid.NewGuid().ToString("D"),
            ["nbf"] = t - 305,
            ["ref"] = "refs/heads/main",
            ["ref_protected"] = "false",
            ["ref_type"] = "branch",
            ["repository"] = "octo-org/octo-repo",
            ["repository_id"] = RepositoryId,
            ["repository_owner"] = "octo-org",
            ["repository_owner_id"] = OwnerId,
            ["repository_visibility"] = "public",
            ["run_attempt"] = "1",
            ["run_id"] = "9876543210",
            ["run_number"] = "1",
            ["runner_environment"] = "github-hosted",
            ["sha"] = sha,
            ["sub"] = "repo:octo-org/octo-repo:ref:refs/heads/main",
            ["workflow"] = "CI",
            ["workflow_ref"] = workflowRef,
            ["workflow_sha"] = sha,
        };
    }

    /// <summary>A token RS256-signed with <paramref name="key"/> (default <see cref="Key"/>) after the edits.</summary>
    public static string Token(Action<JsonObject>? editClaims = null, Action<JsonObject>? editHeader = null, RSA? key = null)
    {
        var header = Header();
        editHeader?.Invoke(header);
        var claims = Payload();
        editClaims?.Invoke(claims);
        return Sign(header.ToJsonString(), claims.ToJsonString(), key);
    }

    public static string ValidToken() => Token();

    /// <summary>RS256 (PKCS#1 v1.5, SHA-256) over the exact UTF-8 text given.</summary>
    public static string Sign(string headerJson, string payloadJson, RSA? key = null) =>
        SignBytes(Encoding.UTF8.GetBytes(headerJson), Encoding.UTF8.GetBytes(payloadJson), key);

    public static string SignBytes(
        byte[] header,
        byte[] payload,
        RSA? key = null,
        HashAlgorithmName? hash = null,
        RSASignaturePadding? padding = null)
    {
        var input = B64(header) + "." + B64(payload);
        var signature = (key ?? Key).SignData(
            Encoding.ASCII.GetBytes(input), hash ?? HashAlgorithmName.SHA256, padding ?? RSASignaturePadding.Pkcs1);
        return input + "." + B64(signature);
    }

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string B64(string utf8) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(utf8));

    public static string[] Segments(string token) => token.Split('.');

    public static string SignatureOf(string token) => Segments(token)[^1];

    /// <summary>The base64url character for the 6-bit value <paramref name="value"/>.</summary>
    public static char Char64(int value) => Base64UrlAlphabet[value];

    public static int Value64(char c) => Base64UrlAlphabet.IndexOf(c, StringComparison.Ordinal);

    /// <summary>How many low bits of the last character of an unpadded base64url segment carry no data (0, 2 or 4).</summary>
    public static int UnusedBits(string segment) => (segment.Length % 4) switch
    {
        2 => 4,
        3 => 2,
        _ => 0,
    };

    /// <summary>
    /// The same bytes in a non-canonical spelling: the last character with unused low bits set to <paramref name="bits"/>
    /// (must be non-zero and fit the unused bits). Decoders that ignore those bits yield identical bytes.
    /// </summary>
    public static string NonCanonical(string segment, int bits = 1)
    {
        var unused = UnusedBits(segment);
        if (unused == 0 || bits <= 0 || bits >= 1 << unused)
        {
            throw new ArgumentException("The segment has no such unused bits.", nameof(segment));
        }

        var last = Value64(segment[^1]);
        return segment[..^1] + Char64((last & ~((1 << unused) - 1)) | bits);
    }

    /// <summary>
    /// Decodes a segment the lenient way (alphabet checked, unused low bits ignored), or null when it is not base64url
    /// at all. Two texts with equal lenient decodings differ only in non-canonical spelling.
    /// </summary>
    internal static byte[]? LenientDecode(string segment)
    {
        if (segment.Length % 4 == 1 || segment.Any(c => Base64UrlAlphabet.IndexOf(c, StringComparison.Ordinal) < 0))
        {
            return null;
        }

        var bytes = new List<byte>(segment.Length * 3 / 4);
        int buffer = 0, bits = 0;
        foreach (var c in segment)
        {
            buffer = (buffer << 6) | Base64UrlAlphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. bytes];
    }

    /// <summary>A free loopback port with nothing listening on it any more.</summary>
    public static int DeadLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        listener.Dispose();
        return port;
    }

    public static void AssertAccepted(GitHubOidcValidationResult result)
    {
        Assert.True(result.IsValid, "expected the positive control to pass: " + result);
        Assert.Equal(GitHubOidcValidationFailure.None, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.None, result.Kind);
        Assert.NotNull(result.Claims);
        Assert.Equal(RepositoryId, result.Claims.RepositoryId);
    }

    /// <summary>
    /// The attack was refused with exactly <paramref name="expected"/>, of kind <paramref name="kind"/>, with a message a
    /// human can act on that leaks neither the token nor its signature (nor the payload segment).
    /// </summary>
    public static void AssertRejected(
        GitHubOidcValidationResult result,
        GitHubOidcValidationFailure expected,
        string token,
        GitHubOidcFailureKind kind = GitHubOidcFailureKind.Invalid)
    {
        Assert.False(result.IsValid, "the attack token was accepted");
        Assert.Equal(expected, result.Failure);
        Assert.Equal(kind, result.Kind);
        Assert.False(string.IsNullOrWhiteSpace(result.Message), "the failure has no message");
        AssertNoLeak(result, token);
    }

    /// <summary>Neither <see cref="GitHubOidcValidationResult.Message"/> nor ToString() contains the token, its signature or its payload segment.</summary>
    public static void AssertNoLeak(GitHubOidcValidationResult result, string token)
    {
        var texts = new[] { result.Message ?? string.Empty, result.ToString() ?? string.Empty };
        TestSupport.LeakGuard.AssertNoLeak(texts[0] + "\n" + texts[1], "validation result " + result.Failure);
        var segments = Segments(token);
        foreach (var text in texts)
        {
            if (token.Length >= 16)
            {
                Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            }

            if (segments.Length >= 3)
            {
                var signature = segments[^1];
                if (signature.Length >= 8)
                {
                    Assert.DoesNotContain(signature, text, StringComparison.Ordinal);
                }

                if (segments[1].Length >= 16)
                {
                    Assert.DoesNotContain(segments[1], text, StringComparison.Ordinal);
                }
            }
        }
    }
}
