using System.Globalization;

namespace OidcToken.Text;

/// <summary>How every OidcToken message writes a duration: seconds with one decimal, "2.5 s".</summary>
internal static class Durations
{
    public static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
