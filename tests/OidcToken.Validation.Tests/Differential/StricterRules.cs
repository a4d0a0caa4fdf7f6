using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using OidcToken.Validation.Tests.Attacks;

namespace OidcToken.Validation.Tests.Differential;

/// <summary>
/// The enumerated, deliberate places where our validator is STRICTER than JsonWebTokenHandler configured with the same
/// rules. Where one applies to a token, the differential tests only require that we reject it (the handler may accept).
/// Every other difference is a finding. Detection is independent of our validator: each rule is recognised from the
/// token text (and the setup's JWKS) by this file's own lenient decoding, never by asking the code under test.
/// </summary>
internal enum StricterRule
{
    /// <summary>
    /// Longer than MaxTokenLength (16 KiB here) → TooLarge, before any parsing. The handler's own cap is
    /// MaximumTokenSizeInBytes = 250 000. Contract: "length &gt; MaxTokenLength → TooLarge"; GitHub's tokens are 1–2 KB.
    /// </summary>
    TooLarge,

    /// <summary>
    /// A segment's last base64url character has unused low bits set → NonCanonicalEncoding. Contract decision: one
    /// signed token has exactly one spelling, so log-based dedupe/replay keyed on the text cannot be bypassed. Observed
    /// with 8.23.0: the handler rejects these too (header/payload: decode error; signature: invalid signature), so only
    /// the reason family differs; the rule is kept because older or other decoders ignore those bits.
    /// </summary>
    NonCanonicalBase64Url,

    /// <summary>
    /// A segment ends in base64 '=' padding → Malformed. The handler strips it (observed: a padded signature verifies).
    /// RFC 7515 §2 defines base64url without padding, and the contract's reason for NonCanonicalEncoding applies: one
    /// signed token, one spelling.
    /// </summary>
    Base64UrlPadding,

    /// <summary>
    /// The header carries <c>crit</c>, <c>jwk</c>, <c>jku</c>, <c>x5u</c> or <c>x5c</c> → ForbiddenHeader. The handler
    /// ignores them (it never fetches or trusts them either, and does not enforce <c>crit</c>), so it accepts such a token
    /// when the kid-selected key verifies it. Contract: "never fetched, never trusted"; GitHub's tokens carry none.
    /// </summary>
    ForbiddenHeader,

    /// <summary>
    /// A member name repeated in any object of the header or the payload → Malformed. The handler's reader keeps one of
    /// the values. The signature covers both values and parsers disagree on which wins, so we refuse (contract).
    /// </summary>
    DuplicateMembers,

    /// <summary>
    /// JSON the handler reads but our strict parser refuses → Malformed: nesting deeper than 16 (our MaxDepth; the
    /// handler allows 64; observed: a claim nested 16 arrays deep is accepted by the handler), a UTF-8 byte order mark
    /// before the object (EnvelopeAttackTests documents the decision), or a string/name that is not text (invalid UTF-8,
    /// an escaped lone surrogate). GitHub's header and payload are flat, plain objects.
    /// </summary>
    StrictJson,

    /// <summary>
    /// Bytes other than whitespace after the header's or the payload's JSON object (<c>{…}x</c>, <c>{…}{…}</c>) → Malformed.
    /// The handler reads the first object and ignores the rest (observed). Contract: "header/payload not a JSON object →
    /// Malformed" (EnvelopeAttackTests: header-trailing-garbage, header-two-objects, payload + "x", payload twice); a
    /// second object is a second set of claims some other parser might read instead.
    /// </summary>
    TrailingData,

    /// <summary>
    /// A registered claim of the wrong JSON type → Malformed (JwtPayloadReader: "numeric-date claims that are not
    /// numbers"): <c>exp</c>/<c>nbf</c>/<c>iat</c> not a JSON number in [0, 253402300799] (the handler also reads numeric
    /// strings and clamps huge values), or <c>aud</c> neither a string nor an array of only strings (the handler skips or
    /// stringifies the odd items and accepts when one item matches), or <c>iss</c>/<c>sub</c>/<c>jti</c> not a JSON string
    /// (the handler accepts a number or null <c>sub</c>; RFC 7519 makes them strings).
    /// </summary>
    TypedRegisteredClaims,

    /// <summary>
    /// <c>typ</c>, <c>cty</c>, <c>x5t</c> or <c>zip</c> in the header, or <c>azp</c> in the payload, given as JSON
    /// <c>null</c> → Malformed. The handler reads these as strings and refuses a number, Boolean, array or object
    /// (IDX14102 for the header, IDX14101 for the payload; both sides then agree), but reads <c>null</c> as absent
    /// (observed with 8.23.0). Contract: a member that must be a string is a string; GitHub never sends null.
    /// </summary>
    NullStringMember,

