using System.Buffers.Text;
using System.Text.Json;

namespace OidcToken.Validation;

/// <summary>
/// Splits and decodes a JWS compact token strictly: exactly three base64url segments without padding, each in its one
/// canonical spelling; header and payload JSON objects without duplicate member names.
/// </summary>
internal static class CompactToken
{
    private static readonly JsonDocumentOptions StrictJson = new()
    {
        MaxDepth = 16,
        AllowDuplicateProperties = false,
    };

    private static readonly string[] ForbiddenHeaders = ["crit", "jwk", "jku", "x5u", "x5c"];

    // Header parameters that JsonWebTokenHandler reads as strings and refuses in any other JSON type (IDX14101/IDX14102).
    private static readonly string[] StringHeaders = ["typ", "cty", "x5t", "zip"];

    /// <summary>The result of the syntactic checks; on failure, the failure and its message.</summary>
    internal struct Parsed
    {
        public GitHubOidcValidationFailure Failure;
        public string? Message;
        public int FirstDot;
        public int SecondDot;
        public string? KeyId;
        public JsonDocument? Payload;
    }

    public static Parsed Parse(string token, int maxLength)
    {
        var result = default(Parsed);
        if (token.Length > maxLength)
        {
            return Fail(ref result, GitHubOidcValidationFailure.TooLarge, $"the token is {token.Length} characters long, more than the {maxLength} allowed (the maximum token length); a GitHub ID token is about 1–2 KB");
        }

        var dots = token.AsSpan().Count('.');
        if (dots == 4)
        {
            return Fail(ref result, GitHubOidcValidationFailure.Encrypted, "the token has five segments: it is an encrypted JWE, which GitHub never issues; pass the signed ID token (three segments)");
        }

        if (dots != 2)
        {
            return Fail(ref result, GitHubOidcValidationFailure.Malformed, $"the token has {dots + 1} dot-separated segment(s), not 3: it is not a signed JWT; pass the raw ID token");
        }

        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = token.IndexOf('.', first + 1);
        result.FirstDot = first;
        result.SecondDot = second;
        var header = token.AsSpan(0, first);
        var payload = token.AsSpan(first + 1, second - first - 1);
        var signature = token.AsSpan(second + 1);

        var canonical = true;
        if (!CheckSegment(header, ref canonical) || !CheckSegment(payload, ref canonical) || !CheckSegment(signature, ref canonical))
        {
            return Fail(ref result, GitHubOidcValidationFailure.Malformed, "a token segment is not base64url (only A–Z, a–z, 0–9, '-' and '_', no padding, and a length a base64url text can have)");
        }

        JsonDocument? headerDocument = null;
        try
        {
            headerDocument = ParseObject(header);
            if (headerDocument is null)
            {
                return Fail(ref result, GitHubOidcValidationFailure.Malformed, "the token header is not a JSON object (or repeats a member name)");
            }

            result.Payload = ParseObject(payload);
            if (result.Payload is null)
            {
                return Fail(ref result, GitHubOidcValidationFailure.Malformed, "the token payload is not a JSON object (or repeats a claim name)");
            }

            // Why reject: a lenient decoder maps several spellings to the same bytes, so one signed token could be
            // presented as many different strings, slipping past log-based deduplication and text-keyed replay checks.
            if (!canonical)
            {
                return Fail(ref result, GitHubOidcValidationFailure.NonCanonicalEncoding, "a token segment is not canonical base64url (unused bits of its last character are set): the text was altered after signing");
            }

            var root = headerDocument.RootElement;
            if (!root.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || !alg.ValueEquals("RS256"))
            {
                var shown = alg.ValueKind == JsonValueKind.String ? "'" + Text.Quote(alg.GetString()) + "'" : "missing";
                return Fail(ref result, GitHubOidcValidationFailure.AlgorithmNotAllowed, $"the token's algorithm (alg) was {shown}, expected 'RS256': GitHub signs only with RS256");
            }

            foreach (var name in ForbiddenHeaders)
            {
                if (root.TryGetProperty(name, out _))
                {
                    return Fail(ref result, GitHubOidcValidationFailure.ForbiddenHeader, $"the token header carries '{name}': keys and key locations named by a token are never trusted, and GitHub's tokens carry none");
                }
            }

            foreach (var name in StringHeaders)
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.String)
                {
                    return Fail(ref result, GitHubOidcValidationFailure.Malformed, $"the token header's '{name}' is a JSON {value.ValueKind.ToString().ToLowerInvariant()}, not a string");
                }
            }

