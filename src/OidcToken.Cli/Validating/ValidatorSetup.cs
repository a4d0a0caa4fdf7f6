using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using OidcToken.Cli.Output;
using OidcToken.Rules;
using OidcToken.Validation;

namespace OidcToken.Cli.Validating;

/// <summary>
/// Turns the options of <c>validate</c> into a <see cref="GitHubOidcTokenValidator"/>, collecting every problem
/// (option conflicts, unreadable files, policy and option errors) so one run reports all of them.
/// </summary>
internal static class ValidatorSetup
{
    /// <summary>Largest JWKS file read (GitHub's is about 5 KiB).</summary>
    internal const int MaxJwksFileBytes = 1024 * 1024;

    /// <summary>Builds the validator, or returns null with the problems (usage errors, exit 2).</summary>
    internal static async Task<GitHubOidcTokenValidator?> CreateAsync(
        ParseResult parseResult, ValidateOptions options, CliContext context, List<string> problems, CancellationToken cancellationToken)
    {
        var issuer = ResolveIssuer(parseResult, options, problems) ?? (problems.Count == 0 ? LocalMockIssuer(context) : null);
        var keys = parseResult.GetValue(options.Jwks) is { } path
            ? await ReadJwksAsync(path, problems, cancellationToken).ConfigureAwait(false)
            : null;

        TimeProvider? time = null;
        if (parseResult.GetValue(options.At) is { } at)
        {
            if (ValidateOptions.TryParseInstant(at, out var instant))
            {
                time = new FixedTimeProvider(instant);
            }
            else
            {
                problems.Add($"--at '{at}' is not an ISO-8601 instant such as 2026-04-22T07:52:00Z");
            }
        }

        var clockSkew = Seconds(parseResult.GetValue(options.ClockSkew), "--clock-skew", minimum: 0, maximum: 300, allowZero: true, problems);
        var maxAge = Seconds(parseResult.GetValue(options.MaxAge), "--max-age", minimum: 0, maximum: 366 * 86400, allowZero: false, problems);

        var policy = BuildPolicy(parseResult, options, problems);

        var validationOptions = new GitHubOidcValidationOptions
        {
            AllowDefaultAudience = parseResult.GetValue(options.AllowDefaultAudience),
            // A placeholder when the policy failed, so the options' own problems are still found and reported.
            Policy = policy ?? GitHubClaimPolicy.CreateBuilder().AllowAnyRepository().Build(),
            SigningKeys = keys,
            TimeProvider = time,
        };
        if (issuer is not null)
        {
            validationOptions.Issuer = issuer;
        }

        foreach (var audience in parseResult.GetValue(options.Audience) ?? [])
        {
            validationOptions.Audiences.Add(audience);
        }

        if (clockSkew is { } skew)
        {
            validationOptions.ClockSkew = skew;
        }

        if (maxAge is { } age)
        {
            validationOptions.MaxTokenAge = age;
        }

        GitHubOidcTokenValidator validator;
        try
        {
            validator = new GitHubOidcTokenValidator(validationOptions);
        }
        catch (GitHubOidcSettingsException exception)
        {
            problems.AddRange(exception.Problems.Select(CliSettings.Describe));
            return null;
        }

        if (problems.Count > 0)
        {
            validator.Dispose();
            return null;
        }

        return validator;
    }

    private static string? ResolveIssuer(ParseResult parseResult, ValidateOptions options, List<string> problems)
    {
        var url = parseResult.GetValue(options.Issuer);
        var slug = parseResult.GetValue(options.Enterprise);
        var host = parseResult.GetValue(options.GhesHost);
        (string Name, string? Value)[] choices = [("--issuer", url), ("--enterprise", slug), ("--ghes-host", host)];
        var given = choices.Where(option => option.Value is not null).Select(option => option.Name).ToArray();
        if (given.Length > 1)
        {
            problems.Add($"--issuer, --enterprise and --ghes-host are mutually exclusive (each sets the expected issuer); give one, not {string.Join(" and ", given)}");
            return null;
        }

        if (url is not null)
        {
            return CheckIssuerUrl(url, problems);
        }

        if (slug is not null)
        {
            try
            {
                return GitHubIssuers.EnterpriseSlug(slug);
            }
            catch (ArgumentException)
            {
                problems.Add($"--enterprise '{slug}' is not an enterprise slug (letters, digits and '-' only)");
                return null;
            }
        }

        if (host is not null)
        {
            return GhesIssuer(host, problems);
        }

        return null;
    }

    /// <summary>
    /// The issuer a local mock printed (<c>OIDC_ISSUER</c>), used when no issuer option is given: only a loopback URL
    /// (127.0.0.0/8, ::1 or localhost, http or https) without credentials, query or fragment. Any other value is
    /// ignored, so a variable left in the environment can never point validation at a remote issuer's keys.
    /// </summary>
    internal static string? LocalMockIssuer(CliContext context) =>
        GitHubIssuers.LoopbackIssuer(context.Environment(GitHubIssuers.LocalIssuerVariable)) is { } issuer ? CheckIssuerUrl(issuer, []) : null;

