using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace OidcToken.Validation;

/// <summary>
/// The validator's fast path for the common token, shaped like GitHub's: a flat header, and a flat payload whose
/// members are all JSON strings except <c>exp</c>/<c>iat</c>/<c>nbf</c> (whole seconds) and <c>aud</c> (a string or a
/// list of strings), read with one <see cref="Utf8JsonReader"/> pass each over pooled
/// bytes straight into <see cref="GitHubActionsClaims"/> (no <see cref="JsonDocument"/>, no intermediate dictionary).
/// </summary>
/// <remarks>
/// It only ever answers "accepted, with these claims" or "not sure": whatever it does not fully recognise (any syntax or
/// size problem, non-canonical base64url, an escaped member name or header string, a nested object or array, a
/// duplicate member name, a forbidden header, an <c>alg</c> other than RS256, a missing <c>kid</c>, invalid text, a
/// numeric date that is not a whole number of seconds in range, a claim of another JSON type...) makes it return false, and the caller runs the strict
/// <see cref="CompactToken.Parse"/> + <c>JwtPayloadReader.FromJson</c>, which decide and word the failure. So the
/// failures, their order and their messages are exactly those of the strict path; an accepted token yields the same
/// claims the strict path would build (same values, same <c>AdditionalClaims</c>).
/// </remarks>
internal static class FastCompactToken
{
    private const int MaxNameLength = 64;
    private const int MaxHeaderMembers = 16;

    // The string claims JwtPayloadReader.FromJson maps to properties (its Take list), then aud, exp, iat, nbf.
    private const int Iss = 0, Sub = 1, Jti = 2, Actor = 3, ActorId = 4, BaseRef = 5, CheckRunId = 6, Enterprise = 7,
        EnterpriseId = 8, Environment = 9, EnvironmentNodeId = 10, EventName = 11, HeadRef = 12, IssuerScope = 13,
        JobWorkflowRef = 14, JobWorkflowSha = 15, Ref = 16, RefProtected = 17, RefType = 18, Repository = 19,
        RepositoryId = 20, RepositoryOwner = 21, RepositoryOwnerId = 22, RepositoryVisibility = 23, RunAttempt = 24,
        RunId = 25, RunNumber = 26, RunnerEnvironment = 27, Sha = 28, Workflow = 29, WorkflowRef = 30, WorkflowSha = 31,
        StringClaims = 32, Aud = 32, Exp = 33, Iat = 34, Nbf = 35;

    /// <summary>The base64url alphabet.</summary>
    internal static readonly SearchValues<char> Base64UrlChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    [InlineArray(StringClaims)]
    private struct StringClaimValues
    {
        private string? _element;
    }

    /// <summary>
    /// True with the <c>kid</c>, the claims and the end of the signing input when the token is of the common, clean
    /// shape; false when the strict path must decide (see the remarks of the class).
    /// </summary>
    /// <param name="token">The compact token.</param>
    /// <param name="maxLength">The longest token accepted.</param>
    /// <param name="ascii">
    /// At least <c>min(token.Length, maxLength)</c> bytes. On success it holds the signing input (the token up to
    /// <paramref name="secondDot"/>) as ASCII bytes, ready for the signature check: the token is transcoded once, and
    /// the header and payload are decoded from those bytes (the byte decoder is vectorized, the char one much less so).
    /// </param>
    /// <param name="keyId">The header's <c>kid</c>.</param>
    /// <param name="claims">The payload's claims.</param>
    /// <param name="secondDot">The index of the second dot: the length of the signing input.</param>
    public static bool TryParse(string token, int maxLength, byte[] ascii, out string keyId, out GitHubActionsClaims claims, out int secondDot)
    {
        keyId = null!;
        claims = null!;
        secondDot = -1;
        if (token.Length > maxLength)
        {
            return false;
        }

        var first = token.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0)
        {
            return false;
        }

        var second = token.IndexOf('.', first + 1);
        if (second < 0 || second == first + 1 || second == token.Length - 1 || token.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        var header = token.AsSpan(0, first);
        var payload = token.AsSpan(first + 1, second - first - 1);
        if (!IsCanonical(header) || !IsCanonical(payload) || !IsCanonical(token.AsSpan(second + 1)))
        {
            return false;
        }

        // Every character of the signing input is now known to be ASCII (base64url or the dot): one transcode, exact.
        if (Encoding.ASCII.GetBytes(token.AsSpan(0, second), ascii) != second)
        {
            return false;
        }

        var rented = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(header.Length) + Base64Url.GetMaxDecodedLength(payload.Length));
        try
        {
            if (Base64Url.DecodeFromUtf8(ascii.AsSpan(0, first), rented, out _, out var headerLength) != OperationStatus.Done)
            {
                return false;
            }

            var payloadBytes = rented.AsSpan(headerLength);
            if (Base64Url.DecodeFromUtf8(ascii.AsSpan(first + 1, second - first - 1), payloadBytes, out _, out var payloadLength) != OperationStatus.Done
                || !TryReadHeader(rented.AsSpan(0, headerLength), out keyId)
                || !TryReadPayload(payloadBytes[..payloadLength], out claims))
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString on invalid UTF-8 or an escaped lone surrogate.
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        secondDot = second;
        return true;
    }

