using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using OidcToken.Cli.Output;
using OidcToken.Cli.Requesting;
using OidcToken.Exchange;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>oidc-token exchange gcp --workload-identity-provider P [--service-account EMAIL] [--credential-source url|executable]
/// [--token-format access_token|id_token] [--project-id ID] …</c>: mints one Google token (STS, and IAM Credentials with a
/// service account) so a misconfiguration fails in this step, then writes Google's credential-configuration file (the one
/// google-github-actions/auth writes) under <c>$RUNNER_TEMP</c>, mode 0600, created new, and exports
/// GOOGLE_APPLICATION_CREDENTIALS, CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE and GOOGLE_GHA_CREDS_PATH pointing at it, the
/// project id where Google's tools look for it, and the minted token when <c>--token-format</c> asks for it.
/// </summary>
internal static partial class GcpTarget
{
    /// <summary>The variables google-github-actions/auth exports the project id as; gcloud and the client libraries read them.</summary>
    internal static readonly string[] ProjectVariables = ["CLOUDSDK_CORE_PROJECT", "CLOUDSDK_PROJECT", "GCLOUD_PROJECT", "GCP_PROJECT", "GOOGLE_CLOUD_PROJECT"];

    /// <summary>The overall deadline the written command gives <c>oidc-token token</c>, inside Google's default 30 s <c>timeout_millis</c>.</summary>
    private const int ExecutableDeadlineSeconds = 25;

