namespace OidcToken.Masking;

/// <summary>
/// Registers secrets with the runner's log masker by writing <c>::add-mask::</c> workflow commands,
/// escaped the way <c>@actions/core</c> escapes command data.
/// </summary>
internal sealed class ActionsMasker
{
    private readonly TextWriter? _output;
    private readonly Lock _gate = new();

    public ActionsMasker(TextWriter? output) => _output = output;

    /// <summary>Writes one mask command for <paramref name="secret"/>.</summary>
    public void Mask(string secret)
    {
        var line = "::add-mask::" + Escape(secret);
        var output = _output ?? Console.Out;
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    internal static string Escape(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
             .Replace("\r", "%0D", StringComparison.Ordinal)
             .Replace("\n", "%0A", StringComparison.Ordinal);
}
