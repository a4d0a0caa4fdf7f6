using System.Net.Http.Headers;
using System.Text.Json;

namespace OidcToken.Exchange.Common;

/// <summary>Writes a JSON object request body with <see cref="Utf8JsonWriter"/> (AOT-safe).</summary>
internal static class JsonBody
{
    public static ByteArrayContent Create(Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