    internal static Command Create(CliContext context)
    {
        var provider = new Option<string?>("--workload-identity-provider")
        {
            Description = "The provider's resource name: projects/<project NUMBER>/locations/global/workloadIdentityPools/<pool>/providers/<provider>. Required.",
        };
        var serviceAccount = new Option<string?>("--service-account")
        {
            Description = "A service account to impersonate, by email (NAME@PROJECT.iam.gserviceaccount.com). Omitted: direct workload identity federation.",
        };
        var credentialSource = new Option<string>("--credential-source")
        {
            Description = "url (default): the file names the runner's token URL and holds its request token. executable: the file runs " +
                          "'oidc-token token --audience <aud> --format gcp-executable' instead, so no request token lands on disk; Google's libraries " +
                          "then need GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 (gcloud, Terraform, Python, Java, Go and Node support it; .NET does not).",
            DefaultValueFactory = _ => "url",
        };
        credentialSource.AcceptOnlyFromAmong("url", "executable");
        var tokenFormat = new Option<string?>("--token-format")
        {
            Description = "Also export a token minted now: access_token (GCP_ACCESS_TOKEN: the federated token, or the service account's with " +
                          "--service-account) or id_token (GCP_ID_TOKEN, for --id-token-audience; needs --service-account). Omitted: a token is still " +
                          "minted to check the configuration, and not exported.",
        };
        tokenFormat.AcceptOnlyFromAmong("access_token", "id_token");
        var lifetime = new Option<string?>("--access-token-lifetime")
        {
            Description = "The impersonated access token's lifetime in seconds ('3600' or '3600s'; 1 to 43200, more than 3600 needs Google's lifetime-extension policy). Needs --service-account. Default: 3600.",
        };
        var scopes = new Option<string[]>("--access-token-scopes")
        {
            Description = "OAuth scopes of the access token, comma-separated or repeated. Default: https://www.googleapis.com/auth/cloud-platform.",
            AllowMultipleArgumentsPerToken = false,
        };
        var delegates = new Option<string[]>("--delegates")
        {
            Description = "The impersonation delegation chain: service-account emails, comma-separated or repeated, the last granting token creation on --service-account.",
        };
        var idTokenAudience = new Option<string?>("--id-token-audience")
        {
            Description = "The aud of the ID token for --token-format id_token (for example a Cloud Run service's URL). Required with it.",
        };
        var includeEmail = new Option<bool>("--id-token-include-email")
        {
            Description = "Put the service account's email (email, email_verified) in the ID token.",
        };
        var projectId = new Option<string?>("--project-id")
        {
            Description = "The project id exported as CLOUDSDK_CORE_PROJECT, CLOUDSDK_PROJECT, GCLOUD_PROJECT, GCP_PROJECT and GOOGLE_CLOUD_PROJECT (and the " +
                          "step output project-id). Omitted: taken from --service-account's email (NAME@PROJECT.iam.gserviceaccount.com), else none.",
        };
        var iamEndpoint = new Option<string?>("--iam-endpoint")
        {
            Description = "The IAM Credentials collection impersonation URLs are built under, for another universe, a private endpoint or a mock " +
                          "(https; http only to loopback). Default: https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/.",
        };

        return ExchangeCommand.CreateTarget(
            "gcp",
            "Google Cloud workload identity federation: mints one token now (STS; IAM Credentials with --service-account), so a misconfiguration fails " +
            "in this step, then writes the credential-configuration file (gha-creds-<random>.json under $RUNNER_TEMP, else the temp folder; mode 0600) " +
            "and exports GOOGLE_APPLICATION_CREDENTIALS, CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE and GOOGLE_GHA_CREDS_PATH (with --project-id, the project " +
            "variables; with --token-format, the token). Google's libraries and gcloud then fetch fresh GitHub tokens themselves: from the runner's URL " +
            "(--credential-source url, the file then holds the runner's request token) or by running oidc-token (executable). 'oidc-token cleanup' deletes the file.",
            context,
            "The Google STS token endpoint, also written as token_url, for another universe, a private endpoint or a mock (https; http only to loopback). Default: Google's STS.",
            "The aud of the GitHub token, when the provider lists its own allowed audiences. Default: https://iam.googleapis.com/<provider>.",
            [provider, serviceAccount, credentialSource, tokenFormat, lifetime, scopes, delegates, idTokenAudience, includeEmail, projectId, iamEndpoint],
            (parseResult, inputs) =>
            {
                var name = parseResult.GetValue(provider);
                if (string.IsNullOrWhiteSpace(name))
                {
                    inputs.Problems.Add("--workload-identity-provider is required: projects/<project number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>.");
                    return null;
                }

                var iamUrl = parseResult.GetValue(iamEndpoint) is { } iamText ? ParseUrl(iamText, "--iam-endpoint", inputs.Problems) : null;
                var seconds = ParseLifetime(parseResult.GetValue(lifetime), inputs.Problems);
                var project = parseResult.GetValue(projectId)?.Trim();
                if (project is not null && !ProjectId().IsMatch(project))
                {
                    inputs.Problems.Add($"--project-id '{TextFormat.Safe(project)}' is not a project id: 6 to 30 lower-case letters, digits and '-', starting with a letter " +
                                        "(not the project NUMBER or display name; see 'gcloud projects list').");
                    project = null;
                }

                var format = parseResult.GetValue(tokenFormat);
                var idAudience = parseResult.GetValue(idTokenAudience);
                if (idAudience is not null && format != "id_token")
                {
                    inputs.Problems.Add("--id-token-audience is only used with --token-format id_token.");
                }

                if (parseResult.GetValue(includeEmail) && format != "id_token")
                {
                    inputs.Problems.Add("--id-token-include-email is only used with --token-format id_token.");
                }

                var executable = parseResult.GetValue(credentialSource) == "executable";
                GoogleCredentialConfiguration configuration;
                GoogleTokenExchangeOptions mint;
                try
                {
                    // The constructor and the init setters check the name, email, audience and URLs.
                    var probe = new GoogleCredentialConfiguration(name)
                    {
                        ServiceAccount = parseResult.GetValue(serviceAccount),
                        Audience = inputs.Audience,
                        TokenUrl = inputs.Endpoint,
                        ImpersonationUrlBase = iamUrl,
                        EnvironmentVariables = inputs.Context.Environment,
                    };
                    configuration = executable
                        ? new GoogleCredentialConfiguration(name)
                        {
                            ServiceAccount = probe.ServiceAccount,
                            Audience = probe.Audience,
                            TokenUrl = probe.TokenUrl,
                            ImpersonationUrlBase = probe.ImpersonationUrlBase,
                            EnvironmentVariables = probe.EnvironmentVariables,
                            ExecutableCommand = ExecutableCommand(inputs.Context, probe.GitHubAudience),
                        }
                        : probe;
                    mint = new GoogleTokenExchangeOptions
                    {
                        Configuration = configuration,
                        TokenFormat = format == "id_token" ? GoogleTokenFormat.IdToken : GoogleTokenFormat.AccessToken,
                        AccessTokenLifetime = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                        IdTokenAudience = idAudience,
                        IncludeEmail = parseResult.GetValue(includeEmail),
                    };
                    foreach (var scope in Split(parseResult.GetValue(scopes)))
                    {
                        mint.Scopes.Add(scope);
                    }

                    foreach (var delegated in Split(parseResult.GetValue(delegates)))
                    {
                        mint.Delegates.Add(delegated);
                    }

                    if (format == "id_token" && configuration.ServiceAccount is null)
                    {
                        inputs.Problems.Add("--token-format id_token needs --service-account: Google mints ID tokens for a service account (IAM Credentials generateIdToken).");
                    }
                    else if (format == "id_token" && string.IsNullOrWhiteSpace(idAudience))
                    {
                        inputs.Problems.Add("--token-format id_token needs --id-token-audience: the aud the receiving service expects (for example a Cloud Run service's URL).");
                    }
                    else if (configuration.ServiceAccount is null && (seconds is not null || mint.Delegates.Count > 0))
                    {
                        inputs.Problems.Add((seconds is not null ? "--access-token-lifetime" : "--delegates") +
                                            " needs --service-account: without one the token is the federated token, whose lifetime and chain are the provider's.");
                    }
                }
                catch (ArgumentException exception)
                {
                    inputs.Problems.Add(CliSettings.Describe(exception, CliSettings.Scope.Exchange));
                    return null;
                }

                project ??= ProjectFromServiceAccount(configuration.ServiceAccount);
                return async (source, cancellationToken) =>
                {
                    // One token now, so a wrong provider, condition or binding fails this step rather than a later one.
                    var token = await GoogleTokenExchange.GetTokenAsync(source, mint, cancellationToken).ConfigureAwait(false);
                    var path = await configuration.WriteFileAsync(directory: null, cancellationToken).ConfigureAwait(false);
                    List<OutputVariable> variables =
                    [
                        new("GOOGLE_APPLICATION_CREDENTIALS", path, secret: false),
                        new("CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", path, secret: false),
                        new("GOOGLE_GHA_CREDS_PATH", path, secret: false),
                    ];
                    List<StepOutput> outputs = [new("credentials-file-path", path)];
                    if (project is not null)
                    {
                        variables.AddRange(ProjectVariables.Select(v => new OutputVariable(v, project, secret: false)));
                        outputs.Add(new("project-id", project));
                    }

                    var exported = format switch
                    {
                        "access_token" => "GCP_ACCESS_TOKEN",
                        "id_token" => "GCP_ID_TOKEN",
                        _ => null,
                    };
                    var expiration = ExchangeCommand.Instant(token.ExpiresAt);
                    if (exported is not null)
                    {
                        variables.Add(new OutputVariable(exported, token.Reveal(), secret: true));
                        outputs.Add(new(format == "id_token" ? "id-token-expiration" : "access-token-expiration", expiration));
                    }

                    return new ExchangeOutcome(
                        variables,
                        json =>
                        {
                            json.WriteString("credential_file", path);
                            json.WriteString("credential_source", executable ? "executable" : "url");
                            json.WriteString("workload_identity_provider", configuration.WorkloadIdentityProvider);
                            json.WriteString("sts_audience", configuration.StsAudience);
                            json.WriteString("github_audience", configuration.GitHubAudience);
                            AwsTarget.WriteIfSet(json, "service_account", configuration.ServiceAccount);
                            AwsTarget.WriteIfSet(json, "project_id", project);
                            json.WriteString("token_url", configuration.EffectiveTokenUrl.AbsoluteUri);
                            json.WriteString(exported is null ? "checked_token_expiration" : "token_expiration", expiration);
                        },
                        new CleanupEntry(CleanupKind.File, path),
                        outputs);
                };
            });
    }

