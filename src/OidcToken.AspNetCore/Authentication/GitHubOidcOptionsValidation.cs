using Microsoft.Extensions.Options;
using OidcToken.Validation;

namespace OidcToken.AspNetCore;

/// <summary>
/// Checks a scheme's options at start-up with the validator's own rules (one list of every problem, each naming the
/// setting and its fix), plus <see cref="GitHubOidcAuthenticationOptions.RetryAfter"/>.
/// </summary>
internal sealed class GitHubOidcOptionsValidation : IValidateOptions<GitHubOidcAuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubOidcAuthenticationOptions options)
    {
        var failures = new List<string>();
        if (options.RetryAfter < TimeSpan.FromSeconds(1) || options.RetryAfter > TimeSpan.FromHours(1))
        {
            failures.Add($"RetryAfter is {options.RetryAfter.TotalSeconds:0.###} s: use 1 s to 1 hour (default 30 s).");
        }

        try
        {
            // Constructing a validator checks every setting and fetches nothing.
            new GitHubOidcTokenValidator(options.ToValidationOptions(loggerFactory: null)).Dispose();
        }
        catch (GitHubOidcSettingsException ex)
        {
            failures.AddRange(ex.Problems.Select(p => p.Message));
        }

        return failures.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(failures.Select(f => $"GitHub OIDC authentication scheme '{name}': {f}"));
    }
}
