using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace OidcToken.Claims;

/// <summary>
/// Decodes a JWT's payload into <see cref="GitHubActionsClaims"/> without verifying anything.
/// Rejects what a GitHub token never is: not three base64url segments, over the size cap,
/// payload not a JSON object, duplicate claim names, or numeric-date claims that are not numbers.
/// </summary>
internal static class JwtPayloadReader
{
    /// <summary>Largest token accepted anywhere in OidcToken (GitHub's are about 1–2 KiB).</summary>
    internal const int MaxTokenLength = 16 * 1024;

    // Duplicate claim names are refused by FromJson itself: System.Text.Json's own duplicate check seeds its hashing
    // from RandomNumberGenerator, which loads OpenSSL and costs a NativeAOT process ~4 ms on its first token.
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 16,
    };

    /// <summary>Returns the claims, or null with <paramref name="problem"/> saying why the text is not a usable JWT.</summary>
    public static GitHubActionsClaims? TryRead(string token, out string? problem)
    {
        if (token.Length == 0 || token.Length > MaxTokenLength)
        {
            problem = token.Length == 0 ? "the token is empty" : "the token is longer than 16 KiB";
            return null;
        }

        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second < 0 || second == first + 1 || token.IndexOf('.', second + 1) >= 0 || second == token.Length - 1)
        {
            problem = "the value is not a JWT (three non-empty base64url segments separated by dots)";
            return null;
        }

        var header = token.AsSpan(0, first);
        var payload = token.AsSpan(first + 1, second - first - 1);
        var signature = token.AsSpan(second + 1);
        if (!IsBase64Url(header) || !IsBase64Url(payload) || !IsBase64Url(signature))
        {
            problem = "the value is not a JWT (a segment contains characters outside base64url)";
            return null;
        }

        var rented = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(payload.Length));
        try
        {
            if (Base64Url.DecodeFromChars(payload, rented, out _, out var written) != OperationStatus.Done)
            {
                problem = "the JWT payload is not valid base64url";
                return null;
            }

            using var document = JsonDocument.Parse(rented.AsMemory(0, written), DocumentOptions);
            return FromJson(document.RootElement, out problem);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: System.Text.Json's answer to invalid UTF-16 (lone surrogates) in names or values.
            problem = "the JWT payload is not a valid JSON object (malformed, too deep, with duplicate claim names, or invalid text)";
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Builds claims from a parsed payload object.</summary>
    /// <remarks>
    /// OidcToken.Validation's FastCompactToken builds the same claims for the common flat payload without a JsonDocument:
    /// a change to what is accepted or how a claim is mapped here must be made there too.
    /// </remarks>
    public static GitHubActionsClaims? FromJson(JsonElement root, out string? problem)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "the JWT payload is not a JSON object";
            return null;
        }

        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var audiences = new List<string>();
        DateTimeOffset? exp = null, iat = null, nbf = null;
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                problem = "the JWT payload has the claim '" + property.Name + "' more than once";
                return null;
            }

            switch (property.Name)
            {
                case "exp" or "iat" or "nbf":
                    if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var seconds)
                        || double.IsNaN(seconds) || seconds < 0 || seconds > 253402300799)
                    {
                        problem = "the '" + property.Name + "' claim is not a number of seconds";
                        return null;
                    }

                    // Fractions round towards the stricter side: exp down, nbf (and iat) up, so a token is never
                    // valid even a fraction of a second outside what it says.
                    var whole = property.Name == "exp" ? Math.Floor(seconds) : Math.Ceiling(seconds);
                    if (whole > 253402300799)
                    {
                        problem = "the '" + property.Name + "' claim is not a number of seconds";
                        return null;
                    }

                    var instant = DateTimeOffset.FromUnixTimeSeconds((long)whole);
                    _ = property.Name switch
                    {
                        "exp" => exp = instant,
                        "iat" => iat = instant,
                        _ => nbf = instant,
                    };
                    break;
                case "aud":
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        audiences.Add(property.Value.GetString()!);
                    }
                    else if (property.Value.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var item in property.Value.EnumerateArray())
                        {
                            if (item.ValueKind != JsonValueKind.String)
                            {
                                problem = "the 'aud' claim contains a value that is not a string";
                                return null;
                            }

                            audiences.Add(item.GetString()!);
                        }
                    }
                    else
                    {
                        problem = "the 'aud' claim is neither a string nor a list of strings";
                        return null;
                    }

                    break;
                case "iss" or "sub" or "jti" or "azp" when property.Value.ValueKind != JsonValueKind.String:
                    problem = "the '" + property.Name + "' claim is not a string";
                    return null;
                default:
                    switch (property.Value.ValueKind)
                    {
                        case JsonValueKind.String:
                            strings[property.Name] = property.Value.GetString()!;
                            break;
                        case JsonValueKind.True:
                            strings[property.Name] = "true";
                            break;
                        case JsonValueKind.False:
                            strings[property.Name] = "false";
                            break;
                        default:
                            // Numbers, objects and arrays are not claims GitHub sends; they are kept out of the typed view.
                            break;
                    }

                    break;
            }
        }

        problem = null;
        string? Take(string name) => strings.Remove(name, out var value) ? value : null;
        return new GitHubActionsClaims
        {
            Issuer = Take("iss"),
            Subject = Take("sub"),
            Audience = audiences.Count > 0 ? audiences[0] : null,
            Audiences = audiences,
            ExpiresAt = exp,
            IssuedAt = iat,
            NotBefore = nbf,
            JwtId = Take("jti"),
            Actor = Take("actor"),
            ActorId = Take("actor_id"),
            BaseRef = Take("base_ref"),
            CheckRunId = Take("check_run_id"),
            Enterprise = Take("enterprise"),
            EnterpriseId = Take("enterprise_id"),
            Environment = Take("environment"),
            EnvironmentNodeId = Take("environment_node_id"),
            EventName = Take("event_name"),
            HeadRef = Take("head_ref"),
            IssuerScope = Take("issuer_scope"),
            JobWorkflowRef = Take("job_workflow_ref"),
            JobWorkflowSha = Take("job_workflow_sha"),
            Ref = Take("ref"),
            RefProtectedValue = Take("ref_protected"),
            RefType = Take("ref_type"),
            Repository = Take("repository"),
            RepositoryId = Take("repository_id"),
            RepositoryOwner = Take("repository_owner"),
            RepositoryOwnerId = Take("repository_owner_id"),
            RepositoryVisibility = Take("repository_visibility"),
            RunAttempt = Take("run_attempt"),
            RunId = Take("run_id"),
            RunNumber = Take("run_number"),
            RunnerEnvironment = Take("runner_environment"),
            Sha = Take("sha"),
            Workflow = Take("workflow"),
            WorkflowRef = Take("workflow_ref"),
            WorkflowSha = Take("workflow_sha"),
            AdditionalClaims = strings,
        };
    }

    private static bool IsBase64Url(ReadOnlySpan<char> segment)
    {
        foreach (var c in segment)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
