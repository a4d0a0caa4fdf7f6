namespace OidcToken.Cli.Requesting;

/// <summary>
/// Builds the <see cref="GitHubOidcClient"/> the commands use: the process environment (or the test's),
/// and masking on stderr when running in GitHub Actions, so stdout carries only the result.
/// </summary>
internal static class CliClientFactory
{
    internal static GitHubOidcClient Create(CliContext context, TextWriter error, TimeSpan? deadline = null, int? maxAttempts = null)
    {
        var options = new GitHubOidcClientOptions
        {
            EnvironmentVariables = context.Environment,
            MaskTokens = context.IsGitHubActions,
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
