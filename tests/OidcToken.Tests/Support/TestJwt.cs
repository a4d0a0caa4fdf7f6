using System.Buffers.Text;
using System.Text;

namespace OidcToken.Tests.Support;

/// <summary>Builds unsigned JWT-shaped strings for parser tests (the signature segment is arbitrary).</summary>
internal static class TestJwt
{
    public static string Create(string payloadJson, string headerJson = """{"alg":"RS256","typ":"JWT","kid":"k1"}""") =>
        Encode(headerJson) + "." + Encode(payloadJson) + "." + Encode("signature-bytes-here");

    public static string Encode(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
