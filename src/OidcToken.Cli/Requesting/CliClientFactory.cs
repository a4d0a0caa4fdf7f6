namespace OidcToken.Cli.Requesting;

/// <summary>
/// Builds the <see cref="GitHubOidcClient"/> the commands use: the process environment (or the test's),
/// and masking on stderr when running in GitHub Actions, so stdout carries only the result.
/// </summary>
internal static class CliClientFactory
{
    /// <param name="context">The environment.</param>
    /// <param name="error">Where mask commands go.</param>
    /// <param name="deadline">The overall deadline, or null for the default.</param>
    /// <param name="maxAttempts">The attempts, or null for the default.</param>
    /// <param name="mask">False when the output is read by a program rather than a log (<c>--format credential-process</c>, <c>gcp-executable</c>): no mask commands.</param>
    internal static GitHubOidcClient Create(CliContext context, TextWriter error, TimeSpan? deadline = null, int? maxAttempts = null, bool mask = true)
    {
        var options = new GitHubOidcClientOptions
        {
            EnvironmentVariables = context.Environment,
            MaskTokens = mask && context.IsGitHubActions,
            // The runner reads workflow commands on both streams; stderr keeps `TOKEN=$(oidc-token token)` clean.
            MaskOutput = error,
        };
        if (deadline is { } value)
        {
            options.Deadline = value;
            if (options.AttemptTimeout > value)
            {
                options.AttemptTimeout = value;
            }
        }

        if (maxAttempts is { } attempts)
        {
            options.MaxAttempts = attempts;
        }

        return new GitHubOidcClient(options);
    }
}
