using System.CommandLine;
using System.Text;
using System.Text.Json;
using OidcToken.Cli.Decoding;
using OidcToken.Cli.Input;
using OidcToken.Cli.Output;
using OidcToken.Validation;

namespace OidcToken.Cli.Validating;

/// <summary>
/// <c>oidc-token validate [TOKEN|-] --audience AUD [...]</c>: checks a GitHub ID token's signature, issuer, audience,
/// lifetime and claim policy. Exit 0 valid, 6 invalid, 4 keys unavailable, 2 usage error, 130 cancelled. The token and
/// its signature are never printed.
/// </summary>
internal static class ValidateCommand
{
    internal static Command Create(CliContext context)
    {
        var options = new ValidateOptions();
        var command = new Command(
            "validate",
            "Validate a GitHub Actions ID token: RS256 signature against the issuer's JWKS (or --jwks offline), issuer, audience, lifetime and a claim policy. " +
            "Exit 0 valid, 6 invalid, 4 keys unavailable, 2 usage error.");
        options.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var json = parseResult.GetValue(options.Format) == "json";

            var problems = new List<string>();
            using var validator = await ValidatorSetup.CreateAsync(parseResult, options, context, problems, cancellationToken).ConfigureAwait(false);
            if (validator is null)
            {
                foreach (var problem in problems)
                {
                    await error.WriteLineAsync("oidc-token: validate: " + problem).ConfigureAwait(false);
                }

                await error.WriteLineAsync("Run 'oidc-token validate --help' for the options.").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            var input = await TokenInput.ReadAsync("validate", parseResult.GetValue(options.Token), context, error, cancellationToken).ConfigureAwait(false);
            if (input.Status == TokenInputStatus.Empty)
            {
                await error.WriteLineAsync("oidc-token: validate: " + input.Problem).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            if (input.Status == TokenInputStatus.TooLarge)
            {
                // Too large to be a token: a verdict like the validator's own TooLarge, so scripts see 6.
                return await ReportFailureAsync(
                    output, error, json, GitHubOidcValidationFailure.TooLarge, GitHubOidcFailureKind.Invalid, input.Problem!, cancellationToken).ConfigureAwait(false);
            }

            var token = input.Token!;
            var result = await validator.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
            if (result.IsValid)
            {
                var text = json ? ValidJson(token) : ValidText(result.Claims, result.KeyId);
                await output.WriteAsync(text).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            // The library's advice names its option (e.g. SigningKeys): the CLI shows the detail and gives its own advice.
            var message = Redact(result.Detail ?? result.Failure.ToString(), token);
            return await ReportFailureAsync(output, error, json, result.Failure, result.Kind, message, cancellationToken, result.Setting).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ReportFailureAsync(
        TextWriter output,
        TextWriter error,
        bool json,
        GitHubOidcValidationFailure failure,
        GitHubOidcFailureKind kind,
        string message,
        CancellationToken cancellationToken,
        string? setting = null)
    {
        var keysUnavailable = kind == GitHubOidcFailureKind.KeysUnavailable;
        var headline = keysUnavailable ? "keys unavailable" : "invalid token";
        await error.WriteLineAsync($"oidc-token: validate: {headline}: {failure}: {TextFormat.Safe(message)}").ConfigureAwait(false);
        if (keysUnavailable)
        {
            await error.WriteLineAsync("oidc-token: validate: to validate without the network, pass the issuer's key set with --jwks FILE.").ConfigureAwait(false);
        }
        else if (setting is not null && CliSettings.Flag(setting, CliSettings.Scope.Validate) is { } flag)
        {
            await error.WriteLineAsync($"oidc-token: validate: if the issuer's keys changed, update the key set given with {flag}.").ConfigureAwait(false);
        }

        if (json)
        {
            await output.WriteAsync(InvalidJson(failure, kind == GitHubOidcFailureKind.None ? GitHubOidcFailureKind.Invalid : kind, message)).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return keysUnavailable ? ExitCodes.RequestFailed : ExitCodes.TokenInvalid;
    }

    /// <summary>
    /// Removes the token and its signature from a message. The validator promises never to include them; this keeps the
    /// promise in the CLI even if a message someday quotes more than it should.
    /// </summary>
    internal static string Redact(string message, string token)
    {
        message = message.Replace(token, "[token redacted]", StringComparison.Ordinal);
        var lastDot = token.LastIndexOf('.');
        var signature = lastDot >= 0 ? token[(lastDot + 1)..] : string.Empty;
        return signature.Length >= 8 ? message.Replace(signature, "[signature redacted]", StringComparison.Ordinal) : message;
    }

    private static string ValidText(GitHubActionsClaims claims, string? keyId)
    {
        var text = new StringBuilder("valid\n");
        void Line(string name, string? value)
        {
            if (value is not null)
            {
                text.Append(name).Append(": ").Append(TextFormat.Safe(value)).Append('\n');
            }
        }

        Line("iss", claims.Issuer);
        Line("sub", claims.Subject);
        Line("aud", claims.Audiences.Count > 0 ? string.Join(", ", claims.Audiences) : claims.Audience);
        Line("repository", claims.Repository);
        Line("repository_id", claims.RepositoryId);
        Line("repository_owner", claims.RepositoryOwner);
        Line("repository_owner_id", claims.RepositoryOwnerId);
        Line("ref", claims.Ref);
        Line("ref_protected", claims.RefProtectedValue);
        Line("environment", claims.Environment);
        Line("event_name", claims.EventName);
        Line("workflow_ref", claims.WorkflowRef);
        Line("job_workflow_ref", claims.JobWorkflowRef);
        Line("runner_environment", claims.RunnerEnvironment);
        Line("sha", claims.Sha);
        Line("run_id", claims.RunId);
        Line("jti", claims.JwtId);
        Line("iat", claims.IssuedAt is { } issued ? TextFormat.Instant(issued) : null);
        Line("exp", claims.ExpiresAt is { } expires ? TextFormat.Instant(expires) : null);
        Line("kid", keyId);
        return text.ToString();
    }

    private static string ValidJson(string token)
    {
        // The claims exactly as signed: the payload the validator has just verified.
        using var segments = JwtSegments.TryDecode(token, out var problem)
            ?? throw new InvalidOperationException("A token the validator accepted could not be decoded: " + problem);
        return Json(json =>
        {
            json.WriteBoolean("valid", true);
            json.WritePropertyName("claims");
            segments.Payload.RootElement.WriteTo(json);
        });
    }

    private static string InvalidJson(GitHubOidcValidationFailure failure, GitHubOidcFailureKind kind, string message) =>
        Json(json =>
        {
            json.WriteBoolean("valid", false);
            json.WriteString("failure", failure.ToString());
            json.WriteString("kind", kind.ToString());
            json.WriteString("message", message);
        });

    private static string Json(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }
}
