using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;

namespace OidcToken.Validation.Tests.KeySources;

/// <summary>Rewrites a token's header <c>kid</c> (the signature then no longer matters: the key lookup fails first).</summary>
internal static class AttackFreeForgery
{
    public static string WithKeyId(string token, string keyId)
    {
        var parts = token.Split('.');
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject();
        header["kid"] = keyId;
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + parts[1] + "." + parts[2];
    }
}
