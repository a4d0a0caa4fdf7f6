using System.Text;
using System.Text.Json;

namespace OidcToken.Exchange.Common;

/// <summary>A target's answer, body capped at 64 KiB.</summary>
internal sealed class ExchangeResponse(int statusCode, byte[] body, bool truncated, string? requestId, TimeSpan? retryAfter, string? mediaType)
{
    public int StatusCode { get; } = statusCode;

    public byte[] Body { get; } = body;

    /// <summary>The body was longer than 64 KiB; <see cref="Body"/> holds only its start.</summary>
    public bool Truncated { get; } = truncated;

    public string? RequestId { get; } = requestId;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public string? MediaType { get; } = mediaType;

    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    /// <summary>The body as a JSON document, or null when it is not JSON (or was truncated).</summary>
    public JsonDocument? TryParseJson()
    {
        if (Truncated || Body.Length == 0)
        {
            return null;
        }

        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(Body, new JsonDocumentOptions { MaxDepth = 32 });
            OidcToken.Claims.JsonText.ThrowIfInvalid(document.RootElement);
            return document;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800") in a name or a string: JsonDocument accepts it, and every later
            // TryGetProperty or GetString would throw this. Such a document is not JSON any target sends.
            document?.Dispose();
            return null;
        }
    }

    /// <summary>The body as text (invalid UTF-8 replaced), for showing after scrubbing.</summary>
    public string BodyText() => Encoding.UTF8.GetString(Body);
}
