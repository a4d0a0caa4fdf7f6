using System.Text.Json;

namespace OidcToken.Claims;

/// <summary>
/// Checks that a parsed JSON document holds only valid text. <see cref="JsonDocument"/> accepts an escaped lone
/// surrogate (<c>"\ud800"</c>) in a name or a string; reading it later throws <see cref="InvalidOperationException"/>.
/// Calling this once right after parsing makes that surface in one place, where the caller reports unusable input.
/// </summary>
internal static class JsonText
{
    /// <summary>Reads every property name and string once.</summary>
    /// <exception cref="InvalidOperationException">A name or a string is not valid UTF-16.</exception>
    public static void ThrowIfInvalid(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    ThrowIfInvalid(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    ThrowIfInvalid(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }
}
