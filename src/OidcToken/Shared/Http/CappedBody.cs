using System.Buffers;

namespace OidcToken.Http;

/// <summary>
/// Reads an HTTP response body up to a cap, into a pooled buffer that is cleared after use (bodies can hold
/// credentials). Shared by the token request and the exchanges.
/// </summary>
internal static class CappedBody
{
    /// <summary>Response bodies are read up to this many bytes everywhere in OidcToken.</summary>
    internal const int DefaultMaxBytes = 64 * 1024;

    /// <summary>Returns at most <paramref name="maxBytes"/> bytes and whether the body was longer.</summary>
    public static async Task<(byte[] Body, bool Truncated)> ReadAsync(HttpContent content, CancellationToken cancellationToken, int maxBytes = DefaultMaxBytes)
    {
        if (content.Headers.ContentLength > maxBytes)
        {
            return ([], true);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
            try
            {
                var total = 0;
                while (total <= maxBytes)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(total, maxBytes + 1 - total), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                }

                return (buffer.AsSpan(0, Math.Min(total, maxBytes)).ToArray(), total > maxBytes);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            }
        }
    }
}
