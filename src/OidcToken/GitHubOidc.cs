using OidcToken.Diagnostics;
using OidcToken.RunnerContext;

namespace OidcToken;

/// <summary>
/// The shortest way in: <see cref="GetIdTokenAsync"/> is the .NET drop-in for <c>core.getIDToken()</c>, and
/// <see cref="Diagnose()"/> says whether a token can be requested here. Both read the process environment.
/// </summary>
public static class GitHubOidc
{
    private static readonly Lazy<GitHubOidcClient> Shared = new(() => new GitHubOidcClient(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Requests an ID token for <paramref name="audience"/> like <c>core.getIDToken(audience)</c>: the same
    /// environment variables, a fresh request on every call (no cache), the raw JWT out, masked in the
    /// runner's log when running in GitHub Actions — plus retries, a 60 s deadline and precise errors.
    /// </summary>
    /// <param name="audience">The <c>aud</c> to request; null or empty asks for GitHub's default (<c>https://github.com/&lt;owner&gt;</c>).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The raw JWT. Treat it as a secret.</returns>
    /// <exception cref="OidcTokenException">No token could be obtained; <see cref="OidcTokenException.ErrorCode"/> says why and the message says how to fix it.</exception>
    /// <exception cref="ArgumentException"><paramref name="audience"/> is only white space.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<string> GetIdTokenAsync(string? audience = null, CancellationToken cancellationToken = default)
    {
        var token = await Shared.Value.RequestFreshAsync(audience, cancellationToken).ConfigureAwait(false);
        return token.Reveal();
    }

    /// <summary>
    /// Reports whether an ID token can be requested in this process and, if not, why and how to fix it:
    /// a missing <c>id-token: write</c> permission (with the YAML), fork pull requests, Dependabot, containers
    /// started by hand, <c>act</c>, and runs outside GitHub Actions. Never throws; no network I/O.
    /// </summary>
    /// <returns>The report.</returns>
    public static OidcEnvironmentReport Diagnose() =>
        EnvironmentDiagnoser.Diagnose(RunnerEnvironment.Read(Environment.GetEnvironmentVariable));
}
