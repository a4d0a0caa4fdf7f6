using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OidcToken.Validation;

namespace OidcToken.AspNetCore;

/// <summary>
/// One <see cref="GitHubOidcTokenValidator"/> per authentication scheme, made on first use from the scheme's options and
/// reused by every request (its key cache and refetch rate limit are per validator); disposed with the application.
/// </summary>
internal sealed class GitHubOidcValidators(IOptionsMonitor<GitHubOidcAuthenticationOptions> options, ILoggerFactory loggerFactory) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<GitHubOidcTokenValidator>> _validators = new(StringComparer.Ordinal);
    private readonly IOptionsMonitor<GitHubOidcAuthenticationOptions> _options = options;
    private readonly ILoggerFactory _loggerFactory = loggerFactory;

    public GitHubOidcTokenValidator Get(string scheme) =>
        _validators.GetOrAdd(
            scheme,
            static (name, self) => new Lazy<GitHubOidcTokenValidator>(
                () => new GitHubOidcTokenValidator(self._options.Get(name).ToValidationOptions(self._loggerFactory)),
                LazyThreadSafetyMode.ExecutionAndPublication),
            this).Value;

    public void Dispose()
    {
        foreach (var validator in _validators.Values)
        {
            if (validator.IsValueCreated)
            {
                validator.Value.Dispose();
            }
        }
    }
}
