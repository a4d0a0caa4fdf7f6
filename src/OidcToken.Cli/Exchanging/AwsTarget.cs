using System.CommandLine;
using System.Globalization;
using OidcToken.Aws;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>oidc-token exchange aws --role-arn ARN [--region R] [--session-name N] [--duration SECONDS]</c>: STS
/// AssumeRoleWithWebIdentity through OidcToken.Aws. Prints AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
/// and AWS_REGION and AWS_DEFAULT_REGION when <c>--region</c> is given.
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
            "(and AWS_REGION, AWS_DEFAULT_REGION with --region). They do not refresh: request them again, or use OidcToken.Aws in code.",
            context,
            "An STS-compatible endpoint instead of AWS's (https; http only to loopback). Default: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the region's STS.",
            "The aud of the GitHub token; it must be a client id of the IAM OIDC provider. Default: sts.amazonaws.com.",
            [roleArn, region, sessionName, duration],
            (parseResult, inputs) =>
            {
                var role = parseResult.GetValue(roleArn);
                if (string.IsNullOrWhiteSpace(role))
                {
                    inputs.Problems.Add("--role-arn is required: the ARN of the IAM role whose trust policy trusts this repository's GitHub tokens.");
                    return null;
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

                    return new ExchangeOutcome(variables, json =>
                    {
                        json.WriteString("expires_at", ExchangeCommand.Instant(credentials.Expiration));
                        WriteIfSet(json, "assumed_role_arn", credentials.AssumedRoleArn);
                        WriteIfSet(json, "assumed_role_id", credentials.AssumedRoleId);
                        WriteIfSet(json, "subject_from_web_identity_token", credentials.SubjectFromWebIdentityToken);
                        WriteIfSet(json, "audience", credentials.Audience);
                        WriteIfSet(json, "provider", credentials.Provider);
                        WriteIfSet(json, "region", options.Region);
                    });
                };
            });
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