            if (!root.TryGetProperty("kid", out var kid) || kid.ValueKind != JsonValueKind.String || kid.GetString() is not { Length: > 0 } keyId)
            {
                return Fail(ref result, GitHubOidcValidationFailure.MissingKeyId, "the token header has no key id (kid): GitHub's tokens always name their signing key");
            }

            // The signature is decoded where it is verified, straight from the token text.
            result.KeyId = keyId;
            return result;
        }
        finally
        {
            headerDocument?.Dispose();
            if (result.Failure != GitHubOidcValidationFailure.None)
            {
                result.Payload?.Dispose();
                result.Payload = null;
            }
        }
    }

    private static Parsed Fail(ref Parsed result, GitHubOidcValidationFailure failure, string message)
    {
        result.Failure = failure;
        result.Message = message;
        return result;
    }

    /// <summary>Checks the alphabet and length; clears <paramref name="canonical"/> when unused low bits of the last character are set.</summary>
    private static bool CheckSegment(ReadOnlySpan<char> segment, ref bool canonical)
    {
        if (segment.IndexOfAnyExcept(FastCompactToken.Base64UrlChars) >= 0)
        {
            return false;
        }

        var rest = segment.Length % 4;
        if (rest == 1)
        {
            return false;
        }

        if (rest != 0)
        {
            var value = Sextet(segment[^1]);
            var unusedMask = rest == 2 ? 0b1111 : 0b11;
            if ((value & unusedMask) != 0)
            {
                canonical = false;
            }
        }

        return true;
    }

    private static int Sextet(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        _ => 63,
    };

    private static JsonDocument? ParseObject(ReadOnlySpan<char> segment)
    {
        if (segment.Length == 0)
        {
            return null;
        }

        if (Decode(segment) is not { } bytes)
        {
            return null;
        }

        var written = bytes.Length;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(0, written), StrictJson);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // The duplicate-name check reads names and throws this (not JsonException) for an escaped lone surrogate.
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object || !HasValidStrings(document.RootElement))
        {
            document.Dispose();
            return null;
        }

        return document;
    }

    /// <summary>
    /// Decodes base64url; a non-canonical last character is decoded as its canonical form (the caller has already
    /// noted it, to report <see cref="GitHubOidcValidationFailure.NonCanonicalEncoding"/> after the syntax checks).
    /// </summary>
    internal static byte[]? Decode(ReadOnlySpan<char> segment)
    {
        Span<char> last = stackalloc char[1];
        var rest = segment.Length % 4;
        var bytes = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        int written;
        if (rest is 2 or 3 && segment.Length > 0)
        {
            var mask = rest == 2 ? ~0b1111 : ~0b11;
            last[0] = Alphabet[Sextet(segment[^1]) & mask];
            var copy = segment.Length <= 4096 ? stackalloc char[segment.Length] : new char[segment.Length];
            segment.CopyTo(copy);
            copy[^1] = last[0];
            if (Base64Url.DecodeFromChars(copy, bytes, out _, out written) != System.Buffers.OperationStatus.Done)
            {
                return null;
            }
        }
        else if (Base64Url.DecodeFromChars(segment, bytes, out _, out written) != System.Buffers.OperationStatus.Done)
        {
            return null;
        }

        return written == bytes.Length ? bytes : bytes.AsSpan(0, written).ToArray();
    }

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>
    /// JsonDocument checks structure, not string contents: invalid UTF-8 or an escaped lone surrogate only fails when the
    /// string is read. Read every name and string now, so such a token is Malformed rather than an exception later.
    /// </summary>
    private static bool HasValidStrings(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!HasValidStrings(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!HasValidStrings(item))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
