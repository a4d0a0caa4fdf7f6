using Microsoft.Extensions.Logging;

namespace OidcToken.Exchange;

/// <summary>
/// Settings every HTTP exchange shares: the audience override, retries, deadline, clock and logging. Each target's
/// options add the target's own inputs. An options object is read once when an exchange starts; changing it later
/// has no effect on an exchange in progress.
/// </summary>
public abstract class ExchangeOptions
{
    /// <summary>The longest accepted <see cref="Deadline"/>.</summary>
    internal static readonly TimeSpan MaxDeadline = TimeSpan.FromMinutes(10);

    /// <summary>Only the targets' own options derive from this class.</summary>
    private protected ExchangeOptions()
    {
    }

    /// <summary>
    /// The <c>aud</c> to request the GitHub ID token for, overriding the target's own rule (each target's options say
    /// what that rule is and whether the value is required).
    /// </summary>
    /// <value>Default <see langword="null"/>: the target's rule.</value>
    public string? Audience { get; set; }

    /// <summary>
    /// How many HTTP attempts at most, counting the first. Only errors the target documents as temporary (network
    /// errors, timeouts, 408, 429, 5xx, and target-specific ones) are retried; a refusal never is. Single-use targets
    /// get a fresh GitHub ID token for every attempt.
    /// </summary>
    /// <value>1 to 10. Default 3.</value>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The overall time allowed for the exchange, retries and waits included.</summary>
    /// <value>Greater than zero, at most 10 minutes. Default 60 seconds.</value>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The time allowed for one HTTP attempt (getting the GitHub ID token included).</summary>
    /// <value>Greater than zero, at most <see cref="Deadline"/>. Default 10 seconds.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The first wait between attempts; later waits double, with ±50 % jitter, capped at 10 seconds. A
    /// <c>Retry-After</c> from the target is honoured instead when it fits in the deadline.
    /// </summary>
    /// <value>Zero to 30 seconds. Default 1 second.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock for deadlines and waits.</summary>
    /// <value>Default <see langword="null"/>: <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where log messages go (category <c>OidcToken.Exchange</c>). No message carries a token or credential.</summary>
    /// <value>Default <see langword="null"/>: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Checks the shared settings; <paramref name="typeName"/> prefixes each problem.</summary>
    internal void ValidateCommon(string typeName)
    {
        if (MaxAttempts is < 1 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, $"{typeName}.MaxAttempts must be from 1 to 10.");
        }

        if (Deadline <= TimeSpan.Zero || Deadline > MaxDeadline)
        {
            throw new ArgumentOutOfRangeException(nameof(Deadline), Deadline, $"{typeName}.Deadline must be greater than zero and at most 10 minutes.");
        }

        if (AttemptTimeout <= TimeSpan.Zero || AttemptTimeout > Deadline)
        {
            throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), AttemptTimeout, $"{typeName}.AttemptTimeout must be greater than zero and at most the Deadline.");
        }

        if (RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, $"{typeName}.RetryDelay must be from zero to 30 seconds.");
        }

        if (Audience is not null && (Audience.Length == 0 || string.IsNullOrWhiteSpace(Audience) || Audience.Any(char.IsControl)))
        {
            throw new ArgumentException($"{typeName}.Audience must be null (the target's rule) or a non-blank value without control characters.", nameof(Audience));
        }
    }
}
