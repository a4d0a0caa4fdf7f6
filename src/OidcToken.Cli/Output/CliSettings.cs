using OidcToken.Aws;
using OidcToken.Azure;
using OidcToken.Exchange;
using OidcToken.Validation;

namespace OidcToken.Cli.Output;

/// <summary>
/// Maps the settings the libraries name in their structured failures (<see cref="GitHubOidcSettingProblem.Setting"/>,
/// <see cref="GitHubOidcValidationResult.Setting"/>, <see cref="OidcTokenException.Setting"/>,
/// <see cref="ArgumentException.ParamName"/>) to what a user of the command line types, so no message of the CLI names a
/// C# member. The library's text is never searched for member names: only these structured values are looked up.
/// </summary>
internal static class CliSettings
{
    /// <summary>What each command's settings are called on the command line; null when the command has no flag for it.</summary>
    private static readonly Dictionary<string, string?> Validate = new(StringComparer.Ordinal)
    {
        // GitHubOidcValidationOptions
        ["Issuer"] = "--issuer (or --enterprise, --ghes-host)",
        ["Audiences"] = "--audience",
        ["AllowDefaultAudience"] = "--allow-default-audience",
        ["Policy"] = "the policy options (--repository-id, --owner-id, …)",
        ["ClockSkew"] = "--clock-skew",
        ["MaxTokenAge"] = "--max-age",
        ["SigningKeys"] = "--jwks FILE",
        ["MaxTokenLength"] = null,
        ["RefreshInterval"] = null,
        ["AutomaticRefreshInterval"] = null,
        ["AcceptEnterpriseSlugIssuer"] = null,

        // GitHubClaimPolicyBuilder
        ["Repository"] = "--repository",
        ["RepositoryId"] = "--repository-id",
        ["Owner"] = "--owner",
        ["OwnerId"] = "--owner-id",
        ["AllowAnyRepository"] = "--allow-any-repository",
        ["Ref"] = "--ref",
        ["RequireProtectedRef"] = "--ref-protected",
        ["Environment"] = "--environment",
        ["AllowEvents"] = "--event",
        ["DenyEvents"] = "--deny-event",
        ["JobWorkflowRef"] = "--job-workflow-ref",
        ["WorkflowRef"] = null,
        ["RunnerEnvironment"] = "--runner-environment",
        ["Subject"] = "--sub",
    };

    /// <summary>The settings of <c>oidc-token token</c> (GitHubOidcClientOptions).</summary>
    private static readonly Dictionary<string, string?> Token = new(StringComparer.Ordinal)
    {
        ["Deadline"] = "--timeout",
        ["MaxAttempts"] = null,
    };

    /// <summary>The settings of <c>oidc-token exchange</c> and <c>cleanup</c> (the targets' options).</summary>
    private static readonly Dictionary<string, string?> Exchange = new(StringComparer.Ordinal)
    {
        ["Deadline"] = null,
        ["MaxAttempts"] = null,
        ["AttemptTimeout"] = null,
        ["Address"] = "--endpoint (or VAULT_ADDR)",
        ["RegistryUrl"] = "--endpoint",
        ["RepositoryUrl"] = "--endpoint",
        ["TokenServiceUrl"] = "--endpoint",
        ["TokenUrl"] = "--endpoint",
        ["StsEndpoint"] = "--endpoint",
        ["Audience"] = "--audience",
        ["WorkloadIdentityProvider"] = "--workload-identity-provider",
        ["ServiceAccount"] = "--service-account",
        ["RoleArn"] = "--role-arn",
        ["RoleSessionName"] = "--session-name",
        ["SessionName"] = "--session-name",
        ["Package"] = "--package",
        ["User"] = "--user",
        ["MountPath"] = "--path",
        ["Namespace"] = "--namespace",
        ["CaCertificateFile"] = "--ca-file",
        ["Duration"] = "--duration",
        ["Region"] = "--region",
        ["Role"] = "--role",
        ["TenantId"] = "--tenant-id",
        ["ClientId"] = "--client-id",
        ["Scope"] = "--scope",
        ["ImpersonationUrlBase"] = "--iam-endpoint",
        ["TokenFormat"] = "--token-format",
        ["AccessTokenLifetime"] = "--access-token-lifetime",
        ["Scopes"] = "--access-token-scopes",
        ["Delegates"] = "--delegates",
        ["IdTokenAudience"] = "--id-token-audience",
        ["IncludeEmail"] = "--id-token-include-email",
        ["ExecutableCommand"] = "--credential-source executable",
        ["ExecutableTimeout"] = null,
        ["Policy"] = "--session-policy",
        ["PolicyArns"] = "--policy-arn",
        ["AllowedAccountIds"] = "--allowed-account-ids",
    };

    /// <summary>
    /// The option types the exchange libraries name in their messages (<c>Type.Setting</c>): with the table above, the
    /// structured pairs whose exact spelling is replaced by the command's words.
    /// </summary>
    private static readonly string[] ExchangeOptionTypes =
    [
        nameof(VaultJwtLoginOptions), nameof(NuGetTrustedPublishingOptions), nameof(PyPITrustedPublishingOptions),
        nameof(NpmTrustedPublishingOptions), nameof(CratesTrustedPublishingOptions), nameof(ExchangeOptions),
        nameof(GitHubAwsCredentialsOptions), nameof(GitHubActionsCredentialOptions),
        nameof(GoogleTokenExchangeOptions), nameof(GoogleCredentialConfiguration),
    ];

