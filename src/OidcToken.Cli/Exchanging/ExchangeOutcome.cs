using System.Text.Json;

namespace OidcToken.Cli.Exchanging;

/// <summary>What one exchange produced: the variables to hand over, non-secret facts for JSON, and what cleanup must undo.</summary>
internal sealed class ExchangeOutcome
{
    /// <summary>Creates an outcome.</summary>
    /// <param name="variables">The variables, in output order.</param>
    /// <param name="facts">Writes the non-secret facts (expiry, ids…) as members of the JSON object; null for none.</param>
    /// <param name="cleanup">What <c>oidc-token cleanup</c> must undo; null for nothing.</param>
    /// <param name="outputs">
    /// Non-secret facts handed on as step outputs (<c>$GITHUB_OUTPUT</c>) in every format, e.g. <c>aws-account-id</c>; null for none.
    /// </param>
    internal ExchangeOutcome(
        IReadOnlyList<OutputVariable> variables, Action<Utf8JsonWriter>? facts = null, CleanupEntry? cleanup = null, IReadOnlyList<StepOutput>? outputs = null)
    {
        Variables = variables;
        Facts = facts;
        Cleanup = cleanup;
        Outputs = outputs ?? [];
    }

    /// <summary>Non-secret facts written as step outputs whenever <c>$GITHUB_OUTPUT</c> is set, whatever the format.</summary>
    internal IReadOnlyList<StepOutput> Outputs { get; }

    /// <summary>The variables, in output order.</summary>
    internal IReadOnlyList<OutputVariable> Variables { get; }

    /// <summary>
    /// Writes this outcome in one of the target's own formats (<see cref="TargetFormat"/>); set by the target when
    /// <see cref="ExchangeInputs.Format"/> is one of them, null otherwise.
    /// </summary>
    internal TargetFormatWriter? Deliver { get; init; }

    /// <summary>Writes the non-secret facts as JSON members.</summary>
    internal Action<Utf8JsonWriter>? Facts { get; }

    /// <summary>What <c>cleanup</c> must undo.</summary>
    internal CleanupEntry? Cleanup { get; }

    /// <summary>Secrets to mask before any output: the secret variables' values and the token cleanup will revoke.</summary>
    internal IEnumerable<string> Secrets =>
        Variables.Where(v => v.Secret).Select(v => v.Value)
            .Concat(Cleanup?.Token is { } token ? [token] : []);
}

/// <summary>One non-secret step output, e.g. <c>aws-account-id</c>.</summary>
/// <param name="Name">The output's name: lower-case letters, digits and <c>-</c>, as the official actions name theirs.</param>
/// <param name="Value">The value (never a credential).</param>
internal sealed record StepOutput(string Name, string Value);

/// <summary>What every target's preparation gets: the parsed common options and the environment.</summary>
/// <param name="Context">The environment and stdin.</param>
/// <param name="Endpoint">The parsed <c>--endpoint</c>, or null (absent, or malformed: a problem was then added).</param>
/// <param name="EndpointGiven">True when <c>--endpoint</c> was on the command line, even if malformed.</param>
/// <param name="Audience">The <c>--audience</c>, or null.</param>
/// <param name="Problems">Where usage problems are added (each becomes a line on stderr, then exit 2).</param>
/// <param name="Format">The <c>--format</c> value: a common format or one of the target's own.</param>
/// <param name="TokenFromStdin">True with <c>--token -</c>: the token is read once from stdin, not requested from the runner.</param>
internal sealed record ExchangeInputs(
    CliContext Context, Uri? Endpoint, bool EndpointGiven, string? Audience, List<string> Problems, string Format = "env", bool TokenFromStdin = false);

/// <summary>Runs a prepared exchange with a token source.</summary>
internal delegate Task<ExchangeOutcome> ExchangeRun(IdTokenSource source, CancellationToken cancellationToken);
