using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OidcToken.AspNetCore;

/// <summary>Reports whether a scheme's validator holds the issuer's signing keys (fetching them when it has none yet).</summary>
internal sealed class GitHubOidcKeysHealthCheck(GitHubOidcValidators validators, string scheme) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = await validators.Get(scheme).CheckKeysAsync(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object> { ["keys"] = status.KeyCount };
        return !status.Available
            ? new HealthCheckResult(context.Registration.FailureStatus, status.Problem, data: data)
            : status.Problem is { } problem
                ? HealthCheckResult.Degraded(problem, data: data)
                : HealthCheckResult.Healthy($"{status.KeyCount} signing key(s) held", data);
    }
}
