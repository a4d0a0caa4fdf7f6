using System.Text;
using System.Text.RegularExpressions;
using OidcToken.Files;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// The AWS config file (<c>AWS_CONFIG_FILE</c>, else <c>~/.aws/config</c>) as <c>--format aws-profile</c> edits it: one
/// profile section is created or replaced, or removed by <c>cleanup</c>, and every other byte of the file is kept. The
/// file is rewritten through a temporary file in the same folder and renamed over it, so a reader never sees half of it;
/// a new file is created with mode 0600 (its folder 0700), an existing one keeps its mode.
/// </summary>
internal static partial class AwsProfileFile
{
    /// <summary>The profile written when <c>--profile</c> is not given.</summary>
    internal const string DefaultProfile = "oidc-token";

    /// <summary>The comment line that marks a section as this tool's.</summary>
    internal const string Marker = "# Written by 'oidc-token exchange aws --format aws-profile'; 'oidc-token cleanup' removes this section.";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Whether <paramref name="name"/> is a profile name this tool writes: 1 to 64 of letters, digits, <c>.</c>, <c>_</c>, <c>-</c>, not starting with a symbol.</summary>
    internal static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>The config file the AWS CLI and SDKs read in this environment: <c>AWS_CONFIG_FILE</c> (a leading <c>~/</c> is the home folder), else <c>~/.aws/config</c>.</summary>
    /// <returns>The full path, or null when neither the variable nor a home folder is known.</returns>
    internal static string? ConfigPath(Func<string, string?> environment)
    {
        var home = environment("HOME") is { Length: > 0 } fromEnvironment ? fromEnvironment : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (environment("AWS_CONFIG_FILE") is { } configured && !string.IsNullOrWhiteSpace(configured))
        {
            var path = configured.Trim();
            if ((path.StartsWith("~/", StringComparison.Ordinal) || path == "~") && !string.IsNullOrEmpty(home))
            {
                path = Path.Combine(home, path.Length > 2 ? path[2..] : string.Empty);
            }

            return Path.GetFullPath(path);
        }

        return string.IsNullOrEmpty(home) ? null : Path.Combine(Path.GetFullPath(home), ".aws", "config");
    }

    /// <summary>
    /// The <c>credential_process</c> value that runs <paramref name="arguments"/>. Each argument is quoted the way both
    /// readers of the value split it back: on Linux and macOS the AWS SDKs for .NET, Java, Go and JavaScript run it with
    /// <c>sh -c</c> and botocore (the AWS CLI) splits it with <c>shlex</c>, so an argument with anything but
    /// <c>A-Za-z0-9@%+=:,./_-</c> is put in single quotes, a quote inside as <c>'"'"'</c> (never <c>'\''</c>: the AWS SDK
    /// for .NET doubles every backslash of the value before handing it to <c>sh</c>). On Windows (<c>cmd /c</c>, and
    /// botocore's Windows splitting) such an argument is put in double quotes.
    /// </summary>
    /// <param name="arguments">The program and its arguments.</param>
    /// <param name="windows">True to quote for Windows.</param>
    /// <param name="problem">Why the command cannot be written, or null.</param>
    /// <returns>The value, or null with <paramref name="problem"/> when an argument cannot be written so that every reader gets it back.</returns>
    internal static string? Command(IReadOnlyList<string> arguments, bool windows, out string? problem)
    {
        var text = new StringBuilder();
        foreach (var argument in arguments)
        {
            if (argument.Any(char.IsControl))
            {
                problem = "'" + Output.TextFormat.Safe(argument) + "' contains a control character (a line break would end the config file's line)";
                return null;
            }

            if (argument.Contains('\\', StringComparison.Ordinal) && !windows)
            {
                problem = "'" + argument + "' contains a backslash, which the AWS SDK for .NET doubles when it runs credential_process";
                return null;
            }

            if (windows && (argument.Contains('"', StringComparison.Ordinal) || argument.Contains('%', StringComparison.Ordinal)))
            {
                problem = "'" + argument + "' contains \" or %, which cmd.exe would change when it runs credential_process";
                return null;
            }

            if (text.Length > 0)
            {
                text.Append(' ');
            }

            var plain = argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "@%+=:,./_-".Contains(c, StringComparison.Ordinal));
            if (plain)
            {
                text.Append(argument);
            }
            else if (windows)
            {
                text.Append('"').Append(argument).Append('"');
            }
            else
            {
                text.Append('\'').Append(argument.Replace("'", "'\"'\"'", StringComparison.Ordinal)).Append('\'');
            }
        }

