using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OidcToken.Cli.Output;

namespace OidcToken.Cli.Diagnostics;

/// <summary>
/// <c>oidc-token doctor [--probe] [--format text|json]</c>: explains whether a token can be requested here.
/// <c>oidc-token doctor --trust aws|azure|gcp|vault [--token -] [--audience AUD] [--account-id ID]
/// [--workload-identity-provider NAME]</c>: prints the trust configuration that admits this job and no other
/// (<see cref="TrustConfigurations"/>).
/// </summary>
internal static class DoctorCommand
{
    internal static Command Create(CliContext context)
    {
        var probe = new Option<bool>("--probe")
        {
            Description = "Also make one real token request (default audience, no retries) and report how the endpoint answered. The token is never printed.",
        };
        var format = new Option<string>("--format")
        {
            Description = "text (default) or json.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var trust = new Option<string?>("--trust")
        {
            Description = "Instead of the report, print the trust configuration that admits this job and no other: aws (IAM role trust policy), " +
                          "azure (Entra federated credential), gcp (workload identity provider mapping and condition) or vault (JWT role). " +
                          "Requests one token with the target's usual audience (aws sts.amazonaws.com, azure api://AzureADTokenExchange, " +
                          "gcp https://iam.googleapis.com/<provider>, vault GitHub's default); the token is never printed.",
        };
        trust.AcceptOnlyFromAmong(TrustTargets);
        var token = new Option<string?>("--token")
        {
            Description = "With --trust: '-' reads the GitHub ID token from stdin instead of requesting one (offline; its claims are read, not verified). " +
                          "Only '-' is accepted: a token on the command line is visible to other processes.",
        };
        var audience = new Option<string?>("--audience")
        {
            Description = "With --trust: the aud to request (and to write into the configuration) instead of the target's usual one.",
        };
        var accountId = new Option<string?>("--account-id")
        {
            Description = "With --trust aws: the role's 12-digit AWS account id, written into the provider ARN (default: the placeholder " + TrustConfigurations.AccountPlaceholder + ").",
        };
        var provider = new Option<string?>("--workload-identity-provider")
        {
            Description = "With --trust gcp: projects/<project NUMBER>/locations/global/workloadIdentityPools/<pool>/providers/<provider>; " +
                          "the token is requested for https://iam.googleapis.com/<provider> and the commands name it. Required to request a token unless --audience is given.",
        };
        var command = new Command(
            "doctor",
            "Explain whether this job can get an OIDC token and, if not, why and how to fix it. No network unless --probe. " +
            "With --trust aws|azure|gcp|vault: print the trust configuration that admits this job and no other.")
        {
            probe,
            format,
            trust,
            token,
            audience,
            accountId,
            provider,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var trustOptions = new TrustOptions(
                parseResult.GetValue(trust), parseResult.GetValue(token), parseResult.GetValue(audience), parseResult.GetValue(accountId), parseResult.GetValue(provider));
            if (trustOptions.Target is not null || trustOptions.AnySet)
            {
                return await TrustAsync(context, trustOptions, parseResult.GetValue(probe), parseResult.GetValue(format) == "json", output, error, cancellationToken)
                    .ConfigureAwait(false);
            }

            using var client = Requesting.CliClientFactory.Create(context, error, TimeSpan.FromSeconds(30), maxAttempts: 1);
            var report = client.Diagnose();
            ProbeOutcome? outcome = null;
            if (parseResult.GetValue(probe) && report.CanRequestToken)
            {
                var result = await client.TryGetTokenAsync(null, cancellationToken).ConfigureAwait(false);
                outcome = new ProbeOutcome(result);
            }

            var json = parseResult.GetValue(format) == "json";
            await output.WriteAsync(json ? ToJson(report, outcome) : ToText(report, outcome)).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (report.ErrorCode is { } code)
            {
                return OidcTokenException.GetExitCode(code);
            }

            return outcome?.Result.Error is { } failure ? failure.ExitCode : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The targets of <c>--trust</c>, as typed.</summary>
    internal static readonly string[] TrustTargets = ["aws", "azure", "gcp", "vault"];

    /// <summary>
    /// <c>doctor --trust</c>: checks the flags, gets the claims (a fresh token from the runner with the target's usual
    /// audience, or the token on stdin with <c>--token -</c>), and prints the configuration: warnings on stderr, the
    /// document (json) or the document with its facts, commands and notes (text) on stdout. The token is never printed.
    /// </summary>
    private static async Task<int> TrustAsync(
        CliContext context, TrustOptions options, bool probe, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var prefix = "oidc-token: doctor --trust" + (options.Target is null ? string.Empty : " " + options.Target) + ": ";
        var problems = new List<string>();
        var target = options.Target switch
        {
            "aws" => TrustTarget.Aws,
            "azure" => TrustTarget.Azure,
            "gcp" => TrustTarget.Gcp,
            "vault" => TrustTarget.Vault,
            _ => (TrustTarget?)null,
        };
        if (target is null)
        {
            problems.Add("--token, --audience, --account-id and --workload-identity-provider go with --trust aws|azure|gcp|vault, which names the configuration to print.");
        }

        if (probe)
        {
            problems.Add("--probe does not combine with --trust: --trust requests a token itself (or reads one with --token -).");
        }

        if (options.Token is not null && options.Token != "-")
        {
            problems.Add("--token accepts only '-' (read the token from stdin): a token on the command line is visible to other processes. " +
                         "Use: printf '%s' \"$TOKEN\" | oidc-token doctor --trust " + (options.Target ?? "aws") + " --token -");
        }

        if (options.Audience is { } audienceText && (string.IsNullOrWhiteSpace(audienceText) || audienceText.Any(char.IsControl)))
        {
            problems.Add("--audience must not be empty, white space or contain control characters; omit it for the target's usual audience.");
        }

        if (options.AccountId is { } account && (target is not TrustTarget.Aws || account.Length != 12 || !account.All(char.IsAsciiDigit)))
        {
            problems.Add(target is TrustTarget.Aws
                ? "--account-id must be the role's 12-digit AWS account id (for example 123456789012)."
                : "--account-id goes with --trust aws only.");
        }

        string? providerName = null;
        if (options.Provider is { } providerText)
        {
            if (target is not TrustTarget.Gcp)
            {
                problems.Add("--workload-identity-provider goes with --trust gcp only.");
            }
            else
            {
                try
                {
                    providerName = new Exchange.GoogleCredentialConfiguration(providerText).WorkloadIdentityProvider;
                }
                catch (ArgumentException exception)
                {
                    problems.Add(TextFormat.Safe(CliSettings.Describe(exception, CliSettings.Scope.Exchange)));
                }
            }
        }

        if (target is TrustTarget.Gcp && options.Token is null && options.Provider is null && options.Audience is null)
        {
            problems.Add("--trust gcp needs --workload-identity-provider projects/<project number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> " +
                         "(or --audience AUD when the provider lists its own allowed audiences) to request a token with the audience the provider expects; " +
                         "or pipe a token with --token -.");
        }

        if (problems.Count > 0 || target is not { } chosen)
        {
            foreach (var problem in problems)
            {
                await error.WriteLineAsync(prefix + problem).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'oidc-token doctor --help' for the options.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        GitHubActionsClaims claims;
        if (options.Token == "-")
        {
            var input = await Input.TokenInput.ReadAsync("doctor --trust " + options.Target, "-", context, error, cancellationToken).ConfigureAwait(false);
            var problem = input.Problem;
            GitHubActionsClaims? read = null;
            if (problem is null)
            {
                using var segments = Decoding.JwtSegments.TryDecode(input.Token!, out var why);
                problem = segments is null || !GitHubActionsClaims.TryParseUnverified(input.Token!, out read)
                    ? "stdin does not hold a GitHub ID token (JWT): " + (why ?? "its claims cannot be read")
                    : null;
            }

            if (problem is not null || read is null)
            {
                await error.WriteLineAsync(prefix + problem).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            if (context.IsGitHubActions)
            {
                Exchanging.CredentialOutput.Mask(error, [input.Token!]);
            }

            if (options.Audience is { } expected && !read.Audiences.Contains(expected, StringComparer.Ordinal))
            {
                await error.WriteLineAsync(prefix + "the token on stdin has aud '" + TextFormat.Safe(read.Audience ?? string.Empty) + "', not --audience '" +
                                           TextFormat.Safe(expected) + "': the configuration must name the token's own aud. Omit --audience, or pipe a token requested " +
                                           "with that audience (oidc-token token --audience …).").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            claims = read;
        }
        else
        {
            var audience = options.Audience ?? chosen switch
            {
                TrustTarget.Aws => Aws.GitHubAwsCredentialsOptions.DefaultAudience,
                TrustTarget.Azure => Azure.GitHubActionsCredentialOptions.DefaultAudience,
                TrustTarget.Gcp => "https://iam.googleapis.com/" + providerName,
                _ => null,
            };
            using var client = Requesting.CliClientFactory.Create(context, error);
            try
            {
                claims = (await client.GetTokenAsync(audience, cancellationToken).ConfigureAwait(false)).UnverifiedClaims;
            }
            catch (OidcTokenException exception)
            {
                var exitCode = await ErrorReporter.ReportAsync(error, exception, CliSettings.Scope.Token).ConfigureAwait(false);
                if (exitCode == ExitCodes.TokenUnavailable)
                {
                    await error.WriteLineAsync(prefix + "outside a job that can request tokens, pipe one of its tokens instead: " +
                                               "printf '%s' \"$TOKEN\" | oidc-token doctor --trust " + options.Target + " --token -").ConfigureAwait(false);
                }

                return exitCode;
            }
        }

        var job = TrustJob.From(claims, out var unusable);
        if (job is null)
        {
            await error.WriteLineAsync(prefix + unusable).ConfigureAwait(false);
            return options.Token == "-" ? ExitCodes.UsageError : ExitCodes.UnusableResponse;
        }

        var configuration = TrustConfigurations.For(chosen, job, options.AccountId, providerName);
        var usual = chosen switch
        {
            TrustTarget.Aws => Aws.GitHubAwsCredentialsOptions.DefaultAudience,
            TrustTarget.Azure => Azure.GitHubActionsCredentialOptions.DefaultAudience,
            _ => null,
        };
        if (options.Token == "-" && usual is not null && job.Audience != usual)
        {
            configuration = configuration with
            {
                Notes = [.. configuration.Notes, "The token's aud is " + job.Audience + ", not " + usual + ", which 'oidc-token exchange " + options.Target +
                         "' requests by default: pass it --audience " + job.Audience + ", or pipe a token requested for " + usual + "."],
            };
        }
        foreach (var warning in configuration.Warnings)
        {
            await error.WriteLineAsync(prefix + "warning: " + TextFormat.Safe(warning)).ConfigureAwait(false);
        }

        if (json)
        {
            foreach (var note in configuration.Notes)
            {
                await error.WriteLineAsync(prefix + "note: " + TextFormat.Safe(note)).ConfigureAwait(false);
            }

            await output.WriteAsync(configuration.Document + "\n").ConfigureAwait(false);
        }
        else
        {
            await output.WriteAsync(TrustConfigurations.Text(configuration, job)).ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static string ToText(OidcEnvironmentReport report, ProbeOutcome? probe)
    {
        var text = new StringBuilder(report.ToString());
        if (probe is not null)
        {
            text.AppendLine();
            text.AppendLine("probe: " + probe.Summary);
            if (probe.Result.Error is { } failure)
            {
                text.AppendLine(CliSettings.MessageOf(failure, CliSettings.Scope.Token));
                text.AppendLine("More: " + failure.HelpLink);
            }
        }

        return text.ToString();
    }

    private static string ToJson(OidcEnvironmentReport report, ProbeOutcome? probe)
    {
        if (probe is null)
        {
            return report.ToJson() + "\n";
        }

        // Splice a "probe" member into the report's object.
        using var document = JsonDocument.Parse(report.ToJson());
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                property.WriteTo(json);
            }

            json.WriteStartObject("probe");
            json.WriteBoolean("succeeded", probe.Result.Succeeded);
            json.WriteString("summary", probe.Summary);
            if (probe.Result.Token is { } token)
            {
                json.WriteString("audience", token.Audience);
                json.WriteString("subject", token.UnverifiedClaims.Subject);
                json.WriteString("issuer", token.UnverifiedClaims.Issuer);
                json.WriteString("expires_at", token.ExpiresAt.ToString("O", CultureInfo.InvariantCulture));
            }

            if (probe.Result.Error is { } failure)
            {
                json.WriteString("error_code", failure.ErrorCode.ToString());
                json.WriteNumber("exit_code", failure.ExitCode);
                json.WriteString("message", CliSettings.MessageOf(failure, CliSettings.Scope.Token));
                json.WriteString("help_link", failure.HelpLink);
                if (failure.StatusCode is { } status)
                {
                    json.WriteNumber("status", status);
                }

                json.WriteNumber("attempts", failure.Attempts);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    /// <summary>The <c>--trust</c> flags as given.</summary>
    private sealed record TrustOptions(string? Target, string? Token, string? Audience, string? AccountId, string? Provider)
    {
        /// <summary>Whether a flag that only goes with <c>--trust</c> was given.</summary>
        internal bool AnySet => Token is not null || Audience is not null || AccountId is not null || Provider is not null;
    }

    private sealed class ProbeOutcome(IdTokenResult result)
    {
        public IdTokenResult Result { get; } = result;

        public string Summary => Result.Token is { } token
            ? string.Create(CultureInfo.InvariantCulture, $"the endpoint issued a token (aud {token.Audience}, sub {token.UnverifiedClaims.Subject}, iss {token.UnverifiedClaims.Issuer}, lifetime {(token.ExpiresAt - token.IssuedAt).TotalSeconds:0} s); it was discarded, not printed")
            : $"the endpoint did not issue a token: {Result.ErrorCode}";
    }
}
