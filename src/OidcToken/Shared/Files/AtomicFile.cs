namespace OidcToken.Files;

/// <summary>
/// Replaces a file whole: the content goes to a new temporary file in the same folder, which is then renamed over the
/// target, so a reader sees the old file, the new one or none, never half of one. Used for every file another process
/// reads while it may be rewritten (the AWS config file, the mock's env file).
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to create or replace; its folder must exist.</param>
    /// <param name="content">The whole new content.</param>
    /// <param name="unixMode">The new file's mode on Unix (ignored on Windows).</param>
    /// <param name="cancellationToken">Cancels the write; the target is then unchanged.</param>
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, UnixFileMode unixMode, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = unixMode;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(folder, "." + Path.GetFileName(path) + ".oidc-token-" + Guid.NewGuid().ToString("N")[..12]);
        var moved = false;
        try
        {
            var stream = new FileStream(temporary, options);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                File.Delete(temporary);
            }
        }
    }
}
