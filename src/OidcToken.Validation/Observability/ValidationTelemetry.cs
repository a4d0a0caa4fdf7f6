using System.Diagnostics;
using System.Diagnostics.Metrics;
using OidcToken.Observability;

namespace OidcToken.Validation.Observability;

/// <summary>
/// Traces and metrics of validation, under the same names as the rest of OidcToken (<c>OidcToken</c>). Tags carry the
/// outcome and the key id, never a token or a claim value.
/// </summary>
internal static class ValidationTelemetry
{
    /// <summary>The shared <c>OidcToken</c> source (see the shared Telemetry class).</summary>
    internal static ActivitySource Source => Telemetry.ActivitySource;

    private static readonly Counter<long> Results = Telemetry.Meter.CreateCounter<long>(
        "oidctoken.validation.results", unit: "{token}", description: "GitHub ID tokens validated, tagged with the outcome.");

    // Outcome tag values, made once so a validation allocates nothing for its metric.
    private static readonly Dictionary<GitHubOidcValidationFailure, string> OutcomeNames =
        Enum.GetValues<GitHubOidcValidationFailure>().ToDictionary(f => f, f => f == GitHubOidcValidationFailure.None ? "valid" : f.ToString());

    /// <summary>Counts the outcome and tags the current validation activity with it.</summary>
    internal static GitHubOidcValidationResult Record(GitHubOidcValidationResult result)
    {
        var outcome = OutcomeNames[result.Failure];
        if (Results.Enabled)
        {
            Results.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }

        if (Activity.Current is { Source.Name: Telemetry.Name } activity)
        {
            activity.SetTag("oidctoken.validation.outcome", outcome);
            if (result.KeyId is { } keyId)
            {
                activity.SetTag("oidctoken.validation.kid", keyId);
            }

            if (!result.IsValid)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }

        return result;
    }
}
