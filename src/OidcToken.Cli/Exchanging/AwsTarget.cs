using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OidcToken.Aws;
using OidcToken.Cli.Output;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>oidc-token exchange aws --role-arn ARN [--region R] [--session-name N] [--duration SECONDS] [--session-policy JSON|@FILE]
/// [--policy-arn ARN]… [--allowed-account-ids IDS] [--format …|credential-process|aws-profile [--profile NAME]]</c>: STS
/// AssumeRoleWithWebIdentity through OidcToken.Aws. Prints AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
/// and AWS_REGION and AWS_DEFAULT_REGION when <c>--region</c> is given; or the <c>credential_process</c> JSON; or writes a
/// profile whose <c>credential_process</c> runs this command again, so the AWS CLI and SDKs refresh the credentials.
/// </summary>
internal static class AwsTarget
{
    internal static Command Create(CliContext context)
    {
        var roleArn = new Option<string?>("--role-arn")
        {
            Description = "The IAM role to assume, e.g. arn:aws:iam::123456789012:role/github-actions. Required.",
        };
        var region = new Option<string?>("--region")
        {
            Description = "The region whose STS endpoint is called; also exported as AWS_REGION and AWS_DEFAULT_REGION. Default: AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1 (not exported).",
        };
        var sessionName = new Option<string?>("--session-name")
        {
            Description = "The role session name shown in CloudTrail (2-64 of letters, digits and _+=,.@-). Default: GitHubActions.",
        };
        var duration = new Option<int?>("--duration")
        {
            Description = "How long the credentials are valid, in seconds (900 to 43200, at most the role's maximum session duration). Default: 3600.",
        };
        var sessionPolicy = new Option<string?>("--session-policy")
        {
            Description = "An inline session policy that further limits the session: JSON, or @FILE to read it from a file (at most 2048 characters).",
        };
        var policyArns = new Option<string[]>("--policy-arn")
        {
            Description = "A managed policy that further limits the session (an IAM policy ARN); repeat for several, at most 10.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var allowedAccounts = new Option<string?>("--allowed-account-ids")
        {
            Description = "Comma-separated 12-digit AWS account ids the role must belong to. Checked with STS GetCallerIdentity after the role is " +
                          "assumed; another account exits 7 and nothing is exported.",
        };
        var profile = new Option<string?>("--profile")
        {
            Description = "With --format aws-profile: the profile to write (letters, digits, '.', '_', '-'; at most 64). Default: " + AwsProfileFile.DefaultProfile + ".",
        };
        duration.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                && seconds is < 900 or > 43200)
            {
                result.AddError("--duration must be from 900 to 43200 seconds.");
            }
        });

        return ExchangeCommand.CreateTarget(
            "aws",
            "AWS credentials from STS AssumeRoleWithWebIdentity: exports AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN " +
            "(and AWS_REGION, AWS_DEFAULT_REGION with --region). Exported credentials do not refresh; --format aws-profile writes a profile " +
            "whose credential_process runs this command again, so the AWS CLI and SDKs get fresh ones (with a fresh GitHub token) whenever theirs expire.",
            context,
            "An STS-compatible endpoint instead of AWS's (https; http only to loopback). Default: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the region's STS.",
            "The aud of the GitHub token; it must be a client id of the IAM OIDC provider. Default: sts.amazonaws.com.",
            [roleArn, region, sessionName, duration, sessionPolicy, policyArns, allowedAccounts, profile],
            (parseResult, inputs) =>
            {
                var role = parseResult.GetValue(roleArn);
                if (string.IsNullOrWhiteSpace(role))
                {
                    inputs.Problems.Add("--role-arn is required: the ARN of the IAM role whose trust policy trusts this repository's GitHub tokens.");
                    return null;
                }

                var policy = ReadSessionPolicy(parseResult.GetValue(sessionPolicy), inputs.Problems);
                var accounts = ParseAccounts(parseResult.GetValue(allowedAccounts), inputs.Problems);
                var profileName = parseResult.GetValue(profile);
                if (profileName is not null && inputs.Format != AwsProfile)
                {
                    inputs.Problems.Add("--profile is used only with --format aws-profile (the profile to write).");
                }

                var environment = inputs.Context.Environment;
                var regionValue = parseResult.GetValue(region);
                var options = new GitHubAwsCredentialsOptions
                {
                    RoleArn = role.Trim(),
                    Region = regionValue ?? NonEmpty(environment("AWS_REGION")) ?? NonEmpty(environment("AWS_DEFAULT_REGION")),
                    Endpoint = inputs.Endpoint ?? EndpointFromEnvironment(environment, inputs.Problems),
                };
                if (parseResult.GetValue(sessionName) is { } session)
                {
                    options.SessionName = session;
                }

                if (parseResult.GetValue(duration) is { } seconds)
                {
                    options.Duration = TimeSpan.FromSeconds(seconds);
                }

                if (inputs.Audience is { } audience)
                {
                    options.Audience = audience;
                }

                options.Policy = policy;
                foreach (var arn in parseResult.GetValue(policyArns) ?? [])
                {
                    options.PolicyArns.Add(arn.Trim());
                }

                foreach (var account in accounts)
                {
                    options.AllowedAccountIds.Add(account);
                }

                ProfileTarget? profileTarget = null;
                if (inputs.Format == AwsProfile)
                {
                    profileTarget = PrepareProfile(parseResult, inputs, profileName ?? AwsProfileFile.DefaultProfile, options);
                }

                return async (source, cancellationToken) =>
                {
                    var credentials = await GitHubAwsCredentials.AssumeRoleAsync(source, options, cancellationToken).ConfigureAwait(false);
                    List<OutputVariable> variables =
                    [
                        new("AWS_ACCESS_KEY_ID", credentials.AccessKeyId, secret: true),
                        new("AWS_SECRET_ACCESS_KEY", credentials.RevealSecretAccessKey(), secret: true),
                        new("AWS_SESSION_TOKEN", credentials.RevealSessionToken(), secret: true),
                    ];
                    if (regionValue is not null)
                    {
                        variables.Add(new("AWS_REGION", regionValue, secret: false));
                        variables.Add(new("AWS_DEFAULT_REGION", regionValue, secret: false));
                    }

                    List<StepOutput> outputs = [];
                    if (credentials.AccountId is { } accountId)
                    {
                        outputs.Add(new("aws-account-id", accountId));
                    }

                    if (credentials.AssumedRoleArn is { } arn)
                    {
                        outputs.Add(new("authenticated-arn", arn));
                    }

                    outputs.Add(new("aws-expiration", ExchangeCommand.Instant(credentials.Expiration)));
                    var cleanup = profileTarget is null ? null : new CleanupEntry(CleanupKind.AwsProfile, profileTarget.ConfigPath, Profile: profileTarget.Name);
                    return new ExchangeOutcome(variables, json =>
                    {
                        json.WriteString("expires_at", ExchangeCommand.Instant(credentials.Expiration));
                        WriteIfSet(json, "account_id", credentials.AccountId);
                        WriteIfSet(json, "assumed_role_arn", credentials.AssumedRoleArn);
                        WriteIfSet(json, "assumed_role_id", credentials.AssumedRoleId);
                        WriteIfSet(json, "subject_from_web_identity_token", credentials.SubjectFromWebIdentityToken);
                        WriteIfSet(json, "audience", credentials.Audience);
                        WriteIfSet(json, "provider", credentials.Provider);
                        WriteIfSet(json, "region", options.Region);
                    }, cleanup, outputs)
                    {
                        Deliver = inputs.Format switch
                        {
                            CredentialProcess => (TargetFormatWriter)((_, destination, token) => WriteCredentialProcessAsync(credentials, destination, token)),
                            AwsProfile => (_, destination, token) => WriteProfileAsync(profileTarget!, destination, token),
                            _ => null,
                        },
                    };
                };
            },
            formats: [CredentialProcessFormat, AwsProfileFormat]);
    }

    /// <summary>The name of <see cref="CredentialProcessFormat"/>.</summary>
    internal const string CredentialProcess = "credential-process";

    /// <summary>The name of <see cref="AwsProfileFormat"/>.</summary>
    internal const string AwsProfile = "aws-profile";

    /// <summary><c>--format credential-process</c>: the JSON the AWS CLI and SDKs read from a <c>credential_process</c>.</summary>
    internal static readonly TargetFormat CredentialProcessFormat = new(
        CredentialProcess,
        "one JSON object {\"Version\": 1, \"AccessKeyId\", \"SecretAccessKey\", \"SessionToken\", \"Expiration\"} on stdout, the output an AWS " +
        "credential_process must print; nothing else, not even mask commands (the AWS SDK or CLI reads it, not a log), and no step outputs.",
        ForProgram: true);

    /// <summary><c>--format aws-profile</c>: a profile in the AWS config file whose <c>credential_process</c> runs this command.</summary>
    internal static readonly TargetFormat AwsProfileFormat = new(
        AwsProfile,
        "assume the role once (to check it now), then write the profile --profile (default " + AwsProfileFile.DefaultProfile + ") into the AWS config file " +
        "(AWS_CONFIG_FILE, else ~/.aws/config; only that section is replaced) whose credential_process runs this command with --format credential-process, " +
        "so the AWS CLI and SDKs fetch fresh credentials whenever theirs expire; no credential is written. Then AWS_PROFILE (and AWS_CONFIG_FILE when set) " +
        "goes to $GITHUB_ENV for the following steps, or, without GITHUB_ENV, to stdout as export lines. 'oidc-token cleanup' removes the section.");

    /// <summary>The profile to write: where, its name, the command and the region.</summary>
    private sealed record ProfileTarget(string ConfigPath, string Name, string Command, string? Region, bool ExportConfigFile);

    /// <summary>Checks what <c>--format aws-profile</c> needs and builds the <c>credential_process</c> command; null after a usage problem.</summary>
    private static ProfileTarget? PrepareProfile(ParseResult parseResult, ExchangeInputs inputs, string name, GitHubAwsCredentialsOptions options)
    {
        var problems = inputs.Problems;
        if (!AwsProfileFile.IsValidName(name))
        {
            problems.Add("--profile '" + TextFormat.Safe(name) + "' is not a profile name oidc-token writes: use 1 to 64 letters, digits, '.', '_' and '-', " +
                         "starting with a letter or digit (e.g. --profile deploy).");
            return null;
        }

        if (inputs.TokenFromStdin)
        {
            problems.Add("--format aws-profile cannot be used with --token -: the profile's credential_process requests a fresh GitHub token from the runner " +
                         "at every refresh (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, with permissions: id-token: write); drop --token -.");
            return null;
        }

        var environment = inputs.Context.Environment;
        var path = AwsProfileFile.ConfigPath(environment);
        if (path is null)
        {
            problems.Add("--format aws-profile needs the AWS config file's location: set AWS_CONFIG_FILE, or HOME for ~/.aws/config.");
            return null;
        }

        var githubEnv = environment("GITHUB_ENV");
        if (!string.IsNullOrWhiteSpace(githubEnv) && ExchangeCommand.CannotAppend(githubEnv) is { } why)
        {
            problems.Add("--format aws-profile cannot append AWS_PROFILE to $GITHUB_ENV ('" + TextFormat.Safe(githubEnv) + "'): " + why +
                         ". GITHUB_ENV must name a file this step can write (the runner sets it; do not override it).");
            return null;
        }

        List<string> arguments = [.. inputs.Context.SelfCommand, "exchange", "aws", "--role-arn", options.RoleArn!];
        if (options.Region is { } region)
        {
            arguments.AddRange(["--region", region]);
        }

        if (parseResult.GetValue<string?>("--session-name") is not null)
        {
            arguments.AddRange(["--session-name", options.SessionName]);
        }

        if (parseResult.GetValue<int?>("--duration") is { } seconds)
        {
            arguments.AddRange(["--duration", seconds.ToString(CultureInfo.InvariantCulture)]);
        }

        if (inputs.Audience is { } audience)
        {
            arguments.AddRange(["--audience", audience]);
        }

        if (inputs.EndpointGiven && inputs.Endpoint is { } endpoint)
        {
            arguments.AddRange(["--endpoint", endpoint.AbsoluteUri]);
        }

        if (options.Policy is { } policy)
        {
            // One line whatever the input's layout: the config file holds the command on one line.
            using var document = JsonDocument.Parse(policy);
            arguments.AddRange(["--session-policy", CompactJson(document.RootElement)]);
        }

        foreach (var arn in options.PolicyArns)
        {
            arguments.AddRange(["--policy-arn", arn]);
        }

        if (options.AllowedAccountIds.Count > 0)
        {
            arguments.AddRange(["--allowed-account-ids", string.Join(',', options.AllowedAccountIds)]);
        }

        arguments.AddRange(["--format", CredentialProcess]);
        var command = AwsProfileFile.Command(arguments, OperatingSystem.IsWindows(), out var problem);
        if (command is null)
        {
            problems.Add("--format aws-profile cannot write the credential_process command: " + problem + ". Change that value (or install oidc-token on a path without it).");
            return null;
        }

        return new ProfileTarget(path, name, command, options.Region, ExportConfigFile: !string.IsNullOrWhiteSpace(environment("AWS_CONFIG_FILE")));
    }

    private static async Task<int> WriteCredentialProcessAsync(AwsSessionCredentials credentials, FormatDestination destination, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("Version", 1);
            json.WriteString("AccessKeyId", credentials.AccessKeyId);
            json.WriteString("SecretAccessKey", credentials.RevealSecretAccessKey());
            json.WriteString("SessionToken", credentials.RevealSessionToken());
            json.WriteString("Expiration", ExchangeCommand.Instant(credentials.Expiration));
            json.WriteEndObject();
        }

        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer.GetBuffer());
        await destination.Output.WriteAsync(text).ConfigureAwait(false);
        await destination.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task<int> WriteProfileAsync(ProfileTarget target, FormatDestination destination, CancellationToken cancellationToken)
    {
        var error = destination.Error;
        var shownPath = TextFormat.Safe(target.ConfigPath);
        bool replaced;
        try
        {
            replaced = await AwsProfileFile.WriteAsync(target.ConfigPath, target.Name, target.Command, target.Region, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync(destination.Prefix + "could not write the profile '" + target.Name + "' into the AWS config file " + shownPath + ": " +
                                       TextFormat.Safe(exception.Message) + ". Set AWS_CONFIG_FILE to a file this step can write.").ConfigureAwait(false);
            return ExitCodes.RunnerFilesUnusable;
        }

        List<OutputVariable> variables = [new("AWS_PROFILE", target.Name, secret: false)];
        if (target.ExportConfigFile)
        {
            variables.Add(new("AWS_CONFIG_FILE", target.ConfigPath, secret: false));
        }

        var wrote = destination.Prefix + (replaced ? "replaced" : "wrote") + " the profile '" + target.Name + "' in " + shownPath +
                    " (its credential_process runs oidc-token; no credential is stored)";
        var githubEnv = destination.Context.Environment("GITHUB_ENV");
        if (string.IsNullOrWhiteSpace(githubEnv))
        {
            await error.WriteLineAsync(wrote + ". Use it with: eval \"$(oidc-token exchange aws … --format aws-profile)\", or --profile " + target.Name + ".").ConfigureAwait(false);
            await destination.Output.WriteAsync(CredentialOutput.Env(variables)).ConfigureAwait(false);
            await destination.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        if (await ExchangeCommand.AppendAsync(githubEnv, CredentialOutput.GitHubEnv(variables), cancellationToken).ConfigureAwait(false) is { } why)
        {
            await error.WriteLineAsync(wrote + ", but could not append AWS_PROFILE to $GITHUB_ENV: " + why +
                                       ". Run the step again, or name the profile in the following steps (--profile " + target.Name + ").").ConfigureAwait(false);
            return ExitCodes.RunnerFilesUnusable;
        }

        await error.WriteLineAsync(wrote + "; set " + string.Join(", ", variables.Select(v => v.Name)) + " for the following steps ($GITHUB_ENV).").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>The <c>--session-policy</c> text: inline JSON, or the contents of the file after <c>@</c>; null when absent or after a problem.</summary>
    private static string? ReadSessionPolicy(string? value, List<string> problems)
    {
        if (value is null)
        {
            return null;
        }

        var text = value;
        var source = "--session-policy";
        if (value.StartsWith('@'))
        {
            var file = value[1..];
            source = "--session-policy @" + TextFormat.Safe(file);
            try
            {
                var info = new FileInfo(file);
                if (!info.Exists)
                {
                    problems.Add(source + ": no such file ('" + TextFormat.Safe(Path.GetFullPath(file)) + "'). Give the policy's path after @, or the JSON itself.");
                    return null;
                }

                if (info.Length > 64 * 1024)
                {
                    problems.Add(source + ": the file is larger than 64 KiB; a session policy has at most 2048 characters.");
                    return null;
                }

                text = File.ReadAllText(file);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problems.Add(source + ": the file cannot be read: " + TextFormat.Safe(exception.Message));
                return null;
            }
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add(source + " must be a JSON object (an IAM policy with Version and Statement).");
                return null;
            }
        }
        catch (JsonException exception)
        {
            problems.Add(source + " is not valid JSON: " + TextFormat.Safe(exception.Message) + " Give the policy as JSON, or @FILE to read it from a file.");
            return null;
        }

        return text.Trim();
    }

    /// <summary>The ids of <c>--allowed-account-ids</c>: comma-separated, 12 digits each; a wrong one is a usage problem.</summary>
    private static List<string> ParseAccounts(string? value, List<string> problems)
    {
        List<string> accounts = [];
        if (value is null)
        {
            return accounts;
        }

        foreach (var part in value.Split(','))
        {
            var account = part.Trim();
            if (account.Length != 12 || !account.All(char.IsAsciiDigit))
            {
                problems.Add("--allowed-account-ids: '" + TextFormat.Safe(account) + "' is not an AWS account id (12 digits). " +
                             "Give them comma-separated, e.g. --allowed-account-ids 111122223333,444455556666.");
                return [];
            }

            accounts.Add(account);
        }

        return accounts;
    }

    /// <summary>Compact JSON on one line, with only what JSON requires escaped (a <c>\\u0027</c> would put a backslash in the command).</summary>
    private static string CompactJson(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(json);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    internal static void WriteIfSet(System.Text.Json.Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Uri? EndpointFromEnvironment(Func<string, string?> environment, List<string> problems)
    {
        foreach (var name in (string[])["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"])
        {
            if (NonEmpty(environment(name)) is { } text)
            {
                if (Uri.TryCreate(text, UriKind.Absolute, out var url))
                {
                    return url;
                }

                problems.Add($"{name} is not an absolute URL.");
                return null;
            }
        }

        return null;
    }
}
