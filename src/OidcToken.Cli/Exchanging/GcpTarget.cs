using System.CommandLine;
using OidcToken.Cli.Output;
using OidcToken.Exchange;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>oidc-token exchange gcp --workload-identity-provider P [--service-account EMAIL]</c>: writes Google's
/// credential-configuration file (the one google-github-actions/auth writes) under <c>$RUNNER_TEMP</c>, mode 0600,
/// created new, and prints GOOGLE_APPLICATION_CREDENTIALS, CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE and
/// GOOGLE_GHA_CREDS_PATH pointing at it. No exchange happens here: Google's libraries and gcloud read the file and
/// request fresh GitHub tokens from the runner themselves.
/// </summary>
internal static class GcpTarget
{
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

        return ExchangeCommand.CreateTarget(
            "gcp",
            "Google Cloud workload identity federation: writes the credential-configuration file (gha-creds-<random>.json under $RUNNER_TEMP, " +
            "else the temp folder; mode 0600; it holds the runner's request token) and exports GOOGLE_APPLICATION_CREDENTIALS, " +
            "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE and GOOGLE_GHA_CREDS_PATH. Google's libraries and gcloud then fetch fresh GitHub tokens from " +
            "the runner themselves, so this needs the runner's variables (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN) even with --token -. " +
            "'oidc-token cleanup' deletes the file.",
            context,
            "The Google STS token endpoint written as token_url, for another universe, a private endpoint or a mock (https; http only to loopback). Default: Google's STS.",
            "The aud of the GitHub token, when the provider lists its own allowed audiences. Default: https://iam.googleapis.com/<provider>.",
            [provider, serviceAccount],
            (parseResult, inputs) =>
            {
                var name = parseResult.GetValue(provider);
                if (string.IsNullOrWhiteSpace(name))
                {
                    inputs.Problems.Add("--workload-identity-provider is required: projects/<project number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>.");
                    return null;
                }

                GoogleCredentialConfiguration configuration;
                try
                {
                    // The constructor and the init setters check the name, email, audience and URL.
                    configuration = new GoogleCredentialConfiguration(name)
                    {
                        ServiceAccount = parseResult.GetValue(serviceAccount),
                        Audience = inputs.Audience,
                        TokenUrl = inputs.Endpoint,
                        EnvironmentVariables = inputs.Context.Environment,
                    };
                }
                catch (ArgumentException exception)
                {
                    inputs.Problems.Add(CliSettings.Describe(exception, CliSettings.Scope.Exchange));
                    return null;
                }

                return async (_, cancellationToken) =>
                {
                    var path = await configuration.WriteFileAsync(directory: null, cancellationToken).ConfigureAwait(false);
                    return new ExchangeOutcome(
                        [
                            new OutputVariable("GOOGLE_APPLICATION_CREDENTIALS", path, secret: false),
                            new OutputVariable("CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", path, secret: false),
                            new OutputVariable("GOOGLE_GHA_CREDS_PATH", path, secret: false),
                        ],
                        json =>
                        {
                            json.WriteString("credential_file", path);
                            json.WriteString("workload_identity_provider", configuration.WorkloadIdentityProvider);
                            json.WriteString("sts_audience", configuration.StsAudience);
                            json.WriteString("github_audience", configuration.GitHubAudience);
                            AwsTarget.WriteIfSet(json, "service_account", configuration.ServiceAccount);
                            json.WriteString("token_url", configuration.EffectiveTokenUrl.AbsoluteUri);
                        },
                        new CleanupEntry(CleanupKind.File, path));
                };
            },
            usesTokenSource: false);
    }
}
