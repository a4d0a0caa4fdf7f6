using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace OidcToken.Benchmarks.Validation;

/// <summary>
/// The validation-throughput workload: <see cref="DefaultCount"/> distinct, valid, GitHub-shaped RS256 tokens signed by
/// one 2048-bit key (distinct jti, iat, run_id, sha, so no two tokens share bytes past the header), the public JWK, and
/// the checks every contender applies: issuer, audience, exp/nbf with 60 s clock tolerance at a fixed instant
/// (<see cref="Now"/>), RS256 only, and the policy repository_id == <see cref="RepositoryId"/> and sub matching
/// <see cref="SubjectPattern"/>.
/// </summary>
/// <remarks>
/// Signing thousands of tokens takes seconds, and jose (Node) must verify the very same tokens, so <c>benchmarks/run</c>
/// writes the corpus once (<c>--write-validation-corpus FILE</c>) and every process reads it from the file named by
/// <c>OIDCTOKEN_VALIDATION_CORPUS</c>; without it a process mints its own (same shape, other key).
/// </remarks>
public sealed class ValidationCorpus
{
    public const int DefaultCount = 4096;
    public const string Issuer = "https://token.actions.githubusercontent.com";
    public const string Audience = "https://validation-bench.example.com";
    public const string RepositoryId = "690153241";
    public const string SubjectPattern = "repo:octo-org/octo-repo:ref:refs/heads/*";
    public const string SubjectPrefix = "repo:octo-org/octo-repo:ref:refs/heads/";
    public const int ClockSkewSeconds = 60;
    public const string EnvironmentVariable = "OIDCTOKEN_VALIDATION_CORPUS";

    /// <summary>The fixed "now" of every contender: 2026-01-15T12:00:00Z.</summary>
    public static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<ValidationCorpus> Shared = new(LoadOrCreate);

    private ValidationCorpus(string jwkJson, string[] tokens)
    {
        JwkJson = jwkJson;
        Tokens = tokens;
        var jwk = new JsonWebKey(jwkJson);
        KeyId = jwk.Kid;
        KeySet = new JsonWebKeySet();
        KeySet.Keys.Add(jwk);
        PublicKey = RSA.Create();
        PublicKey.ImportParameters(new RSAParameters { Modulus = Base64Url.DecodeFromChars(jwk.N), Exponent = Base64Url.DecodeFromChars(jwk.E) });
    }

    /// <summary>The public key as a JWK (kty, kid, use, alg, n, e).</summary>
    public string JwkJson { get; }

    public string KeyId { get; }

    /// <summary>A JWKS holding the one key (what <c>SigningKeys</c> takes).</summary>
    public JsonWebKeySet KeySet { get; }

    /// <summary>The public key, imported once (what a bare verify loop uses).</summary>
    public RSA PublicKey { get; }

    public string[] Tokens { get; }

    /// <summary>The corpus of this process: read from <see cref="EnvironmentVariable"/>'s file, or minted once.</summary>
    public static ValidationCorpus Get() => Shared.Value;

    public static ValidationCorpus Create(int count)
    {
        using var key = RSA.Create(2048);
        var parameters = key.ExportParameters(false);
        var kid = Convert.ToHexStringLower(SHA256.HashData(parameters.Modulus!))[..40];
        var jwk = JsonText(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("kty", "RSA");
            writer.WriteString("kid", kid);
            writer.WriteString("use", "sig");
            writer.WriteString("alg", "RS256");
            writer.WriteString("n", Base64Url.EncodeToString(parameters.Modulus));
            writer.WriteString("e", Base64Url.EncodeToString(parameters.Exponent));
            writer.WriteEndObject();
        });