    /// <summary>
    /// A non-integral <c>exp</c> or <c>nbf</c> (RFC 7519 allows fractional NumericDates; GitHub sends whole seconds).
    /// The handler rounds to the nearest second (observed: exp = now - skew - 0.5 s is still accepted);
    /// JwtPayloadReader truncates (Math.Floor). Neither is the exact real-number comparison, so equal verdicts are not
    /// required here — but this is a CONDITIONAL rule: the invariant still holds without exception, so where truncating
    /// <c>nbf</c> makes us accept what the handler's rounding rejects, that is a finding (DifferentialFindingsTests).
    /// </summary>
    FractionalNumericDate,

    /// <summary>
    /// No non-empty string <c>kid</c> in the header → MissingKeyId. The handler can also select a key by <c>x5t</c>.
    /// Contract: "no kid → MissingKeyId"; GitHub always names its key.
    /// </summary>
    KeyIdRequired,

    /// <summary>
    /// The token's <c>kid</c> names a JWKS entry our key snapshot does not use → UnknownKey: RSA modulus under 2048 bits
    /// (the handler verifies with 1024+), <c>use</c> present and not <c>sig</c>, or <c>alg</c> present and not RS256.
    /// Contract (KeySnapshot): only RS256 signing keys of 2048+ bits are usable.
    /// </summary>
    UnusableJwksKey,
}

/// <summary>Recognises which <see cref="StricterRule"/>s apply to a token, independently of the validator under test.</summary>
internal static class StricterRules
{
    private static readonly string[] ForbiddenHeaderNames = ["crit", "jwk", "jku", "x5u", "x5c"];

    private static readonly string[] StringHeaderNames = ["typ", "cty", "x5t", "zip"];

    private const int OurMaxDepth = 16;

    private const long MaxNumericDate = 253402300799;

    /// <summary>True for the rules under which our validator rejects every token (all but <see cref="StricterRule.FractionalNumericDate"/>).</summary>
    public static bool AlwaysRejects(StricterRule rule) => rule != StricterRule.FractionalNumericDate;

    public static IReadOnlySet<StricterRule> Applicable(string token, DifferentialSetup setup)
    {
        var rules = new HashSet<StricterRule>();
        if (token.Length > setup.MaxTokenLength)
        {
            rules.Add(StricterRule.TooLarge);
        }

        var segments = token.Split('.');
        if (segments.Length != 3)
        {
            return rules;
        }

        if (segments.Any(IsPadded) && segments.All(seg => IsBase64UrlText(seg.TrimEnd('='))))
        {
            rules.Add(StricterRule.Base64UrlPadding);
        }

        segments = [.. segments.Select(seg => seg.TrimEnd('='))];
        if (segments.All(IsBase64UrlText) && segments.Any(HasUnusedBitsSet))
        {
            rules.Add(StricterRule.NonCanonicalBase64Url);
        }

        var header = Json.Read(AttackKit.LenientDecode(segments[0]));
        var payload = Json.Read(AttackKit.LenientDecode(segments[1]));
        foreach (var part in new[] { header, payload })
        {
            if (part is null)
            {
                continue;
            }

            if (part.Duplicates)
            {
                rules.Add(StricterRule.DuplicateMembers);
            }

            if (part.Depth > OurMaxDepth || part.Bom || part.InvalidText)
            {
                rules.Add(StricterRule.StrictJson);
            }

            if (part.Trailing)
            {
                rules.Add(StricterRule.TrailingData);
            }
        }

        if (header is { IsObject: true })
        {
            if (header.TopLevel.Any(p => ForbiddenHeaderNames.Contains(p.Name, StringComparer.Ordinal)))
            {
                rules.Add(StricterRule.ForbiddenHeader);
            }

            if (header.TopLevel.Any(p => StringHeaderNames.Contains(p.Name, StringComparer.Ordinal) && p.Value.ValueKind == JsonValueKind.Null))
            {
                rules.Add(StricterRule.NullStringMember);
            }

            var kid = header.TopLevel.LastOrDefault(p => p.Name == "kid").Value;
            if (kid.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(kid.GetString()))
            {
                rules.Add(StricterRule.KeyIdRequired);
            }
            else if (setup.UnusableKeyIds.Contains(kid.GetString()!))
            {
                rules.Add(StricterRule.UnusableJwksKey);
            }
        }

        if (payload is { IsObject: true })
        {
            if (payload.TopLevel.Any(p => p.Name == "azp" && p.Value.ValueKind == JsonValueKind.Null))
            {
                rules.Add(StricterRule.NullStringMember);
            }

            if (payload.TopLevel.Any(p => IsWronglyTyped(p.Name, p.Value)))
            {
                rules.Add(StricterRule.TypedRegisteredClaims);
            }

            if (payload.TopLevel.Any(p => p.Name is "exp" or "nbf" && p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDouble(out var d) && d != Math.Floor(d)))
            {
                rules.Add(StricterRule.FractionalNumericDate);
            }
        }

        return rules;
    }

