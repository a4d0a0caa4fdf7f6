using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Core.Pipeline;
using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// A mock runner for <c>exchange</c> and <c>cleanup</c>: <see cref="MockGitHubOidcIssuer"/> as the token endpoint, a
/// private RUNNER_TEMP folder and a GITHUB_ENV file, and the CLI run in process with that environment.
/// </summary>
internal sealed partial class ExchangeHarness : IDisposable
{
    private readonly string _root;

    public ExchangeHarness(string? runnerTempName = null)
    {
        Issuer = MockGitHubOidcIssuer.Start();
        _root = Directory.CreateTempSubdirectory("oidc-token-cli-").FullName;
        RunnerTemp = Path.Combine(_root, runnerTempName ?? "runner-temp");
        Directory.CreateDirectory(RunnerTemp);
        GitHubEnvFile = Path.Combine(_root, "github-env");
        File.WriteAllText(GitHubEnvFile, string.Empty);
    }

    public MockGitHubOidcIssuer Issuer { get; }

    /// <summary>The job's RUNNER_TEMP (where gcp's file and the state file go).</summary>
    public string RunnerTemp { get; }

    /// <summary>The file GITHUB_ENV names.</summary>
    public string GitHubEnvFile { get; }

    /// <summary>The cleanup state file's path.</summary>
    public string StateFile => Path.Combine(RunnerTemp, CleanupState.FileName);

    /// <summary>What was appended to GITHUB_ENV.</summary>
    public string GitHubEnvText => File.ReadAllText(GitHubEnvFile);

    /// <summary>
    /// The runner's environment plus RUNNER_TEMP and GITHUB_ENV; GITHUB_ACTIONS is removed unless <paramref name="actions"/>
    /// (so stderr carries no mask commands).
    /// </summary>
    public CliContext Context(bool actions = false, string? stdin = null, HttpPipelineTransport? azure = null, params (string Name, string? Value)[] changes)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in Issuer.GetEnvironment())
        {
            variables[name] = value;
        }

        variables["RUNNER_TEMP"] = RunnerTemp;
        variables["GITHUB_ENV"] = GitHubEnvFile;
        variables["GITHUB_ACTIONS"] = actions ? "true" : null;
        foreach (var (name, value) in changes)
        {
            variables[name] = value;
        }

        return new CliContext(
            name => variables.TryGetValue(name, out var value) ? value : null,
            stdin is null ? null : () => new StringReader(stdin))
        {
            AzureTransport = azure,
        };
    }

    public Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(Context(), args);

    public void Dispose()
    {
        Issuer.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Reads <c>export NAME='value'</c> output back exactly as a POSIX shell would (single quotes, <c>'\''</c>).</summary>
    public static IReadOnlyList<(string Name, string Value)> ParseEnv(string output)
    {
        var variables = new List<(string Name, string Value)>();
        var position = 0;
        while (position < output.Length)
        {
            var match = ExportLine().Match(output, position);
            Assert.True(match.Success && match.Index == position, "not an export line at offset " + position);
            variables.Add((match.Groups["name"].Value, match.Groups["value"].Value.Replace("'\\''", "'", StringComparison.Ordinal)));
            position += match.Length;
        }

        return variables;
    }

    /// <summary>Reads GITHUB_ENV text exactly as the runner does (NAME=value lines and NAME&lt;&lt;DELIMITER heredocs).</summary>
    public static IReadOnlyList<(string Name, string Value)> ParseGitHubEnv(string text)
    {
        var variables = new List<(string Name, string Value)>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            var heredoc = line.IndexOf("<<", StringComparison.Ordinal);
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (heredoc > 0 && (equals < 0 || heredoc < equals))
            {
                var name = line[..heredoc];
                var delimiter = line[(heredoc + 2)..];
                var value = new List<string>();
                i++;
                while (i < lines.Length && lines[i] != delimiter)
                {
                    value.Add(lines[i]);
                    i++;
                }

                Assert.True(i < lines.Length, "heredoc for " + name + " is not terminated");
                variables.Add((name, string.Join('\n', value)));
            }
            else
            {
                Assert.True(equals > 0, "invalid GITHUB_ENV line: " + line);
                variables.Add((line[..equals], line[(equals + 1)..]));
            }
        }

        return variables;
    }

    /// <summary>The <c>variables</c> object of <c>--format json</c> output.</summary>
    public static Dictionary<string, string> JsonVariables(string output, out JsonElement root)
    {
        using var document = JsonDocument.Parse(output);
        root = document.RootElement.Clone();
        return root.GetProperty("variables").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    /// <summary>Asserts that no 16-character piece of any secret appears in <paramref name="text"/> outside mask commands.</summary>
    public static void AssertNoSecret(string text, params string?[] secrets)
    {
        var visible = string.Join('\n', text.Split('\n').Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal)));
        foreach (var secret in secrets.OfType<string>())
        {
            Assert.DoesNotContain(secret, visible, StringComparison.Ordinal);
            for (var i = 0; i + 16 <= secret.Length; i += 4)
            {
                var piece = secret.Substring(i, 16);
                if (!piece.StartsWith("eyJ", StringComparison.Ordinal) && !piece.Contains('.', StringComparison.Ordinal))
                {
                    Assert.False(visible.Contains(piece, StringComparison.Ordinal), $"a piece of a secret (offset {i}) is visible");
                }
            }
        }
    }

    /// <summary>The mask command lines on stderr, unescaped.</summary>
    public static IReadOnlyList<string> MaskedValues(string error) =>
        error.Split(Environment.NewLine)
            .Where(l => l.StartsWith("::add-mask::", StringComparison.Ordinal))
            .Select(l => l["::add-mask::".Length..].Replace("%0A", "\n", StringComparison.Ordinal).Replace("%0D", "\r", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal))
            .ToArray();

    [GeneratedRegex(@"export (?<name>[A-Z_][A-Z0-9_]*)='(?<value>(?:[^']|'\\'')*)'\n")]
    private static partial Regex ExportLine();
}
