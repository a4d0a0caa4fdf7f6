using System.CommandLine;
using OidcToken.Testing;

namespace OidcToken.MockIssuer;

/// <summary>
/// <c>oidc-token-mock [--port N] [--env-file PATH] [--owner O] [--repo R] [--environment E]</c>: parses the
/// command line and runs the mock issuer until Ctrl+C or SIGTERM.
/// </summary>
internal static class MockIssuerCommand
{
    /// <summary>Exit code for a bad command line.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code when the mock cannot start (for example the port is taken).</summary>
    public const int StartFailed = 1;

    private const string Usage = "Usage: oidc-token-mock [--port N] [--env-file PATH] [--owner O] [--repo R] [--environment E]";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var defaults = new MockGitHubOidcIssuerOptions();
        var port = new Option<int>("--port")
        {
            Description = "TCP port on 127.0.0.1 (0 = any free port).",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };
        port.Validators.Add(result =>
        {
            // Runs only for a value that parsed as a number (a non-number is already a parse error).
            if (result.Tokens.Count == 1
                && int.TryParse(result.Tokens[0].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
                && value > 65535)
            {
                result.AddError($"--port must be from 0 to 65535, not {value}.");
            }
            else if (result.Tokens.Count == 1 && result.Tokens[0].Value.StartsWith('-'))
            {
                result.AddError($"--port must be from 0 to 65535, not {result.Tokens[0].Value}.");
            }
        });
        var envFile = new Option<FileInfo?>("--env-file")
        {
            Description = "Also write the variables to this file (created with mode 0600: it holds the request token).",
            HelpName = "PATH",
        };
        var owner = new Option<string>("--owner")
        {
            Description = "Repository owner in the tokens' claims.",
            DefaultValueFactory = _ => defaults.Owner,
            HelpName = "O",
        };
        var repository = new Option<string>("--repo")
        {
            Description = "Repository name (without the owner) in the tokens' claims.",
            DefaultValueFactory = _ => defaults.Repository,
            HelpName = "R",
        };
        var environment = new Option<string?>("--environment")
        {
            Description = "Deployment environment: adds the environment claim and makes sub environment-based.",
            HelpName = "E",
        };

        var root = new RootCommand(
            "Runs a mock GitHub Actions OIDC provider on 127.0.0.1 and prints the variables a runner would set, so "
            + "OIDC code can be tried without GitHub. Serves until Ctrl+C or SIGTERM.")
        {
            port, envFile, owner, repository, environment,
        };

        var exitCode = 0;
        root.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = new MockGitHubOidcIssuerOptions
            {
                Port = parseResult.GetValue(port),
                Owner = parseResult.GetValue(owner)!,
                Repository = parseResult.GetValue(repository)!,
                Environment = parseResult.GetValue(environment),
            };
            exitCode = await MockIssuerHost.RunAsync(options, parseResult.GetValue(envFile), stdout, stderr).ConfigureAwait(false);
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync("oidc-token-mock: " + error.Message).ConfigureAwait(false);
            }

            await stderr.WriteLineAsync(Usage).ConfigureAwait(false);
            await stderr.WriteLineAsync("Run 'oidc-token-mock --help' for details.").ConfigureAwait(false);
            return UsageError;
        }

        // Ctrl+C and SIGTERM are handled by the host (clean stop, exit 0), not by System.CommandLine.
        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            ProcessTerminationTimeout = null,
        };
        var invoked = await parsed.InvokeAsync(configuration).ConfigureAwait(false);
        return invoked != 0 ? invoked : exitCode;
    }
}
