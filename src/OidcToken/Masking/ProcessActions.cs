namespace OidcToken.Masking;

/// <summary>
/// Whether this process runs inside a GitHub Actions job: its own <c>GITHUB_ACTIONS</c> is <c>true</c>. Mask commands
/// follow where the output goes (the job's log), so they depend on the process, never on variables handed to a client
/// (a test's <c>MockGitHubOidcIssuer.GetEnvironment()</c> says <c>GITHUB_ACTIONS=true</c> on a developer's machine).
/// </summary>
internal static class ProcessActions
{
    private static readonly AsyncLocal<Func<string, string?>?> Override = new();

    /// <summary>True when the process environment's <c>GITHUB_ACTIONS</c> is <c>true</c> (any case).</summary>
    public static bool IsGitHubActions =>
        string.Equals((Override.Value ?? Environment.GetEnvironmentVariable)("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A seam for tests: reads <paramref name="environment"/> instead of the process environment in this asynchronous
    /// flow (not in other tests running in parallel) until the result is disposed.
    /// </summary>
    internal static IDisposable Use(Func<string, string?> environment)
    {
        var previous = Override.Value;
        Override.Value = environment;
        return new Restore(previous);
    }

    private sealed class Restore(Func<string, string?>? previous) : IDisposable
    {
        public void Dispose() => Override.Value = previous;
    }
}