    /// <summary>
    /// The command the credential file runs: this very program (its absolute path, or <c>dotnet &lt;dll&gt;</c> when run that
    /// way), <c>token --audience &lt;aud&gt; --format gcp-executable</c> and a deadline inside Google's timeout.
    /// </summary>
    internal static string ExecutableCommand(CliContext context, string audience)
    {
        if (audience.Any(c => char.IsWhiteSpace(c) || c == '"'))
        {
            throw new ArgumentException(
                "Audience '" + audience + "' holds a space or a double quote, which Google's libraries cannot pass on an executable's command line: use an audience without them, or --credential-source url.",
                "Audience");
        }

        var program = context.SelfCommand;
        return string.Join(' ', program.Select(Quote)) + " token --audience " + audience + " --format " + GcpExecutableResponse.Format +
               " --timeout " + ExecutableDeadlineSeconds.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Google's libraries split the command on spaces outside double quotes; a path with a space is quoted.</summary>
    private static string Quote(string part)
    {
        if (part.Contains('"', StringComparison.Ordinal))
        {
            throw new ArgumentException("The path of oidc-token holds a double quote, which Google's libraries cannot run: install it elsewhere, or use --credential-source url.", "ExecutableCommand");
        }

        return part.Any(char.IsWhiteSpace) ? "\"" + part + "\"" : part;
    }

    private static IEnumerable<string> Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static Uri? ParseUrl(string text, string flag, List<string> problems)
    {
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
        {
            return url;
        }

        problems.Add($"{flag} '{TextFormat.Safe(text)}' is not an absolute URL (https://…; plain http only to a loopback test server).");
        return null;
    }

    private static int? ParseLifetime(string? text, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        var digits = text.Trim().TrimEnd('s');
        if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 43200)
        {
            return seconds;
        }

        problems.Add($"--access-token-lifetime '{TextFormat.Safe(text)}' must be a number of seconds from 1 to 43200 ('3600' or '3600s'); more than 3600 needs Google's lifetime-extension policy.");
        return null;
    }

    private static string? ProjectFromServiceAccount(string? account)
    {
        const string suffix = ".iam.gserviceaccount.com";
        if (account is null || !account.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var at = account.IndexOf('@', StringComparison.Ordinal);
        var project = account[(at + 1)..^suffix.Length];
        return ProjectId().IsMatch(project) ? project : null;
    }

    [GeneratedRegex(@"^([a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex ProjectId();
}
