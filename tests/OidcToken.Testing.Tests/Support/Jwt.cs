using System.Buffers.Text;
using System.Text.Json;

namespace OidcToken.Testing.Tests.Support;

/// <summary>Reads the parts of a compact JWT without verifying it.</summary>
internal static class Jwt
{
    public static JsonElement Header(string token) => Part(token, 0);

    public static JsonElement Payload(string token) => Part(token, 1);

    public static IReadOnlyList<(string Name, JsonValueKind Kind)> Shape(JsonElement element) =>
        element.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind)).ToList();

    private static JsonElement Part(string token, int index)
    {
        var parts = token.Trim().Split('.');
        Assert.True(parts.Length == 3, "A compact JWS has three parts.");
        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[index]));
        return document.RootElement.Clone();
    }
}
