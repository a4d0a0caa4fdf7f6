using Microsoft.Extensions.Logging;

namespace OidcToken.Observability;

/// <summary>Log messages. Event ids are a public contract: never reuse or renumber one. No message carries a token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "TokenRequestStarting", Level = LogLevel.Debug,
        Message = "Requesting a GitHub ID token for audience '{Audience}' from {Host}")]
    public static partial void TokenRequestStarting(ILogger logger, string audience, string host);

    [LoggerMessage(EventId = 2, EventName = "TokenReceived", Level = LogLevel.Information,
        Message = "Received a GitHub ID token for audience '{Audience}' (sub '{Subject}', expires {ExpiresAt:O}) after {Attempts} attempt(s) in {ElapsedMs} ms")]
    public static partial void TokenReceived(ILogger logger, string? audience, string? subject, DateTimeOffset expiresAt, int attempts, long elapsedMs);

    [LoggerMessage(EventId = 3, EventName = "AttemptFailed", Level = LogLevel.Warning,
        Message = "Token request attempt {Attempt} failed ({Reason}); retrying: {WillRetry}")]
    public static partial void AttemptFailed(ILogger logger, int attempt, string reason, bool willRetry);

    [LoggerMessage(EventId = 4, EventName = "TokenRequestFailed", Level = LogLevel.Error,
        Message = "GitHub ID token request failed with {ErrorCode} after {Attempts} attempt(s) in {ElapsedMs} ms")]
    public static partial void TokenRequestFailed(ILogger logger, OidcTokenErrorCode errorCode, int attempts, long elapsedMs);

    [LoggerMessage(EventId = 5, EventName = "TokenUnavailable", Level = LogLevel.Warning,
        Message = "No GitHub ID token can be requested here: {ErrorCode}")]
    public static partial void TokenUnavailable(ILogger logger, OidcTokenErrorCode errorCode);
}
