using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OidcToken.Testing;

namespace OidcToken.MockIssuer;

/// <summary>
/// <c>oidc-token-mock [options] [-- COMMAND [ARGS…]]</c>: parses the command line and runs the mock issuer until
/// Ctrl+C or SIGTERM, or until COMMAND exits.
/// </summary>
internal static class MockIssuerCommand
{
    /// <summary>Exit code for a bad command line.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code when the mock cannot start (for example the port is taken).</summary>
    public const int StartFailed = 1;

    private const string Usage = "Usage: oidc-token-mock [options] [-- COMMAND [ARGS...]]";

    /// <summary>Claims <c>--claim</c> cannot set: the token's issuer, audience, times and id come from the mock itself.</summary>
    private static readonly string[] RegisteredClaims = ["iss", "aud", "exp", "iat", "nbf", "jti"];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        // Everything after the first "--" is the command to run, untouched by the parser.
        var separator = Array.IndexOf(args, "--");
        var toolArguments = separator < 0 ? args : args[..separator];
        var command = separator < 0 ? null : args[(separator + 1)..];

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
                && int.TryParse(result.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
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
            Description = "Also write the variables to this file before printing them (mode 0600: it holds the request token). "
                + "The file appears complete or not at all, and is removed when the mock stops unless another process replaced it.",
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
        var ownerId = new Option<string?>("--owner-id")
        {
            Description = $"Claim repository_owner_id. Default {defaults.OwnerId} for the default owner; for another --owner, a "
                + "number derived from its name (the same name always gets the same id), so id-based policies can tell them apart.",
            HelpName = "ID",
        };
        var repositoryId = new Option<string?>("--repository-id")
        {
            Description = $"Claim repository_id. Default {defaults.RepositoryId} for {defaults.Owner}/{defaults.Repository}; for "
                + "another --owner or --repo, a number derived from owner/repo (stable, distinct per name).",
            HelpName = "ID",
        };
        var gitRef = new Option<string>("--ref")
        {
            Description = "Claim ref (refs/heads/..., refs/tags/..., refs/pull/N/merge); sub, ref_type, workflow_ref and job_workflow_ref follow it.",
            DefaultValueFactory = _ => defaults.Ref,
            HelpName = "REF",
        };
        var eventName = new Option<string>("--event")
        {
            Description = "Claim event_name (pull_request makes sub end in :pull_request unless --environment is set).",
            DefaultValueFactory = _ => defaults.EventName,
            HelpName = "NAME",
        };
        var actor = new Option<string>("--actor")
        {
            Description = "Claim actor: the login that triggered the run.",
            DefaultValueFactory = _ => defaults.Actor,
            HelpName = "LOGIN",
        };
        var environment = new Option<string?>("--environment")
        {
            Description = "Deployment environment: adds the environment claim and makes sub environment-based.",
            HelpName = "E",
        };
        var claims = new Option<string[]>("--claim")
        {
            Description = "Adds or replaces a string claim, e.g. --claim enterprise=acme (repeatable). "
                + "iss, aud, exp, iat, nbf and jti cannot be set; other claims are not recomputed from it.",
            HelpName = "NAME=VALUE",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var log = new Option<bool>("--log")
        {
            Description = "Print one line on stderr per token, discovery and JWKS request (method, path, status; the audience "
                + "of token requests). Never the request token or an issued token.",
        };

        NotEmpty(owner);
        NotEmpty(repository);
        NotEmpty(eventName);
        NotEmpty(actor);
        Numeric(ownerId);
        Numeric(repositoryId);
        claims.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (ParseClaim(token.Value) is { Error: { } error })
                {
                    result.AddError(error);
                }
            }
        });

        var root = new RootCommand(
            "Runs a mock GitHub Actions OIDC provider on 127.0.0.1 so OIDC code can be tried without GitHub.\n"
            + "  oidc-token-mock [options]                  prints the variables a runner would set "
            + "(ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN, OIDC_ISSUER) and serves until Ctrl+C or SIGTERM.\n"
            + "  oidc-token-mock [options] -- COMMAND [ARGS...]   runs COMMAND with those variables set, prints nothing of its "
            + "own on stdout, stops when COMMAND exits and exits with its exit code (127: not found, 126: cannot run, 128+N: "
            + "ended by signal N). Ctrl+C and SIGTERM are passed on to COMMAND.\n"
            + "Example: oidc-token-mock -- oidc-token token --audience demo")
        {
            port, envFile, owner, repository, ownerId, repositoryId, gitRef, eventName, actor, environment, claims, log,
        };

        var exitCode = 0;
        root.SetAction(async (parseResult, cancellationToken) =>
        {
            var ownerName = parseResult.GetValue(owner)!;
            var repositoryName = parseResult.GetValue(repository)!;
            var options = new MockGitHubOidcIssuerOptions
            {
                Port = parseResult.GetValue(port),
                Owner = ownerName,
                Repository = repositoryName,
                OwnerId = parseResult.GetValue(ownerId)
                    ?? (SameName(ownerName, defaults.Owner) ? defaults.OwnerId : DeriveId("owner:" + ownerName)),
                RepositoryId = parseResult.GetValue(repositoryId)
                    ?? (SameName(ownerName, defaults.Owner) && SameName(repositoryName, defaults.Repository)
                        ? defaults.RepositoryId
                        : DeriveId("repository:" + ownerName + "/" + repositoryName)),
                Ref = parseResult.GetValue(gitRef)!,
                EventName = parseResult.GetValue(eventName)!,
                Actor = parseResult.GetValue(actor)!,
                Environment = parseResult.GetValue(environment),
            };
            foreach (var claim in parseResult.GetValue(claims) ?? [])
            {
                var (name, value, _) = ParseClaim(claim);
                options.AdditionalClaims[name!] = value!;
            }

            var settings = new HostSettings(parseResult.GetValue(envFile), command, parseResult.GetValue(log));
            exitCode = await MockIssuerHost.RunAsync(options, settings, stdout, stderr).ConfigureAwait(false);
        });

        var parsed = root.Parse(toolArguments);
        var errors = parsed.Errors.Select(e => e.Message).ToList();
        if (command is { Length: 0 } && !IsHelp(parsed))
        {
            errors.Add("nothing to run after '--'. Name the command, e.g. 'oidc-token-mock -- oidc-token token --audience demo', or leave out '--' to serve until Ctrl+C.");
        }

        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                await stderr.WriteLineAsync("oidc-token-mock: " + error).ConfigureAwait(false);
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

    /// <summary>
    /// A stable 9-digit id for a name that is not the default one: never one of the default ids (6 digits), the same
    /// for the same name (GitHub names are case-insensitive, so case does not count), different for different names.
    /// </summary>
    internal static string DeriveId(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name.ToUpperInvariant()));
        var value = (BinaryPrimitives.ReadUInt32BigEndian(hash) % 900_000_000u) + 100_000_000u;
        return value.ToString(CultureInfo.InvariantCulture);
    }

    private static bool SameName(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static bool IsHelp(ParseResult parsed) =>
        parsed.Tokens.Any(t => t.Value is "--help" or "-h" or "-?" or "/?" or "/h");

    private static (string? Name, string? Value, string? Error) ParseClaim(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            return (null, null, $"--claim needs NAME=VALUE, e.g. --claim enterprise=acme; '{text}' has no '='.");
        }

        var name = text[..equals].Trim();
        if (name.Length == 0)
        {
            return (null, null, $"--claim needs a claim name before '=', e.g. --claim enterprise=acme; got '{text}'.");
        }

        if (RegisteredClaims.Contains(name, StringComparer.Ordinal))
        {
            return (null, null, $"--claim cannot set '{name}': iss, aud, exp, iat, nbf and jti come from the mock itself "
                + "(the audience from the token request). Set another claim, or leave this one out.");
        }

        return (name, text[(equals + 1)..], null);
    }

    private static void NotEmpty(Option<string> option) =>
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && string.IsNullOrWhiteSpace(result.Tokens[0].Value))
            {
                result.AddError($"{option.Name} must not be empty.");
            }
        });

    private static void Numeric(Option<string?> option) =>
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && (result.Tokens[0].Value.Length == 0 || !result.Tokens[0].Value.All(char.IsAsciiDigit)))
            {
                result.AddError($"{option.Name} must be a number (GitHub ids are digits), not '{result.Tokens[0].Value}'.");
            }
        });
}