        // GitHub's header: alg, kid, typ, x5t.
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonText(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("alg", "RS256");
            writer.WriteString("kid", kid);
            writer.WriteString("typ", "JWT");
            writer.WriteString("x5t", Base64Url.EncodeToString(SHA1.HashData(parameters.Modulus!)));
            writer.WriteEndObject();
        })));

        var tokens = new string[count];
        var now = Now.ToUnixTimeSeconds();
        for (var i = 0; i < count; i++)
        {
            // Issued within the last four minutes of Now, so every token is inside its 5-minute lifetime at Now.
            var iat = now - 10 - (i % 230);
            var runId = (17_000_000_000L + (i * 7919L)).ToString(CultureInfo.InvariantCulture);
            var payload = JsonText(writer =>
            {
                // Members in alphabetical order, every custom claim a string, like GitHub's tokens.
                writer.WriteStartObject();
                writer.WriteString("actor", "octocat");
                writer.WriteString("actor_id", "583231");
                writer.WriteString("aud", Audience);
                writer.WriteString("base_ref", string.Empty);
                writer.WriteString("check_run_id", (52_000_000_000L + i).ToString(CultureInfo.InvariantCulture));
                writer.WriteString("event_name", "push");
                writer.WriteNumber("exp", iat + 300);
                writer.WriteString("head_ref", string.Empty);
                writer.WriteNumber("iat", iat);
                writer.WriteString("iss", Issuer);
                writer.WriteString("job_workflow_ref", "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main");
                writer.WriteString("job_workflow_sha", Sha(i, 1));
                writer.WriteString("jti", new Guid(SHA256.HashData(BitConverter.GetBytes(i))[..16]).ToString("D"));
                writer.WriteNumber("nbf", iat - 5);
                writer.WriteString("ref", "refs/heads/main");
                writer.WriteString("ref_protected", "true");
                writer.WriteString("ref_type", "branch");
                writer.WriteString("repository", "octo-org/octo-repo");
                writer.WriteString("repository_id", RepositoryId);
                writer.WriteString("repository_owner", "octo-org");
                writer.WriteString("repository_owner_id", "9919");
                writer.WriteString("repository_visibility", "private");
                writer.WriteString("run_attempt", "1");
                writer.WriteString("run_id", runId);
                writer.WriteString("run_number", (1000 + i).ToString(CultureInfo.InvariantCulture));
                writer.WriteString("runner_environment", "github-hosted");
                writer.WriteString("sha", Sha(i, 2));
                writer.WriteString("sub", "repo:octo-org/octo-repo:ref:refs/heads/main");
                writer.WriteString("workflow", "deploy");
                writer.WriteString("workflow_ref", "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main");
                writer.WriteString("workflow_sha", Sha(i, 1));
                writer.WriteEndObject();
            });

            var signingInput = header + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
            var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            tokens[i] = signingInput + "." + Base64Url.EncodeToString(signature);
        }

        return new ValidationCorpus(jwk, tokens);
    }

    /// <summary>Writes the corpus as one JSON object: the checks, the JWK and the tokens (read by peers/bench-jose-validate.mjs).</summary>
    public void Write(string path)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteString("issuer", Issuer);
        writer.WriteString("audience", Audience);
        writer.WriteString("repositoryId", RepositoryId);
        writer.WriteString("subjectPattern", SubjectPattern);
        writer.WriteString("subjectPrefix", SubjectPrefix);
        writer.WriteNumber("now", Now.ToUnixTimeSeconds());
        writer.WriteNumber("clockSkewSeconds", ClockSkewSeconds);
        writer.WritePropertyName("jwk");
        writer.WriteRawValue(JwkJson);
        writer.WriteStartArray("tokens");
        foreach (var token in Tokens)
        {
            writer.WriteStringValue(token);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static ValidationCorpus Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var tokens = root.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToArray();
        return new ValidationCorpus(root.GetProperty("jwk").GetRawText(), tokens);
    }

    private static ValidationCorpus LoadOrCreate() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } path ? Read(path) : Create(DefaultCount);

    private static string Sha(int i, int salt) =>
        Convert.ToHexStringLower(SHA1.HashData(BitConverter.GetBytes(((long)salt << 32) | (uint)i)));

    private static string JsonText(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>A clock stopped at one instant.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
