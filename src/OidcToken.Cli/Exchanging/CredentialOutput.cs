using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OidcToken.Cli.Exchanging;

/// <summary>One variable an exchange hands to the workflow, e.g. <c>AWS_SESSION_TOKEN</c>.</summary>
internal sealed class OutputVariable
{
    /// <summary>Creates a variable.</summary>
    /// <param name="name">The fixed variable name (letters, digits and <c>_</c>).</param>
    /// <param name="value">The value, exactly as it must reach the consumer.</param>
    /// <param name="secret">True when the value is a credential: it is masked in the log before any output.</param>
    internal OutputVariable(string name, string value, bool secret)
    {
        Name = name;
        Value = value;
        Secret = secret;
    }

    /// <summary>The variable's name.</summary>
    internal string Name { get; }

    /// <summary>The value. When <see cref="Secret"/>, never log it.</summary>
    internal string Value { get; }

    /// <summary>True when the value is a credential.</summary>
    internal bool Secret { get; }

    /// <summary>The name only; the value may be a secret.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => Secret ? Name + "=[redacted]" : Name + "=" + Value;
}

/// <summary>
/// The output formats of <c>oidc-token exchange</c> and the log masking that precedes them. No value can
/// inject anything: <c>env</c> quotes every value in single quotes (a <c>'</c> becomes <c>'\''</c>, nothing else is
/// special inside them), <c>json</c> is written by <see cref="Utf8JsonWriter"/>, and <c>github-env</c> uses the runner's
/// heredoc form with a random delimiter that the value is checked not to contain.
/// </summary>
internal static class CredentialOutput
{
    /// <summary>The values <c>--format</c> accepts.</summary>
    internal static readonly string[] Formats = ["env", "json", "github-env", "github-output"];

    /// <summary>
    /// <c>export NAME='value'</c> lines for POSIX shells (<c>eval "$(oidc-token exchange …)"</c>). Inside single quotes a
    /// shell expands nothing (<c>$</c>, backquotes, <c>\</c> and newlines are literal), so the only character to handle is
    /// the quote itself, which ends the quoted string, is given escaped, and starts a new one: <c>'\''</c>.
    /// </summary>
    internal static string Env(IEnumerable<OutputVariable> variables)
    {
        var text = new StringBuilder();
        foreach (var variable in variables)
        {
            text.Append("export ").Append(variable.Name).Append("='")
                .Append(variable.Value.Replace("'", "'\\''", StringComparison.Ordinal))
                .Append("'\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// One JSON object: <c>{"target":…,"variables":{NAME:value,…}, …facts}</c>, followed by a newline.
    /// </summary>
    internal static string Json(string target, IEnumerable<OutputVariable> variables, Action<Utf8JsonWriter>? facts)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("target", target);
            json.WriteStartObject("variables");
            foreach (var variable in variables)
            {
                json.WriteString(variable.Name, variable.Value);
            }

            json.WriteEndObject();
            facts?.Invoke(json);
            json.WriteEndObject();
        }

        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
        CryptographicOperations.ZeroMemory(buffer.GetBuffer());
        return text;
    }

    /// <summary>
    /// The text appended to <c>$GITHUB_ENV</c>: for each variable <c>NAME&lt;&lt;ghadelimiter_&lt;hex&gt;</c>, the value, and
    /// the delimiter, each on its own line. The runner reads the value up to a line that is exactly the delimiter, so a
    /// fresh random delimiter per variable, checked not to occur in the value, means no value can end early or set
    /// another variable.
    /// </summary>
    /// <param name="variables">The variables.</param>
    /// <param name="newDelimiter">Makes a delimiter; tests pass a fixed sequence. Null: 128 random bits in hex.</param>
    /// <exception cref="InvalidOperationException">No delimiter absent from a value was found in 10 tries.</exception>
    internal static string GitHubEnv(IEnumerable<OutputVariable> variables, Func<string>? newDelimiter = null)
    {
        newDelimiter ??= NewDelimiter;
        var text = new StringBuilder();
        foreach (var variable in variables)
        {
            var delimiter = newDelimiter();
            for (var tries = 1; variable.Value.Contains(delimiter, StringComparison.Ordinal) || variable.Name.Contains(delimiter, StringComparison.Ordinal); tries++)
            {
                if (tries == 10)
                {
                    throw new InvalidOperationException($"No heredoc delimiter absent from the value of {variable.Name} was found.");
                }

                delimiter = newDelimiter();
            }

            text.Append(variable.Name).Append("<<").Append(delimiter).Append('\n')
                .Append(variable.Value).Append('\n')
                .Append(delimiter).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// The text appended to <c>$GITHUB_OUTPUT</c>: each variable under its output name (<see cref="OutputName"/>) and each
    /// step output, in the same injection-safe heredoc form as <see cref="GitHubEnv"/>. A step output named like a variable's
    /// output (<c>azure-client-id</c> for <c>AZURE_CLIENT_ID</c>) is the same fact and is written once.
    /// </summary>
    internal static string GitHubOutput(IEnumerable<OutputVariable> variables, IEnumerable<StepOutput> outputs, Func<string>? newDelimiter = null) =>
        GitHubEnv(
            variables.Select(v => new OutputVariable(OutputName(v.Name), v.Value, v.Secret))
                .Concat(outputs.Select(o => new OutputVariable(o.Name, o.Value, secret: false)))
                .DistinctBy(v => v.Name, StringComparer.Ordinal),
            newDelimiter);

    /// <summary>A variable's step-output name, as the official actions spell theirs: <c>AWS_SESSION_TOKEN</c> → <c>aws-session-token</c>.</summary>
    internal static string OutputName(string variable) => variable.ToLowerInvariant().Replace('_', '-');

    /// <summary>A delimiter in the runner's own style: <c>ghadelimiter_</c> and 32 random hex digits.</summary>
    internal static string NewDelimiter() => "ghadelimiter_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The values to register with the runner's masker for <paramref name="secret"/>: the whole value and, when it spans
    /// several lines, each line too (the runner masks log output line by line).
    /// </summary>
    internal static IEnumerable<string> MaskValues(string secret)
    {
        if (secret.Length == 0)
        {
            yield break;
        }

        yield return secret;
        if (secret.Contains('\n', StringComparison.Ordinal) || secret.Contains('\r', StringComparison.Ordinal))
        {
            foreach (var line in secret.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                yield return line;
            }
        }
    }

    /// <summary>
    /// Writes <c>::add-mask::</c> commands for every secret value to <paramref name="error"/> (stderr), escaped like the
    /// library's masker and <c>@actions/core</c> (<c>%</c>, CR and LF), so the runner hides them before they can appear
    /// anywhere.
    /// </summary>
    internal static void Mask(TextWriter error, IEnumerable<string> secrets)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            foreach (var value in MaskValues(secret))
            {
                if (seen.Add(value))
                {
                    error.WriteLine(MaskCommand(value));
                }
            }
        }

        error.Flush();
    }

    /// <summary>One <c>::add-mask::</c> command, its data escaped as workflow commands require.</summary>
    internal static string MaskCommand(string value) => "::add-mask::" + Masking.ActionsMasker.Escape(value);
}
