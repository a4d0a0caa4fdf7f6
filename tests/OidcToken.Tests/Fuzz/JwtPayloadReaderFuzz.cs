// Fuzz: JwtPayloadReader.TryRead (the unverified decode behind IdToken.UnverifiedClaims, the CLI's decode and the
// exchanges' refusal messages) never throws: it returns claims, or null with the problem. Inputs: arbitrary strings,
// the JWT alphabet with dots anywhere, random bytes as base64url segments, lengths around the 16 KiB cap, and
// GitHub-shaped payloads made hostile (duplicate claims, deep nesting, huge numbers, non-string claims, BOMs, NULs,
// lone surrogates, invalid UTF-8, truncation).
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property; defaults here 3000) and OIDCTOKEN_FUZZ_SEED (replay) —
// see tests/Shared/Fuzz/FuzzSettings.cs and docs/TESTING.md. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=1000000 dotnet test tests/OidcToken.Tests -c Release --filter "FullyQualifiedName~.Fuzz.JwtPayloadReaderFuzz"
using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using OidcToken.Claims;
using OidcToken.Fuzzing;

namespace OidcToken.Tests.Fuzz;

public sealed class JwtPayloadReaderFuzz
{
    private const string Header = "{\"alg\":\"RS256\",\"kid\":\"k\",\"typ\":\"JWT\"}";
    private const string JwtChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \n\0";

    private static readonly string PayloadTemplate = new JsonObject
    {
        ["actor"] = "octocat",
        ["aud"] = "https://github.com/octo-org",
        ["exp"] = 1_772_366_700,
        ["iat"] = 1_772_366_400,
        ["nbf"] = 1_772_366_100,
        ["iss"] = "https://token.actions.githubusercontent.com",
        ["jti"] = "1c7b0b4e-9f39-4b7d-9a1f-2a8f5d0f0c11",
        ["ref"] = "refs/heads/main",
        ["ref_protected"] = "false",
        ["repository"] = "octo-org/octo-repo",
        ["repository_id"] = "456789",
        ["run_attempt"] = "1",
        ["sub"] = "repo:octo-org/octo-repo:ref:refs/heads/main",
        ["workflow_ref"] = "octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main",
    }.ToJsonString();

    private static void NeverThrows(string token)
    {
        GitHubActionsClaims? claims;
        string? problem;
        try
        {
            claims = JwtPayloadReader.TryRead(token, out problem);
        }
        catch (Exception ex)
        {
            Assert.Fail($"TryRead threw for {FuzzKit.Shorten(token, 200)}:\n{ex}");
            return;
        }

        if (claims is null)
        {
            Assert.False(string.IsNullOrWhiteSpace(problem), "null claims without a problem");
        }
        else
        {
            Assert.Null(problem);
            Assert.NotNull(claims.Audiences);
            Assert.NotNull(claims.AdditionalClaims);
            Assert.True(claims.ExpiresAt is null || claims.ExpiresAt.Value.Year <= 9999);
        }
    }

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    [Fact]
    public void Arbitrary_strings_never_throw()
    {
        Gen.String[0, 400].Sample(NeverThrows, seed: FuzzSettings.Seed, iter: FuzzSettings.Iterations(3000));
    }

    [Fact]
    public void JWT_alphabet_strings_never_throw()
    {
        Gen.Char[JwtChars].Array[0, 400].Select(chars => new string(chars))
            .Sample(NeverThrows, seed: FuzzSettings.Seed, iter: FuzzSettings.Iterations(3000));
    }

    [Fact]
    public void Random_bytes_as_segments_never_throw()
    {
        Gen.Byte.Array[0, 300].Array[1, 5].Select(parts => string.Join('.', parts.Select(B64)))
            .Sample(NeverThrows, seed: FuzzSettings.Seed, iter: FuzzSettings.Iterations(3000));
    }

    [Fact]
    public void Lengths_around_the_cap_never_throw()
    {
        Gen.Int[JwtPayloadReader.MaxTokenLength - 8, JwtPayloadReader.MaxTokenLength + 8].Select(Gen.Int, (length, seed) =>
        {
            var random = new Random(seed);
            var payload = "{\"pad\":\"" + new string('a', Math.Max(0, (length * 3 / 4) - 40)) + "\",\"exp\":1}";
            var token = B64(Encoding.UTF8.GetBytes(Header)) + "." + B64(Encoding.UTF8.GetBytes(payload)) + ".c2ln";
            return random.Next(2) == 0 && token.Length > length ? token[..length] : token;
        }).Sample(NeverThrows, seed: FuzzSettings.Seed, iter: FuzzSettings.Iterations(300));
    }

    [Fact]
    public void Hostile_payloads_never_throw()
    {
        Gen.Int.Select(seed =>
        {
            var random = new Random(seed);
            var c = HostileJson.Case(random.Next(), [PayloadTemplate]);
            var bytes = Encoding.UTF8.GetBytes(c.Text);
            var description = c.Description;
            switch (random.Next(6))
            {
                case 0:
                    bytes = [0xEF, 0xBB, 0xBF, .. bytes];
                    description += " +UTF-8 BOM";
                    break;
                case 1:
                {
                    byte[][] bad = [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x00]];
                    var list = bytes.ToList();
                    list.InsertRange(random.Next(list.Count + 1), bad[random.Next(bad.Length)]);
                    bytes = [.. list];
                    description += " +invalid UTF-8";
                    break;
                }

                case 2:
                    bytes = Encoding.Unicode.GetBytes(c.Text);
                    description += " as UTF-16";
                    break;
            }

            var header = random.Next(5) == 0 ? FuzzKit.RandomText(random, 40) : Header;
            var signature = random.Next(5) == 0 ? string.Empty : "c2lnbmF0dXJl";
            var token = B64(Encoding.UTF8.GetBytes(header)) + "." + B64(bytes) + "." + signature;
            return new FuzzCase(description, token);
        }).Sample(c => NeverThrows(c.Text), seed: FuzzSettings.Seed, iter: FuzzSettings.Iterations(3000));
    }

    [Fact]
    public void The_template_itself_reads()
    {
        var token = B64(Encoding.UTF8.GetBytes(Header)) + "." + B64(Encoding.UTF8.GetBytes(PayloadTemplate)) + ".c2ln";
        var claims = JwtPayloadReader.TryRead(token, out var problem);
        Assert.True(claims is not null, problem);
        Assert.Equal("octo-org/octo-repo", claims!.Repository);
        Assert.Equal(1_772_366_700, claims.ExpiresAt!.Value.ToUnixTimeSeconds());
    }
}
