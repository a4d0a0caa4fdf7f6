using System.Text.Json;
using OidcToken.Resilience;
using OidcToken.Rules;

namespace OidcToken.Cli.Exchanging;

/// <summary>What <c>oidc-token cleanup</c> must undo: a file to delete or a token to revoke.</summary>
internal enum CleanupKind
{
    /// <summary>A file this tool wrote (the Google credential configuration).</summary>
    File,

    /// <summary>A Vault token from <c>exchange vault</c>.</summary>
    Vault,

    /// <summary>A crates.io token from <c>exchange crates</c>.</summary>
    Crates,

    /// <summary>A profile section <c>exchange aws --format aws-profile</c> wrote into an AWS config file.</summary>
    AwsProfile,
}

/// <summary>
/// One thing <c>cleanup</c> must undo. <see cref="Token"/> is a secret (it is why the state file is 0600);
/// <see cref="ToString"/> never shows it.
/// </summary>
/// <param name="Kind">What it is.</param>
/// <param name="Location">The file's path (for a profile, the AWS config file's), the Vault address or the registry URL.</param>
/// <param name="Token">The token to revoke; null for a file.</param>
/// <param name="Namespace">The Vault namespace, if any.</param>
/// <param name="CaFile">The Vault CA bundle, if any.</param>
/// <param name="Profile">The AWS profile's name, for <see cref="CleanupKind.AwsProfile"/>.</param>
internal sealed record CleanupEntry(CleanupKind Kind, string Location, string? Token = null, string? Namespace = null, string? CaFile = null, string? Profile = null)
{
    /// <summary>
    /// The run that made this entry (<see cref="CleanupState.Run"/>), stamped when it is recorded; null for an entry an
    /// earlier version wrote, which <c>cleanup</c> leaves alone because it cannot tell whose it is.
    /// </summary>
    public string? Run { get; init; }

    /// <summary>A description without the token.</summary>
    /// <returns>Kind and location.</returns>
    public override string ToString() => Kind + " " + Location + (Profile is null ? string.Empty : " [" + Profile + "]");
}

/// <summary>
/// The cleanup list, <c>oidc-token-state.json</c> under <c>$RUNNER_TEMP</c> (emptied by the runner after each job) or,
/// outside a runner, in a per-user folder (<c>$XDG_STATE_HOME/oidc-token</c> or <c>~/.local/state/oidc-token</c>, mode 0700,
/// on Unix; <c>%LOCALAPPDATA%\oidc-token</c> on Windows), never a folder other users share. Every entry carries the run
/// that made it (<see cref="Run"/>), and <c>cleanup</c> acts on the current run's entries only. The file holds the tokens
/// to revoke, so it is created with mode 0600, is refused when it is a symbolic link or readable by others, and is
/// deleted by <c>cleanup</c> once nothing is left. Every change is made while holding the file open exclusively, so
/// steps running side by side do not lose each other's entries.
/// </summary>
internal sealed class CleanupState
{
    /// <summary>The state file's name.</summary>
    internal const string FileName = "oidc-token-state.json";

    private const int MaxStateBytes = 1024 * 1024;
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LockPause = TimeSpan.FromMilliseconds(50);

    /// <summary>Retries opening the state file while another process holds it: a constant pause, within <see cref="LockWait"/>.</summary>
    private static readonly AttemptPolicy<LockAttempt> LockPolicy = new(
        new AttemptPolicyOptions(
            MaxAttempts: (int)(LockWait / LockPause) + 1,
            Deadline: LockWait + LockPause,
            AttemptTimeout: null,
            BaseDelay: LockPause,
            MaxDelay: LockPause)
        {
            JitterMin = 1,
            JitterMax = 1,
        },
        static outcome => AttemptVerdict.RetryIf(outcome.Result?.Busy is not null));

    /// <summary>The folder under the per-user state location (<c>$XDG_STATE_HOME</c>, <c>~/.local/state</c>, <c>%LOCALAPPDATA%</c>).</summary>
    internal const string UserFolderName = "oidc-token";

    /// <summary>The version this tool writes: 2 adds each entry's <c>run</c>. Version 1 files are read, their entries untagged.</summary>
    private const int CurrentVersion = 2;

    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private CleanupState(string path, string run, bool userFolder)
    {
        Path = path;
        Run = run;
        _userFolder = userFolder;
    }

    private readonly bool _userFolder;

    /// <summary>The state file's full path.</summary>
    internal string Path { get; }

    /// <summary>
    /// The run entries are recorded for and cleaned up in: inside GitHub Actions
    /// <c>github:REPOSITORY/RUN_ID/RUN_ATTEMPT/JOB</c>; outside (no run id, or a loopback request URL: a mock issuer),
    /// <c>local:</c> and the request URL (one mock session).
    /// </summary>
    internal string Run { get; }