    /// <summary>The command whose flags name the settings.</summary>
    internal enum Scope
    {
        /// <summary><c>oidc-token validate</c>.</summary>
        Validate,

        /// <summary><c>oidc-token token</c>.</summary>
        Token,

        /// <summary><c>oidc-token exchange</c> and <c>cleanup</c>.</summary>
        Exchange,
    }

    /// <summary>
    /// The flag for <paramref name="setting"/>; null when the command has no flag for it or the setting is unknown (a
    /// setting this table does not list yet is never shown by its C# name).
    /// </summary>
    internal static string? Flag(string setting, Scope scope) =>
        Table(scope).TryGetValue(setting, out var flag) ? flag : null;

    /// <summary>The setting in command-line words: its flag, or a sentence saying the command has none.</summary>
    internal static string Words(string setting, Scope scope) => Flag(setting, scope) ?? NoFlag(setting, scope);

    /// <summary>One line for a problem the validation library found in the settings: the flag and what is wrong.</summary>
    internal static string Describe(GitHubOidcSettingProblem problem)
    {
        var line = (Flag(problem.Setting, Scope.Validate) ?? NoFlag(problem.Setting, Scope.Validate)) + ": " + problem.Description;
        if (problem.OptOutSetting is { } optOut && Flag(optOut, Scope.Validate) is { } optOutFlag)
        {
            line += problem.Setting == "RepositoryId"
                ? $" (on the command line: --repository-id or --owner-id, or {optOutFlag} to opt out)"
                : $" (on the command line: {optOutFlag})";
        }

        return line;
    }

    /// <summary>
    /// The message of a runtime failure with the library's name for the setting its fix advises replaced by the
    /// command's words. Only the exact reference the library declared (<see cref="OidcTokenException.SettingReference"/>) is
    /// replaced; the rest of the message is shown as it is.
    /// </summary>
    internal static string MessageOf(OidcTokenException exception, Scope scope) =>
        InWords(
            exception is { Setting: { } setting, SettingReference: { Length: > 0 } reference }
                ? exception.Message.Replace(
                    reference,
                    reference.StartsWith('(') && reference.EndsWith(')') ? "(" + Words(setting, scope) + ")" : Words(setting, scope),
                    StringComparison.Ordinal)
                : exception.Message,
            scope);

    /// <summary>
    /// Replaces each exact <c>OptionType.Setting</c> reference of the exchange option types (a known type name joined to a
    /// setting of the table, never a pattern) by the command's words for that setting.
    /// </summary>
    private static string InWords(string message, Scope scope)
    {
        if (scope != Scope.Exchange)
        {
            return message;
        }

        foreach (var type in ExchangeOptionTypes)
        {
            if (!message.Contains(type, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var setting in Exchange.Keys)
            {
                message = message.Replace(type + "." + setting, Words(setting, scope), StringComparison.Ordinal);
            }
        }

        return message;
    }

    /// <summary>
    /// An option check of a library refused a value: the flag (from <see cref="ArgumentException.ParamName"/>) and the
    /// message without the " (Parameter '…')" suffix .NET appends, which names a C# parameter.
    /// </summary>
    internal static string Describe(ArgumentException exception, Scope scope)
    {
        var message = exception.Message;
        var suffix = exception.ParamName is null ? null : $" (Parameter '{exception.ParamName}')";
        if (suffix is not null && message.EndsWith(suffix, StringComparison.Ordinal))
        {
            message = message[..^suffix.Length];
        }

        if (exception.ParamName is { } name && Flag(name, scope) is { } flag)
        {
            // The option checks begin with the setting they refuse ("RoleArn 'x' is not…"): say it with the flag.
            message = InWords(message, scope);
            return message.StartsWith(name + " ", StringComparison.Ordinal) ? flag + message[name.Length..] : flag + ": " + message;
        }

        return InWords(message, scope);
    }

    private static Dictionary<string, string?> Table(Scope scope) => scope switch
    {
        Scope.Validate => Validate,
        Scope.Token => Token,
        _ => Exchange,
    };

    private static string NoFlag(string setting, Scope scope) => (setting, scope) switch
    {
        ("MaxAttempts", _) => "the number of attempts, which oidc-token sets itself: re-run the step",
        ("Deadline", _) => "the deadline, which oidc-token sets itself: re-run the step",
        ("AttemptTimeout", _) => "the attempt timeout, which oidc-token sets itself",
        ("WorkflowRef", _) => "the workflow_ref rule, which oidc-token validate has no option for",
        ("MaxTokenLength" or "RefreshInterval" or "AutomaticRefreshInterval" or "AcceptEnterpriseSlugIssuer", _) =>
            "a built-in setting of oidc-token validate",
        _ => "a setting oidc-token has no option for",
    };
}
