using System.Text;
using System.Text.RegularExpressions;
using OidcToken.Cli.Packaging;
using OidcToken.TestSupport;

namespace OidcToken.Cli.Documentation;

/// <summary>
/// Every <c>oidc-token …</c> command line in the shell and YAML blocks of README.md, docs/*.md and the package READMEs
/// is accepted by the command line as printed: run in-process (no runner variables, so nothing is requested), none exits
/// 2, the usage error a reader who pastes it would meet. A command is cut at the shell's <c>#</c>, <c>|</c>, <c>;</c>,
/// <c>&amp;&amp;</c>, <c>)</c> and redirections; one that elides arguments with <c>…</c> is not a command to paste and is
/// left out; a shell variable in it takes the example value below (a new variable must be given one).
/// </summary>
public sealed partial class CommandLineBlockTests
{
    private static readonly Dictionary<string, string> ExampleValues = new(StringComparer.Ordinal)
    {
        ["TOKEN"] = "-",
        ["TENANT"] = "00000000-0000-0000-0000-000000000001",
        ["CLIENT"] = "00000000-0000-0000-0000-000000000002",
        ["SUBSCRIPTION"] = "00000000-0000-0000-0000-000000000003",
        ["WIF_PROVIDER"] = "projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider",
        ["SA"] = "deploy@my-project.iam.gserviceaccount.com",
        ["ROLE_ARN"] = "arn:aws:iam::123456789012:role/deploy",
        ["REGISTRY_URL"] = "https://registry.example.test",
        ["GALLERY_AUDIENCE"] = "https://gallery.example.test",
        ["INDEX_UPLOAD_URL"] = "https://upload.example.test/legacy/",
        ["TOKEN_SERVICE_URL"] = "https://registry.example.test/api/v2/token",
        ["AWS_CONFIG_FILE"] = "aws-config",
        ["GITHUB_ENV"] = "github-env",
        ["OIDC_ISSUER"] = "http://127.0.0.1:8080",
    };

    // The files the examples name, by the relative path they name them with.
    private static readonly Dictionary<string, Func<string>> ExampleFiles = new(StringComparer.Ordinal)
    {
        ["github-jwks.json"] = () => File.ReadAllText(GitHubRealFixtures.PathOf(GitHubRealFixtures.JwksC)),
        ["policies/deploy-session.json"] = () => """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""",
    };

    // What a command reading a token from stdin gets: a JWT with GitHub's claims, unsigned (alg none), so a reader that
    // only decodes accepts it and a validator refuses it before asking any issuer for keys.
    private static readonly string UnsignedToken =
        Base64Url("""{"alg":"none","typ":"JWT"}""") + "." +
        Base64Url("""{"iss":"https://token.actions.githubusercontent.com","aud":"my-service","sub":"repo:octo-org/octo-repo:ref:refs/heads/main","repository":"octo-org/octo-repo","repository_id":"456789","repository_owner":"octo-org","repository_owner_id":"123456","ref":"refs/heads/main","event_name":"push","iat":1700000000,"nbf":1700000000,"exp":1700000300}""") + ".";

    public static TheoryData<string, string> Commands()
    {
        var data = new TheoryData<string, string>();
        // The same command twice in one block (`| oidc-token decode` on two lines) is one case: xunit skips duplicates.
        foreach (var (where, command) in FindCommands().Distinct())
        {
            data.Add(where, command);
        }

        return data;
    }

