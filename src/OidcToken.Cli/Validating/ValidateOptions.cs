using System.CommandLine;
using System.Globalization;

namespace OidcToken.Cli.Validating;

/// <summary>The options of <c>oidc-token validate</c>, exactly as the command-line contract names them.</summary>
internal sealed class ValidateOptions
{
    internal Argument<string?> Token { get; } = Input.TokenInput.CreateArgument();

    internal Option<string[]> Audience { get; } = new("--audience")
    {
        Description = "The audience the token must carry (exact). Required; repeat it to accept any of several.",
        Required = true,
        Arity = ArgumentArity.OneOrMore,
    };

    internal Option<string?> Issuer { get; } = new("--issuer")
    {
        Description = "The expected issuer URL (exact). https only; http:// only for a loopback host. " +
            "Default: OIDC_ISSUER when it is a loopback URL (127.0.0.0/8, ::1 or localhost), as oidc-token-mock prints it; " +
            "otherwise https://token.actions.githubusercontent.com. Any other OIDC_ISSUER is ignored, so a leftover variable never " +
            "sends validation to another host's keys.",
    };

    internal Option<string?> Enterprise { get; } = new("--enterprise")
    {
        Description = "Expect the enterprise issuer https://token.actions.githubusercontent.com/SLUG.",
    };

    internal Option<string?> GhesHost { get; } = new("--ghes-host")
    {
        Description = "Expect the GitHub Enterprise Server issuer https://HOST/_services/token (HOST may carry :port; a <name>.ghe.com host means https://token.actions.<name>.ghe.com).",
    };

    internal Option<string?> Jwks { get; } = new("--jwks")
    {
        Description = "Validate offline with the keys in this JWKS file (no discovery, no network).",
    };

    internal Option<string?> At { get; } = new("--at")
    {
        Description = "Evaluate the lifetime at this ISO-8601 instant, e.g. 2026-04-22T07:52:00Z (no offset means UTC). Default: now.",
    };

    internal Option<double?> ClockSkew { get; } = new("--clock-skew")
    {
        Description = "Tolerance for exp, nbf and iat in seconds (0 to 300). Default: 60.",
    };

    internal Option<double?> MaxAge { get; } = new("--max-age")
    {
        Description = "Refuse tokens issued (iat) more than this many seconds ago.",
    };

    internal Option<string?> Repository { get; } = new("--repository")
    {
        Description = "Require repository OWNER/REPO (case-insensitive). Names can be reused after a rename or deletion: add --repository-id.",
    };

    internal Option<string?> RepositoryId { get; } = new("--repository-id")
    {
        Description = "Require repository_id (digits; stable across renames).",
    };

    internal Option<string?> Owner { get; } = new("--owner")
    {
        Description = "Require repository_owner (case-insensitive).",
    };

    internal Option<string?> OwnerId { get; } = new("--owner-id")
    {
        Description = "Require repository_owner_id (digits; stable across renames).",
    };

    internal Option<bool> AllowAnyRepository { get; } = new("--allow-any-repository")
    {
        Description = "Accept tokens without a --repository-id or --owner-id constraint (any repository the issuer signs for).",
    };

    internal Option<string?> Ref { get; } = new("--ref")
    {
        Description = "Require this exact ref, e.g. refs/heads/main.",
    };

    internal Option<bool> RefProtected { get; } = new("--ref-protected")
    {
        Description = "Require ref_protected to be true.",
    };

    internal Option<string?> Environment { get; } = new("--environment")
    {
        Description = "Require this deployment environment (case-insensitive); tokens without one fail.",
    };

    internal Option<string[]> Event { get; } = new("--event")
    {
        Description = "Require event_name to be one of these; repeat the option for several.",
        Arity = ArgumentArity.OneOrMore,
    };

    internal Option<string[]> DenyEvent { get; } = new("--deny-event")
    {
        Description = "Refuse these event_name values (e.g. pull_request_target); repeat the option for several.",
        Arity = ArgumentArity.OneOrMore,
    };

    internal Option<string?> JobWorkflowRef { get; } = new("--job-workflow-ref")
    {
        Description = "Require this exact job_workflow_ref (the reusable workflow the job ran), e.g. octo-org/deploy/.github/workflows/deploy.yml@refs/heads/main.",
    };

    internal Option<string?> RunnerEnvironment { get; } = CreateRunnerEnvironment();

    internal Option<string[]> Sub { get; } = new("--sub")
    {
        Description = "Require sub to match this pattern; '*' stands for whole segments (repo:octo-org/*:environment:prod), a final '*' for the rest. Repeat for any-of.",
        Arity = ArgumentArity.OneOrMore,
    };

    internal Option<bool> AllowDefaultAudience { get; } = new("--allow-default-audience")
    {
        Description = "Allow an --audience shaped like GitHub's default (https://github.com/OWNER), which every service of the organisation shares.",
    };

    internal Option<string> Format { get; } = CreateFormat();

    /// <summary>Adds the argument and every option to <paramref name="command"/>.</summary>
    internal void AddTo(Command command)
    {
        command.Arguments.Add(Token);
        foreach (var option in new Option[]
        {
            Audience, Issuer, Enterprise, GhesHost, Jwks, At, ClockSkew, MaxAge, Repository, RepositoryId, Owner, OwnerId,
            AllowAnyRepository, Ref, RefProtected, Environment, Event, DenyEvent, JobWorkflowRef, RunnerEnvironment, Sub,
            AllowDefaultAudience, Format,
        })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Parses an ISO-8601 instant; no offset means UTC.</summary>
    internal static bool TryParseInstant(string value, out DateTimeOffset instant) =>
        DateTimeOffset.TryParseExact(
            value,
            ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out instant);

    private static Option<string?> CreateRunnerEnvironment()
    {
        var option = new Option<string?>("--runner-environment")
        {
            Description = "Require runner_environment: github-hosted or self-hosted.",
        };
        option.AcceptOnlyFromAmong("github-hosted", "self-hosted");
        return option;
    }

    private static Option<string> CreateFormat()
    {
        var option = new Option<string>("--format")
        {
            Description = "text (default): 'valid' and the key claims. json: {\"valid\":true,\"claims\":{...}} or {\"valid\":false,\"failure\",\"kind\",\"message\"}.",
            DefaultValueFactory = _ => "text",
        };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }
}
