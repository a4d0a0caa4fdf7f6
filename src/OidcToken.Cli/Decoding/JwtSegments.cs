using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace OidcToken.Cli.Decoding;

/// <summary>
/// The header and payload of a compact JWT, decoded without verifying anything. The signature segment is never kept,
/// so nothing built from this can print it.
/// </summary>
internal sealed class JwtSegments : IDisposable
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 32,
        AllowDuplicateProperties = false,
    };

    private JwtSegments(JsonDocument header, JsonDocument payload)
    {
        Header = header;
        Payload = payload;
    }

    /// <summary>The JOSE header, a JSON object.</summary>
    internal JsonDocument Header { get; }

    /// <summary>The claims, a JSON object.</summary>
    internal JsonDocument Payload { get; }

    /// <summary>Decodes <paramref name="token"/>, or returns null with <paramref name="problem"/> saying why it cannot.</summary>
    internal static JwtSegments? TryDecode(string token, out string? problem)
    {
        var parts = token.Split('.');
        if (parts.Length == 5)
        {
            problem = "the value is an encrypted token (JWE, five segments), which cannot be read without the recipient's key; GitHub ID tokens are signed JWTs with three segments";
            return null;
        }

        if (parts.Length != 3)
        {
            problem = $"the value is not a JWT: expected three base64url segments separated by dots, found {parts.Length}";
            return null;
        }

        // The signature segment may be empty (an unsigned token can still be shown); header and payload may not.
        var header = Parse(parts[0], "header (first segment)", out problem);
        if (header is null)
        {
            return null;
        }

        var payload = Parse(parts[1], "payload (second segment)", out problem);
        if (payload is null)
        {
            header.Dispose();
            return null;
        }

        return new JwtSegments(header, payload);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Header.Dispose();
        Payload.Dispose();
    }

    private static JsonDocument? Parse(string segment, string name, out string? problem)
    {
        if (segment.Length == 0)
        {
            problem = $"the value is not a JWT: the {name} is empty";
            return null;
        }

        // A plain array, not a pooled one: the document keeps reading the bytes it was parsed from.
        var bytes = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        if (Base64Url.DecodeFromChars(segment, bytes, out _, out var written) != OperationStatus.Done)
        {
            problem = $"the value is not a JWT: the {name} is not valid base64url";
            return null;
        }

        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(0, written), DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                problem = $"the value is not a JWT: the {name} is not a JSON object";
                return null;
            }

            OidcToken.Claims.JsonText.ThrowIfInvalid(document.RootElement);
            problem = null;
            return document;
        }
        catch (JsonException)
        {
            problem = $"the value is not a JWT: the {name} is not valid JSON (malformed, nested too deeply, or with duplicate member names)";
            return null;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800") in a name or a string: JsonDocument accepts it, printing it would throw this.
            document?.Dispose();
            problem = $"the value is not a JWT: the {name} holds text that is not valid UTF-16 (a lone surrogate escape)";
            return null;
        }
    }
}