    private static string? CheckIssuerUrl(string url, List<string> problems)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add($"--issuer '{url}' is not an absolute https URL such as https://token.actions.githubusercontent.com");
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !UrlRules.IsLoopbackHost(uri))
        {
            problems.Add(
                $"--issuer '{url}' uses plain http, which is accepted only for a loopback host (127.0.0.0/8, ::1 or localhost): " +
                "keys fetched over http from another host could be replaced by anyone on the network path; use https");
            return null;
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            problems.Add($"--issuer '{url}' must not carry credentials, a query or a fragment");
            return null;
        }

        // Passed on exactly as given: the token's iss must equal it character for character.
        return url;
    }

    internal static string? GhesIssuer(string host, List<string> problems)
    {
        try
        {
            // Validates the host shape, then maps it by the one server-URL rule every part uses (so a GHE.com host gets
            // GHE.com's issuer, as doctor and the runner self-check would name it).
            _ = GitHubIssuers.EnterpriseServer(host);
            return GitHubIssuers.FromServerUrl("https://" + host);
        }
        catch (ArgumentException)
        {
            problems.Add($"--ghes-host '{host}' is not a host name (with an optional :port), e.g. github.example.com");
            return null;
        }
    }

    private static async Task<JsonWebKeySet?> ReadJwksAsync(string path, List<string> problems, CancellationToken cancellationToken)
    {
        string json;
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                problems.Add($"--jwks '{path}': no such file");
                return null;
            }

            if (file.Length > MaxJwksFileBytes)
            {
                problems.Add($"--jwks '{path}': the file is larger than {MaxJwksFileBytes / 1024} KiB, so it is not a JWKS");
                return null;
            }

            json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problems.Add($"--jwks '{path}': cannot read the file: {exception.Message}");
            return null;
        }

        // The keys come from a file the user chose, so it is parsed strictly first: a JSON object with a "keys" array.
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var keyArray)
                || keyArray.ValueKind != JsonValueKind.Array)
            {
                problems.Add($"--jwks '{path}': not a JSON Web Key Set (a JSON object with a \"keys\" array)");
                return null;
            }
        }
        catch (JsonException exception)
        {
            problems.Add($"--jwks '{path}': not valid JSON: {exception.Message}");
            return null;
        }

        JsonWebKeySet keys;
        try
        {
            keys = new JsonWebKeySet(json);
        }
        catch (ArgumentException exception)
        {
            problems.Add($"--jwks '{path}': not a usable JSON Web Key Set: {exception.Message}");
            return null;
        }

        if (keys.Keys.Count == 0)
        {
            problems.Add($"--jwks '{path}': the key set holds no keys");
            return null;
        }

        return keys;
    }

    private static GitHubClaimPolicy? BuildPolicy(ParseResult parseResult, ValidateOptions options, List<string> problems)
    {
        var builder = GitHubClaimPolicy.CreateBuilder();
        try
        {
            if (parseResult.GetValue(options.Repository) is { } repository)
            {
                builder.Repository(repository);
            }

            if (parseResult.GetValue(options.RepositoryId) is { } repositoryId)
            {
                builder.RepositoryId(repositoryId);
            }

            if (parseResult.GetValue(options.Owner) is { } owner)
            {
                builder.Owner(owner);
            }

            if (parseResult.GetValue(options.OwnerId) is { } ownerId)
            {
                builder.OwnerId(ownerId);
            }

            if (parseResult.GetValue(options.AllowAnyRepository))
            {
                builder.AllowAnyRepository();
            }

            if (parseResult.GetValue(options.Ref) is { } gitRef)
            {
                builder.Ref(gitRef);
            }

            if (parseResult.GetValue(options.RefProtected))
            {
                builder.RequireProtectedRef();
            }

            if (parseResult.GetValue(options.Environment) is { } environment)
            {
                builder.Environment(environment);
            }

            if (parseResult.GetValue(options.Event) is { Length: > 0 } events)
            {
                builder.AllowEvents(events);
            }

            if (parseResult.GetValue(options.DenyEvent) is { Length: > 0 } denied)
            {
                builder.DenyEvents(denied);
            }

            if (parseResult.GetValue(options.JobWorkflowRef) is { } jobWorkflowRef)
            {
                builder.JobWorkflowRef(jobWorkflowRef);
            }

            if (parseResult.GetValue(options.RunnerEnvironment) is { } runnerEnvironment)
            {
                builder.RunnerEnvironment(runnerEnvironment);
            }

            foreach (var pattern in parseResult.GetValue(options.Sub) ?? [])
            {
                builder.Subject(pattern);
            }

            return builder.Build();
        }
        catch (GitHubOidcSettingsException exception)
        {
            problems.AddRange(exception.Problems.Select(CliSettings.Describe));
            return null;
        }
    }

    private static TimeSpan? Seconds(double? value, string name, double minimum, double maximum, bool allowZero, List<string> problems)
    {
        if (value is not { } seconds)
        {
            return null;
        }

        if (!double.IsFinite(seconds) || seconds < minimum || seconds > maximum || (!allowZero && seconds == 0))
        {
            problems.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{name} must be {(allowZero ? "from" : "more than")} {minimum} {(allowZero ? "to" : "and at most")} {maximum} seconds"));
            return null;
        }

        return TimeSpan.FromSeconds(seconds);
    }
}