    /// <summary>The state file for the environment <paramref name="context"/> describes.</summary>
    internal static CleanupState For(CliContext context)
    {
        var runnerTemp = context.Environment("RUNNER_TEMP");
        var inRunnerTemp = !string.IsNullOrWhiteSpace(runnerTemp) && Directory.Exists(runnerTemp);
        var folder = inRunnerTemp ? runnerTemp! : UserFolder(context);
        return new CleanupState(System.IO.Path.Combine(System.IO.Path.GetFullPath(folder), FileName), RunOf(context), userFolder: !inRunnerTemp);
    }

    /// <summary>
    /// The per-user folder outside a runner: <c>%LOCALAPPDATA%\oidc-token</c> on Windows; elsewhere
    /// <c>$XDG_STATE_HOME/oidc-token</c> when that is an absolute path (the XDG rule), else <c>~/.local/state/oidc-token</c>.
    /// </summary>
    internal static string UserFolder(CliContext context)
    {
        if (OperatingSystem.IsWindows())
        {
            var local = context.Environment("LOCALAPPDATA") is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return System.IO.Path.Combine(local, UserFolderName);
        }

        if (context.Environment("XDG_STATE_HOME") is { Length: > 0 } xdg && System.IO.Path.IsPathRooted(xdg))
        {
            return System.IO.Path.Combine(xdg, UserFolderName);
        }

        var home = context.Environment("HOME") is { Length: > 0 } fromHome ? fromHome : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return System.IO.Path.Combine(home, ".local", "state", UserFolderName);
    }

    /// <summary>The run tag for <paramref name="context"/>: see <see cref="Run"/>.</summary>
    internal static string RunOf(CliContext context)
    {
        // A mock issuer (loopback request URL) sets GITHUB_RUN_ID too, the same in every session: its sessions are told
        // apart by the request URL, whose port is new each time.
        var requestUrl = context.Environment(RunnerVariables.RequestUrl);
        var mock = Uri.TryCreate(requestUrl, UriKind.Absolute, out var uri) && UrlRules.IsLoopbackHost(uri);
        if (!mock && context.Environment("GITHUB_RUN_ID") is { Length: > 0 } runId)
        {
            return "github:" + context.Environment("GITHUB_REPOSITORY") + "/" + runId + "/" +
                   context.Environment("GITHUB_RUN_ATTEMPT") + "/" + context.Environment("GITHUB_JOB");
        }

        return "local:" + requestUrl;
    }

    /// <summary>Adds <paramref name="entry"/> to the list, creating the file (0600) when needed.</summary>
    /// <exception cref="IOException">The file could not be created, locked, read or written, or is not one this tool made.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or file does not allow it.</exception>
    internal Task AddAsync(CleanupEntry entry, CancellationToken cancellationToken) =>
        UpdateAsync(
            entries =>
            {
                entries.Add(entry with { Run = Run });
                return Task.CompletedTask;
            },
            create: true,
            cancellationToken);

    /// <summary>
    /// Runs <paramref name="process"/> on the entries under the file's lock; it removes what it has undone. The file is
    /// rewritten with what is left, or deleted when nothing is. Returns false when there is no state file.
    /// </summary>
    internal async Task<bool> ProcessAsync(Func<List<CleanupEntry>, Task> process, CancellationToken cancellationToken) =>
        await UpdateAsync(process, create: false, cancellationToken).ConfigureAwait(false);