    /// <summary>Non-empty, only base64url characters, a possible length, and no unused bits set in the last character.</summary>
    private static bool IsCanonical(ReadOnlySpan<char> segment)
    {
        if (segment.Length == 0 || segment.IndexOfAnyExcept(Base64UrlChars) >= 0)
        {
            return false;
        }

        var rest = segment.Length % 4;
        if (rest == 0)
        {
            return true;
        }

        if (rest == 1)
        {
            return false;
        }

        var c = segment[^1];
        var value = c switch
        {
            >= 'A' and <= 'Z' => c - 'A',
            >= 'a' and <= 'z' => c - 'a' + 26,
            >= '0' and <= '9' => c - '0' + 52,
            '-' => 62,
            _ => 63,
        };
        return (value & (rest == 2 ? 0b1111 : 0b11)) == 0;
    }

    /// <summary>A flat object without duplicate names or escapes, alg exactly RS256, a non-empty kid, no crit/jwk/jku/x5u/x5c.</summary>
    private static bool TryReadHeader(ReadOnlySpan<byte> json, out string keyId)
    {
        keyId = null!;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        Span<int> nameStarts = stackalloc int[MaxHeaderMembers];
        Span<int> nameLengths = stackalloc int[MaxHeaderMembers];
        var count = 0;
        var algorithmOk = false;
        string? kid = null;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            if (reader.ValueIsEscaped || count == MaxHeaderMembers)
            {
                return false;
            }

            var name = reader.ValueSpan;
            if (!json.Overlaps(name, out var nameStart))
            {
                return false;
            }

            for (var i = 0; i < count; i++)
            {
                if (json.Slice(nameStarts[i], nameLengths[i]).SequenceEqual(name))
                {
                    return false;
                }
            }

            nameStarts[count] = nameStart;
            nameLengths[count] = name.Length;
            count++;
            if (!Utf8.IsValid(name) || !reader.Read())
            {
                return false;
            }

            var type = reader.TokenType;
            if (type is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                return false;
            }

            if (type == JsonTokenType.String && (reader.ValueIsEscaped || !Utf8.IsValid(reader.ValueSpan)))
            {
                return false;
            }

            if (name.SequenceEqual("alg"u8))
            {
                if (type != JsonTokenType.String || !reader.ValueSpan.SequenceEqual("RS256"u8))
                {
                    return false;
                }

                algorithmOk = true;
            }
            else if (name.SequenceEqual("kid"u8))
            {
                if (type != JsonTokenType.String || reader.ValueSpan.Length == 0)
                {
                    return false;
                }

                kid = reader.GetString();
            }
            else if (name.SequenceEqual("crit"u8) || name.SequenceEqual("jwk"u8) || name.SequenceEqual("jku"u8)
                || name.SequenceEqual("x5u"u8) || name.SequenceEqual("x5c"u8))
            {
                return false;
            }
            else if (type != JsonTokenType.String
                && (name.SequenceEqual("typ"u8) || name.SequenceEqual("cty"u8) || name.SequenceEqual("x5t"u8) || name.SequenceEqual("zip"u8)))
            {
                // Refused by the strict parser, which words the failure.
                return false;
            }
        }

        // Nothing may follow the object but whitespace (Read throws on anything else).
        if (reader.Read() || !algorithmOk || kid is null)
        {
            return false;
        }

