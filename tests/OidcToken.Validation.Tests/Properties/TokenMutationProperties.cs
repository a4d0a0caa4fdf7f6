// Property: any mutation of a valid token that changes what it decodes to is rejected; a mutation that keeps the
// decoded bytes but spells them non-canonically (unused low bits of a segment's last base64url character set) is
// rejected as NonCanonicalEncoding; only the untouched token is accepted.
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property, default 3000 here) and OIDCTOKEN_FUZZ_SEED (replay a
// reported seed) — see FuzzSettings.cs. Example long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=1000000 dotnet test tests/OidcToken.Validation.Tests -c Release --filter "FullyQualifiedName~Properties"
using CsCheck;
using OidcToken.Validation.Tests.Attacks;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Properties;

public sealed class TokenMutationProperties
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // A few valid tokens: one whose three segments all have unused bits, others of varied lengths.
    private static readonly string[] Pool =
    [
        SignatureAttackTests.CanonicalTokenWithUnusedBits(),
        ValidToken(),
        Token(c => c["x"] = "y"),
        Token(c => c["environment"] = "production"),
    ];

    private static readonly GitHubOidcTokenValidator SharedValidator = Validator();

    internal enum Kind
    {
        ReplaceChar,
        InsertChar,
        DeleteChar,
        Truncate,
        SwapSegments,
        DuplicateSegment,
        DropSegment,
        FlipDecodedBit,
        SetUnusedBits,
        ForeignSegment,
        AppendSegment,
        ReplaceCharAnywhere,
    }

    internal sealed record Mutation(int TokenIndex, Kind Kind, int A, int B, char C)
    {
        public override string ToString() => $"{Kind}(token {TokenIndex}, {A}, {B}, U+{(int)C:X4})";
    }

    private static readonly Gen<char> AnyChar = Gen.Frequency(
        (6, Gen.Char[Alphabet]),
        (2, Gen.Char[".=+/ \t\r\n\\\"{}"]),
        (1, Gen.Char),
        (1, Gen.Char['\u0000', '\u001f']));

    internal static readonly Gen<Mutation> Mutations =
        Gen.Select(Gen.Int[0, Pool.Length - 1], Gen.Enum<Kind>(), Gen.Int[0, 4096], Gen.Int[0, 4096], AnyChar, (t, k, a, b, c) => new Mutation(t, k, a, b, c));

    internal static string Apply(string token, Mutation m)
    {
        var s = token.Split('.');
        switch (m.Kind)
        {
            case Kind.ReplaceChar:
            {
                var i = m.A % token.Length;
                return token[..i] + m.C + token[(i + 1)..];
            }

            case Kind.ReplaceCharAnywhere:
            {
                // Replace with a base64url character only: the decoder sees a well-formed but different segment.
                var i = m.A % token.Length;
                return token[..i] + Alphabet[m.B % 64] + token[(i + 1)..];
            }

            case Kind.InsertChar:
            {
                var i = m.A % (token.Length + 1);
                return token[..i] + m.C + token[i..];
            }

            case Kind.DeleteChar:
            {
                var i = m.A % token.Length;
                return token.Remove(i, Math.Min(1 + (m.B % 4 == 0 ? m.B % 3 : 0), token.Length - i));
            }

            case Kind.Truncate:
                return token[..(m.A % token.Length)];
            case Kind.SwapSegments:
            {
                var i = m.A % 3;
                var j = m.B % 3;
                (s[i], s[j]) = (s[j], s[i]);
                return string.Join('.', s);
            }

            case Kind.DuplicateSegment:
            {
                var list = s.ToList();
                list.Insert(m.B % (list.Count + 1), s[m.A % 3]);
                return string.Join('.', list);
            }

            case Kind.DropSegment:
            {
                var list = s.ToList();
                list.RemoveAt(m.A % 3);
                return string.Join('.', list);
            }

            case Kind.FlipDecodedBit:
            {
                var seg = m.A % 3;
                var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(s[seg]);
                if (bytes.Length == 0)
                {
                    // An earlier mutation truncated the segment to nothing: there is no bit to flip.
                    return token;
                }

                var bit = m.B % (bytes.Length * 8);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                s[seg] = B64(bytes);
                return string.Join('.', s);
            }

            case Kind.SetUnusedBits:
            {
                var seg = m.A % 3;
                var unused = UnusedBits(s[seg]);
                if (unused == 0)
                {
                    return token;
                }

                s[seg] = NonCanonical(s[seg], 1 + (m.B % ((1 << unused) - 1)));
                return string.Join('.', s);
            }

            case Kind.ForeignSegment:
            {
                var other = Pool[m.B % Pool.Length].Split('.');
                var seg = m.A % 3;
                s[seg] = other[seg];
                return string.Join('.', s);
            }

            default:
                return token + "." + new string(m.C, 1 + (m.A % 8));
        }
    }

    internal static bool SameDecodedBytes(string a, string b)
    {
        var x = a.Split('.');
        var y = b.Split('.');
        if (x.Length != 3 || y.Length != 3)
        {
            return false;
        }

        for (var i = 0; i < 3; i++)
        {
            var dx = AttackKit.LenientDecode(x[i]);
            var dy = AttackKit.LenientDecode(y[i]);
            if (dx is null || dy is null || !dx.AsSpan().SequenceEqual(dy))
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public async Task Control_every_token_in_the_pool_is_accepted()
    {
        foreach (var token in Pool)
        {
            AssertAccepted(await SharedValidator.ValidateAsync(token));
        }
    }

    [Fact]
    public void Lenient_decoder_agrees_with_the_platform_on_canonical_segments()
    {
        foreach (var segment in Pool.SelectMany(t => t.Split('.')))
        {
            Assert.Equal(System.Buffers.Text.Base64Url.DecodeFromChars(segment), AttackKit.LenientDecode(segment));
        }
    }

    [Fact]
    public async Task Any_mutation_of_a_valid_token_is_rejected_and_same_bytes_respellings_as_NonCanonicalEncoding()
    {
        await Mutations.SampleAsync(
            async m =>
            {
                var original = Pool[m.TokenIndex];
                var mutated = Apply(original, m);
                var result = await SharedValidator.ValidateAsync(mutated);

                if (string.Equals(mutated, original, StringComparison.Ordinal))
                {
                    AssertAccepted(result);
                    return;
                }

                Assert.False(result.IsValid, $"mutation {m} was accepted");
                Assert.NotEqual(GitHubOidcValidationFailure.None, result.Failure);
                Assert.Equal(GitHubOidcFailureKind.Invalid, result.Kind);
                AssertNoLeak(result, mutated);
                if (SameDecodedBytes(original, mutated))
                {
                    Assert.Equal(GitHubOidcValidationFailure.NonCanonicalEncoding, result.Failure);
                }
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(3000));
    }

    [Fact]
    public async Task Every_non_canonical_spelling_of_every_segment_is_rejected_as_NonCanonicalEncoding()
    {
        // Exhaustive, not random: each segment with unused bits, every non-zero value of those bits.
        var token = Pool[0];
        var s = token.Split('.');
        var checkedCount = 0;
        for (var seg = 0; seg < 3; seg++)
        {
            var unused = UnusedBits(s[seg]);
            for (var bits = 1; bits < 1 << unused; bits++)
            {
                var copy = (string[])s.Clone();
                copy[seg] = NonCanonical(copy[seg], bits);
                var mutated = string.Join('.', copy);
                Assert.True(SameDecodedBytes(token, mutated));
                var result = await SharedValidator.ValidateAsync(mutated);
                AssertRejected(result, GitHubOidcValidationFailure.NonCanonicalEncoding, mutated);
                checkedCount++;
            }
        }

        Assert.True(checkedCount >= 9, "expected unused bits in every segment");
        AssertAccepted(await SharedValidator.ValidateAsync(token));
    }
}