    [Fact]
    public void The_docs_show_commands_of_every_family()
    {
        var commands = FindCommands().Select(c => c.Command).ToList();
        foreach (var family in new[] { "doctor", "token", "decode", "validate", "exchange aws", "exchange gcp", "cleanup" })
        {
            Assert.Contains(commands, c => c.StartsWith("oidc-token " + family, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Command_is_accepted_as_printed(string where, string command)
    {
        var temp = Directory.CreateTempSubdirectory("oidctoken-docs-");
        try
        {
            // The files a command names are the reader's: the examples' own are laid in the folder and named by its path.
            foreach (var (name, content) in ExampleFiles)
            {
                var path = Path.Combine(temp.FullName, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, content());
            }

            var args = Split(command).Skip(1)
                .Select(a => ExampleFiles.ContainsKey(a.TrimStart('@')) ? a[..(a.Length - a.TrimStart('@').Length)] + Path.Combine(temp.FullName, a.TrimStart('@')) : a)
                .ToArray();

            // A token on stdin: GitHub's real one (decoded, or checked offline against its key set with --jwks); for a
            // validate that would ask GitHub for keys, the unsigned one, refused before any request.
            var stdin = args.FirstOrDefault() == "validate" && !args.Contains("--jwks")
                ? UnsignedToken
                : GitHubRealFixtures.Token(GitHubRealFixtures.TokenC);

            // A private RUNNER_TEMP (cleanup's list) and HOME (an AWS profile), so nothing outside the folder is touched.
            // Outside Actions but with a step's files (the YAML blocks' github-env and github-output formats need them).
            var variables = new Dictionary<string, string>
            {
                ["RUNNER_TEMP"] = temp.FullName,
                ["HOME"] = temp.FullName,
                ["GITHUB_ENV"] = Path.Combine(temp.FullName, "github-env"),
                ["GITHUB_OUTPUT"] = Path.Combine(temp.FullName, "github-output"),
                ["VAULT_ADDR"] = "https://vault.example.com:8200",
            };
            var context = new CliContext(name => variables.GetValueOrDefault(name), () => new StringReader(stdin + "\n"));
            var run = await CliRun.RunAsync(context, args);
            Assert.True(run.ExitCode != 2, $"{where}: `{command}` is a usage error as printed:\n{run.Error}");
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static IEnumerable<(string Where, string Command)> FindCommands()
    {
        var files = RepositoryFiles.Docs()
            .Concat(RepositoryFiles.PackableProjects().Select(p => Path.Combine(Path.GetDirectoryName(p.ProjectFile)!, "README.md")).Where(File.Exists));
        foreach (var file in files)
        {
            foreach (var block in MarkdownBlocks.Read(file).Where(b => b.Language is "shell" or "sh" or "bash" or "yaml" or "yml"))
            {
                var text = block.Text.Replace("\\\n", " ", StringComparison.Ordinal);
                foreach (var line in text.Split('\n').Select(StripComment))
                {
                    foreach (Match start in Tool().Matches(line))
                    {
                        if (!AtCommandPosition(line[..start.Index]))
                        {
                            continue;   // named in an argument or in output shown, not run
                        }

                        var command = Cut(line[start.Index..]).Trim();
                        if (command.Contains('…', StringComparison.Ordinal) || command.Contains("...", StringComparison.Ordinal))
                        {
                            continue;
                        }

                        yield return (block.ToString(), Substitute(command, block));
                    }
                }
            }
        }
    }

    // Where a shell (or a YAML step's run:) starts a command: the line's start, after a pipe, a separator, $( or run:.
    private static bool AtCommandPosition(string before)
    {
        var prefix = before.TrimEnd();
        return prefix.Length == 0 || prefix == "-"
            || new[] { "$(", "|", ";", "&&", "||", "run:", "then", "do" }.Any(p => prefix.EndsWith(p, StringComparison.Ordinal));
    }

    // The line without its comment: from the first unquoted # that starts a word.
    private static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }

    // The command up to the first unquoted shell operator or comment.
    private static string Cut(string text)
    {
        var quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c is '|' or ';' or ')' or '<' or '>' or '&' or '`')
            {
                return text[..i];
            }
        }

        return text;
    }

    private static string Substitute(string command, MarkdownBlocks.Block block) =>
        Variable().Replace(command, match =>
        {
            var name = match.Groups["name"].Value;
            Assert.True(ExampleValues.TryGetValue(name, out var value), $"{block}: give ${name} an example value in {nameof(CommandLineBlockTests)}.{nameof(ExampleValues)}");
            return value;
        });

    // Shell words: quotes removed, nothing expanded (variables were substituted before).
    private static List<string> Split(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var quote = '\0';
        foreach (var c in command)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex(@"(?<![\w./-])oidc-token(?= )")]
    private static partial Regex Tool();

    [GeneratedRegex(@"\$\{?(?<name>[A-Za-z_][A-Za-z0-9_]*)\}?")]
    private static partial Regex Variable();
}