        keyId = kid;
        return true;
    }

    private static bool TryReadPayload(ReadOnlySpan<byte> json, out GitHubActionsClaims claims)
    {
        claims = null!;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var values = default(StringClaimValues);
        var seen = 0UL;
        List<string>? audiences = null;
        DateTimeOffset? exp = null, iat = null, nbf = null;
        var additional = new Dictionary<string, string>(StringComparer.Ordinal);
        HashSet<string>? otherNames = null;
        Span<char> nameBuffer = stackalloc char[MaxNameLength];
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            if (reader.ValueIsEscaped || reader.ValueSpan.Length > MaxNameLength
                || Utf8.ToUtf16(reader.ValueSpan, nameBuffer, out _, out var nameLength, replaceInvalidSequences: false) != OperationStatus.Done)
            {
                return false;
            }

            var name = nameBuffer[..nameLength];
            var index = IndexOf(name);
            string? otherName = null;
            if (index >= 0)
            {
                var bit = 1UL << index;
                if ((seen & bit) != 0)
                {
                    return false;
                }

                seen |= bit;
            }
            else
            {
                otherName = new string(name);
                if (!(otherNames ??= new HashSet<string>(StringComparer.Ordinal)).Add(otherName))
                {
                    return false;
                }
            }

            if (!reader.Read())
            {
                return false;
            }

            var type = reader.TokenType;
            switch (index)
            {
                case Exp or Iat or Nbf:
                    // Whole seconds only (GitHub's); fractions, exponents and anything out of range are the strict
                    // path's to judge and round.
                    if (type != JsonTokenType.Number || !reader.TryGetInt64(out var seconds) || seconds < 0 || seconds > 253402300799)
                    {
                        return false;
                    }

                    var instant = DateTimeOffset.FromUnixTimeSeconds(seconds);
                    _ = index switch
                    {
                        Exp => exp = instant,
                        Iat => iat = instant,
                        _ => nbf = instant,
                    };
                    break;
                case Aud:
                    if (type == JsonTokenType.String)
                    {
                        audiences = [reader.GetString()!];
                    }
                    else if (type == JsonTokenType.StartArray)
                    {
                        audiences = [];
                        while (reader.Read() && reader.TokenType == JsonTokenType.String)
                        {
                            audiences.Add(reader.GetString()!);
                        }

                        if (reader.TokenType != JsonTokenType.EndArray)
                        {
                            return false;
                        }
                    }
                    else
                    {
                        return false;
                    }

                    break;
                default:
                    // GitHub sends every other claim as a JSON string. Any other type (Boolean, number, null, object,
                    // array) is the strict path's to map or refuse.
                    if (type != JsonTokenType.String)
                    {
                        return false;
                    }

                    var value = reader.GetString()!;
                    if (otherName is not null)
                    {
                        additional[otherName] = value;
                    }
                    else
                    {
                        values[index] = value;
                    }

                    break;
            }
        }

        if (reader.Read())
        {
            return false;
        }

        audiences ??= [];
        claims = new GitHubActionsClaims
        {
            Issuer = values[Iss],
            Subject = values[Sub],
            Audience = audiences.Count > 0 ? audiences[0] : null,
            Audiences = audiences,
            ExpiresAt = exp,
            IssuedAt = iat,
            NotBefore = nbf,
            JwtId = values[Jti],
            Actor = values[Actor],
            ActorId = values[ActorId],
            BaseRef = values[BaseRef],
            CheckRunId = values[CheckRunId],
            Enterprise = values[Enterprise],
            EnterpriseId = values[EnterpriseId],
            Environment = values[Environment],
            EnvironmentNodeId = values[EnvironmentNodeId],
            EventName = values[EventName],
            HeadRef = values[HeadRef],
            IssuerScope = values[IssuerScope],
            JobWorkflowRef = values[JobWorkflowRef],
            JobWorkflowSha = values[JobWorkflowSha],
            Ref = values[Ref],
            RefProtectedValue = values[RefProtected],
            RefType = values[RefType],
            Repository = values[Repository],
            RepositoryId = values[RepositoryId],
            RepositoryOwner = values[RepositoryOwner],
            RepositoryOwnerId = values[RepositoryOwnerId],
            RepositoryVisibility = values[RepositoryVisibility],
            RunAttempt = values[RunAttempt],
            RunId = values[RunId],
            RunNumber = values[RunNumber],
            RunnerEnvironment = values[RunnerEnvironment],
            Sha = values[Sha],
            Workflow = values[Workflow],
            WorkflowRef = values[WorkflowRef],
            WorkflowSha = values[WorkflowSha],
            AdditionalClaims = additional,
        };
        return true;
    }

    private static int IndexOf(ReadOnlySpan<char> name) => name switch
    {
        "iss" => Iss,
        "sub" => Sub,
        "jti" => Jti,
        "actor" => Actor,
        "actor_id" => ActorId,
        "base_ref" => BaseRef,
        "check_run_id" => CheckRunId,
        "enterprise" => Enterprise,
        "enterprise_id" => EnterpriseId,
        "environment" => Environment,
        "environment_node_id" => EnvironmentNodeId,
        "event_name" => EventName,
        "head_ref" => HeadRef,
        "issuer_scope" => IssuerScope,
        "job_workflow_ref" => JobWorkflowRef,
        "job_workflow_sha" => JobWorkflowSha,
        "ref" => Ref,
        "ref_protected" => RefProtected,
        "ref_type" => RefType,
        "repository" => Repository,
        "repository_id" => RepositoryId,
        "repository_owner" => RepositoryOwner,
        "repository_owner_id" => RepositoryOwnerId,
        "repository_visibility" => RepositoryVisibility,
        "run_attempt" => RunAttempt,
        "run_id" => RunId,
        "run_number" => RunNumber,
        "runner_environment" => RunnerEnvironment,
        "sha" => Sha,
        "workflow" => Workflow,
        "workflow_ref" => WorkflowRef,
        "workflow_sha" => WorkflowSha,
        "aud" => Aud,
        "exp" => Exp,
        "iat" => Iat,
        "nbf" => Nbf,
        _ => -1,
    };
}