        problem = null;
        return text.ToString();
    }

    /// <summary>The section's text: header, <see cref="Marker"/>, <c>credential_process</c> and <c>region</c> when known, each line ended by <paramref name="newline"/>.</summary>
    internal static string Section(string profile, string command, string? region, string newline = "\n")
    {
        var text = new StringBuilder()
            .Append(Header(profile)).Append(newline)
            .Append(Marker).Append(newline)
            .Append("credential_process = ").Append(command).Append(newline);
        if (region is not null)
        {
            text.Append("region = ").Append(region).Append(newline);
        }

        return text.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> with the section of <paramref name="profile"/> replaced by <paramref name="section"/>
    /// (appended when absent; removed when <paramref name="section"/> is null). A section runs from its header to its last
    /// non-blank line before the next header; blank lines after it and everything else stay as they were (a section removed
    /// from the end of the file also takes the blank line before it, so removing an appended section restores the file). A second
    /// section of the same name (which the AWS CLI would merge) is removed too.
    /// </summary>
    /// <param name="text">The file's text.</param>
    /// <param name="profile">The profile's name.</param>
    /// <param name="section">The new section (<see cref="Section"/>), or null to remove it.</param>
    /// <param name="found">True when the profile had a section.</param>
    internal static string Replace(string text, string profile, string? section, out bool found)
    {
        var lines = SplitLines(text);
        var result = new StringBuilder(text.Length + (section?.Length ?? 0));
        found = false;
        var i = 0;
        while (i < lines.Count)
        {
            if (!IsHeaderOf(lines[i], profile))
            {
                result.Append(lines[i]);
                i++;
                continue;
            }

            // The section: the header and the lines up to the next header; its trailing blank lines are kept.
            var end = i + 1;
            while (end < lines.Count && !IsHeader(lines[end]))
            {
                end++;
            }

            var last = end - 1;
            while (last > i && string.IsNullOrWhiteSpace(lines[last]))
            {
                last--;
            }

            if (!found && section is not null)
            {
                result.Append(section);
            }

            found = true;
            if (section is null && end == lines.Count && last + 1 == end && result.Length > 0 && EndsWithBlankLine(result))
            {
                // The section was the file's end, as an append leaves it: its separating blank line goes with it.
                result.Length -= result.Length >= 2 && result[^2] == '\r' && result[^1] == '\n' ? 2 : 1;
            }

            for (var j = last + 1; j < end; j++)
            {
                result.Append(lines[j]);
            }

            i = end;
        }

        if (!found && section is not null)
        {
            if (result.Length > 0 && result[^1] != '\n')
            {
                result.Append(NewlineOf(text));
            }

            if (result.Length > 0 && !EndsWithBlankLine(result))
            {
                result.Append(NewlineOf(text));
            }

            result.Append(section);
        }

        return result.ToString();
    }

    /// <summary>The line ending the file uses (<c>\r\n</c> when its first line ends so), for the lines this tool adds.</summary>
    internal static string NewlineOf(string text)
    {
        var first = text.IndexOf('\n', StringComparison.Ordinal);
        return first > 0 && text[first - 1] == '\r' ? "\r\n" : "\n";
    }

    /// <summary>Creates or replaces the profile's section in the file at <paramref name="path"/>.</summary>
    /// <returns>True when a section of that name was replaced, false when it was added.</returns>
    /// <exception cref="IOException">The file or its folder cannot be read or written, or the file is not UTF-8 text.</exception>
    /// <exception cref="UnauthorizedAccessException">Permissions forbid it.</exception>
    internal static async Task<bool> WriteAsync(string path, string profile, string command, string? region, CancellationToken cancellationToken)
    {
        var target = Resolve(path);
        var existing = await ReadAsync(target, cancellationToken).ConfigureAwait(false);
        var updated = Replace(existing ?? string.Empty, profile, Section(profile, command, region, NewlineOf(existing ?? string.Empty)), out var found);
        await SaveAsync(target, updated, existing is null, cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <summary>Removes the profile's section from the file at <paramref name="path"/>, keeping the rest.</summary>
    /// <returns>False when the file or the section was already gone.</returns>
    /// <exception cref="IOException">The file cannot be read or written, or is not UTF-8 text.</exception>
    /// <exception cref="UnauthorizedAccessException">Permissions forbid it.</exception>
    internal static async Task<bool> RemoveAsync(string path, string profile, CancellationToken cancellationToken)
    {
        var target = Resolve(path);
        var existing = await ReadAsync(target, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return false;
        }

        var updated = Replace(existing, profile, section: null, out var found);
        if (found)
        {
            await SaveAsync(target, updated, create: false, cancellationToken).ConfigureAwait(false);
        }

        return found;
    }

    private static string Header(string profile) => profile == "default" ? "[default]" : "[profile " + profile + "]";

    /// <summary>A symbolic link (a dotfiles checkout) is followed, so the link stays and its target is edited.</summary>
    private static string Resolve(string path)
    {
        var info = new FileInfo(path);
        return info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } final ? final.FullName : path;
    }

    private static async Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return Utf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new IOException($"'{path}' is not UTF-8 text, so oidc-token did not edit it.");
        }
    }

    private static async Task SaveAsync(string path, string text, bool create, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        // A new file is the owner's only; an existing one keeps its mode.
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!create && !OperatingSystem.IsWindows())
        {
            mode = File.GetUnixFileMode(path);
        }

        await AtomicFile.WriteAsync(path, Utf8.GetBytes(text), mode, cancellationToken).ConfigureAwait(false);
    }

    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(text[start..end]);
            start = end;
        }

        return lines;
    }

    private static bool EndsWithBlankLine(StringBuilder text)
    {
        var end = text.Length - 1;
        while (end >= 0 && text[end] is '\n' or '\r')
        {
            end--;
        }

        var newlines = 0;
        for (var i = end + 1; i < text.Length; i++)
        {
            newlines += text[i] == '\n' ? 1 : 0;
        }

        return end < 0 || newlines >= 2;
    }

    private static bool IsHeader(string line) => HeaderPattern().IsMatch(line);

    private static bool IsHeaderOf(string line, string profile)
    {
        var match = HeaderPattern().Match(line);
        if (!match.Success)
        {
            return false;
        }

        var name = match.Groups["name"].Value.Trim();
        var prefixed = ProfilePrefix().Match(name);
        return prefixed.Success
            ? string.Equals(prefixed.Groups["name"].Value, profile, StringComparison.Ordinal)
            : profile == "default" && name == "default";
    }

    [GeneratedRegex(@"^[ \t]*\[(?<name>[^\]\r\n]*)\][ \t]*(?:[#;][^\r\n]*)?\r?\n?\z", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderPattern();

    [GeneratedRegex(@"^profile[ \t]+(?<name>\S+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex ProfilePrefix();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
