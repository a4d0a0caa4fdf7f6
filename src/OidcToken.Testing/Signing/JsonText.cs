using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OidcToken.Testing;

/// <summary>Writes compact JSON the way GitHub's services do: <c>'</c> and non-ASCII text stay literal.</summary>
internal static class JsonText
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string WriteString(Action<Utf8JsonWriter> write) => System.Text.Encoding.UTF8.GetString(Write(write));
}