    /// <summary>The kids of JWKS entries our rules do not use (see <see cref="StricterRule.UnusableJwksKey"/>).</summary>
    public static HashSet<string> UnusableKeyIds(JsonWebKeySet keys)
    {
        var unusable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var jwk in keys.Keys)
        {
            if (string.IsNullOrEmpty(jwk.Kid))
            {
                continue;
            }

            var modulus = string.IsNullOrEmpty(jwk.N) ? [] : Base64UrlEncoder.DecodeBytes(jwk.N).SkipWhile(b => b == 0).ToArray();
            if (jwk.Kty != "RSA" || modulus.Length < 256
                || (!string.IsNullOrEmpty(jwk.Use) && jwk.Use != "sig")
                || (!string.IsNullOrEmpty(jwk.Alg) && jwk.Alg != "RS256"))
            {
                unusable.Add(jwk.Kid);
            }
        }

        return unusable;
    }

    private static bool IsWronglyTyped(string name, JsonElement value)
    {
        switch (name)
        {
            case "exp" or "nbf" or "iat":
                return value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var d) || d < 0 || d > MaxNumericDate;
            case "aud":
                return value.ValueKind switch
                {
                    JsonValueKind.String => false,
                    JsonValueKind.Array => value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String),
                    _ => true,
                };
            case "iss" or "sub" or "jti":
                // RFC 7519: StringOrURI / string. The handler accepts `sub: 42` and `sub: null` (observed); we refuse.
                return value.ValueKind != JsonValueKind.String;
            default:
                return false;
        }
    }

    private static bool IsPadded(string segment) => segment.EndsWith('=');

    private static bool IsBase64UrlText(string segment) =>
        segment.Length % 4 != 1 && segment.All(c => AttackKit.Base64UrlAlphabet.Contains(c, StringComparison.Ordinal));

    private static bool HasUnusedBitsSet(string segment)
    {
        var unused = AttackKit.UnusedBits(segment);
        return unused > 0 && (AttackKit.Value64(segment[^1]) & ((1 << unused) - 1)) != 0;
    }

    /// <summary>
    /// What a lenient scan of one decoded segment shows, for its FIRST JSON value (what the handler reads), or null when it
    /// does not start with a JSON value at all.
    /// </summary>
    private sealed record Json(bool IsObject, bool Duplicates, int Depth, bool Bom, bool InvalidText, bool Trailing, List<(string Name, JsonElement Value)> TopLevel)
    {
        public static Json? Read(byte[]? bytes)
        {
            if (bytes is null)
            {
                return null;
            }

            var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble);
            var body = bom ? bytes[3..] : bytes;
            var duplicates = false;
            var invalidText = false;
            var depth = 0;
            var names = new Stack<HashSet<string>>();
            long consumed;
            try
            {
                var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 100_000 });
                while (true)
                {
                    if (!reader.Read())
                    {
                        return null;
                    }

                    depth = Math.Max(depth, reader.CurrentDepth + (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray ? 1 : 0));
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartObject:
                            names.Push(new HashSet<string>(StringComparer.Ordinal));
                            break;
                        case JsonTokenType.EndObject:
                            names.Pop();
                            break;
                        case JsonTokenType.PropertyName:
                            if (TryText(ref reader) is { } name)
                            {
                                duplicates |= !names.Peek().Add(name);
                            }
                            else
                            {
                                invalidText = true;
                            }

                            break;
                        case JsonTokenType.String:
                            invalidText |= TryText(ref reader) is null;
                            break;
                    }

                    if (reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                    {
                        consumed = reader.BytesConsumed;
                        break;
                    }
                }

                var first = body.AsMemory(0, (int)consumed);
                var trailing = body.AsSpan((int)consumed).IndexOfAnyExcept(" \t\r\n"u8) >= 0;
                var top = new List<(string, JsonElement)>();
                var isObject = false;
                if (!invalidText)
                {
                    using var document = JsonDocument.Parse(first, new JsonDocumentOptions { MaxDepth = 100_000 });
                    isObject = document.RootElement.ValueKind == JsonValueKind.Object;
                    if (isObject)
                    {
                        top.AddRange(document.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.Clone())));
                    }
                }

                return new Json(isObject, duplicates, depth, bom, invalidText, trailing, top);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static string? TryText(ref Utf8JsonReader reader)
        {
            try
            {
                return reader.GetString();
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }
    }
}