    private async Task<bool> UpdateAsync(Func<List<CleanupEntry>, Task> change, bool create, CancellationToken cancellationToken)
    {
        var info = new FileInfo(Path);
        if (info.Exists && info.LinkTarget is not null)
        {
            throw new IOException($"'{Path}' is a symbolic link, not the state file oidc-token writes; remove it.");
        }

        if (!create && !info.Exists)
        {
            return false;
        }

        if (create && _userFolder)
        {
            EnsureUserFolder();
        }

        var stream = await OpenLockedAsync(create, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return false;
        }

        var delete = false;
        try
        {
            delete = await UpdateLockedAsync(stream, change, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // On Unix the file is deleted while still held, so no other process can add to it in between.
            if (delete && !OperatingSystem.IsWindows())
            {
                File.Delete(Path);
            }

            await stream.DisposeAsync().ConfigureAwait(false);
            if (delete && OperatingSystem.IsWindows())
            {
                File.Delete(Path);
            }
        }

        return true;
    }

    /// <summary>Creates the per-user folder owner-only (0700) on Unix, and refuses one that other users can enter.</summary>
    private void EnsureUserFolder()
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, OwnerOnlyFolder);
        }

        var mode = File.GetUnixFileMode(folder);
        if ((mode & ~(OwnerOnlyFolder | UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit)) != 0)
        {
            throw new IOException($"the folder '{folder}' can be read or entered by other users; make it owner-only (chmod 700) or remove it.");
        }
    }

    /// <summary>Reads, changes and rewrites the held file; returns true when it must be deleted (nothing left).</summary>
    private async Task<bool> UpdateLockedAsync(FileStream stream, Func<List<CleanupEntry>, Task> change, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(stream.SafeFileHandle);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new IOException($"'{Path}' can be read or written by other users, so oidc-token did not create it; remove it.");
            }
        }

        var entries = await ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        await change(entries).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            return true;
        }

        var bytes = Serialize(entries);
        stream.Position = 0;
        stream.SetLength(0);
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        Array.Clear(bytes);
        return false;
    }

    private async Task<FileStream?> OpenLockedAsync(bool create, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions
        {
            Mode = create ? FileMode.OpenOrCreate : FileMode.Open,
            Access = FileAccess.ReadWrite,
            // Exclusive: on Unix .NET also takes an advisory lock, so another oidc-token waits below.
            Share = FileShare.None,
        };
        if (create && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        // Held by another oidc-token process: the shared attempt policy waits for it (50 ms between tries, 10 s at most).
        var report = await LockPolicy.RunAsync(
            static (open, _) =>
            {
                try
                {
                    return ValueTask.FromResult(new LockAttempt(new FileStream(open.Path, open.Options), null));
                }
                catch (FileNotFoundException) when (!open.Create)
                {
                    return ValueTask.FromResult(new LockAttempt(null, null));
                }
                catch (IOException ex) when (File.Exists(open.Path))
                {
                    return ValueTask.FromResult(new LockAttempt(null, ex));
                }
            },
            (Path, Options: options, Create: create),
            cancellationToken).ConfigureAwait(false);
        report.Last?.ThrowIfException();
        if (report.Result is { Busy: { } busy })
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(busy);
        }

        return report.Result?.Stream;
    }

    private async Task<List<CleanupEntry>> ReadAsync(FileStream stream, CancellationToken cancellationToken)
    {
        var entries = new List<CleanupEntry>();
        if (stream.Length == 0)
        {
            return entries;
        }

        if (stream.Length > MaxStateBytes)
        {
            throw new IOException($"'{Path}' is larger than 1 MiB, so oidc-token did not write it; remove it.");
        }

        var bytes = new byte[stream.Length];
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (!document.RootElement.TryGetProperty("entries", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new IOException($"'{Path}' is not an oidc-token state file (no \"entries\"); remove it.");
            }

            // Version 1 (no run per entry) and 2 are read; a later version is another tool's format, left untouched.
            if (document.RootElement.TryGetProperty("version", out var version)
                && (!version.TryGetInt32(out var number) || number < 1 || number > CurrentVersion))
            {
                throw new IOException($"'{Path}' was written by a newer oidc-token (state file version {version.GetRawText()}); run that version's cleanup, or remove the file.");
            }

            foreach (var item in list.EnumerateArray())
            {
                var kind = String(item, "kind") switch
                {
                    "file" => CleanupKind.File,
                    "vault" => CleanupKind.Vault,
                    "crates" => CleanupKind.Crates,
                    "aws-profile" => CleanupKind.AwsProfile,
                    _ => (CleanupKind?)null,
                };
                var location = String(item, "location");
                var profile = String(item, "profile");
                if (kind is null || string.IsNullOrEmpty(location) || (kind == CleanupKind.AwsProfile && string.IsNullOrEmpty(profile)))
                {
                    throw new IOException($"'{Path}' holds an entry oidc-token cannot read; remove it.");
                }

                entries.Add(new CleanupEntry(kind.Value, location, String(item, "token"), String(item, "namespace"), String(item, "ca_file"), profile)
                {
                    Run = String(item, "run"),
                });
            }
        }
        catch (JsonException)
        {
            throw new IOException($"'{Path}' is not valid JSON, so oidc-token did not write it; remove it.");
        }
        finally
        {
            Array.Clear(bytes);
        }

        return entries;
    }

    private static byte[] Serialize(List<CleanupEntry> entries)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", CurrentVersion);
            json.WriteStartArray("entries");
            foreach (var entry in entries)
            {
                json.WriteStartObject();
                json.WriteString("kind", entry.Kind switch
                {
                    CleanupKind.File => "file",
                    CleanupKind.Vault => "vault",
                    CleanupKind.AwsProfile => "aws-profile",
                    _ => "crates",
                });
                json.WriteString("location", entry.Location);
                WriteOptional(json, "run", entry.Run);
                WriteOptional(json, "token", entry.Token);
                WriteOptional(json, "namespace", entry.Namespace);
                WriteOptional(json, "ca_file", entry.CaFile);
                WriteOptional(json, "profile", entry.Profile);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var bytes = buffer.ToArray();
        Array.Clear(buffer.GetBuffer());
        return bytes;
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static string? String(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>One try at opening the state file: the stream, nothing (no file), or the error of a file another process holds.</summary>
    private sealed record LockAttempt(FileStream? Stream, IOException? Busy);
}
