using Microsoft.Extensions.Logging;

namespace OidcToken.Exchange.Common;

/// <summary>Log messages of the HTTP exchanges. Event ids are a public contract: never reuse or renumber one. No message carries a token.</summary>
internal static partial class ExchangeLog
{
    [LoggerMessage(EventId = 501, EventName = "ExchangeStarting", Level = LogLevel.Debug,
        Message = "{Operation} at {Target} ({Host}) starting")]
    public static partial void Starting(ILogger logger, string operation, string target, string host);

    [LoggerMessage(EventId = 502, EventName = "ExchangeAttemptFailed", Level = LogLevel.Warning,
        Message = "{Operation} at {Target}: attempt {Attempt} failed ({Reason}); retrying: {WillRetry}")]
    public static partial void AttemptFailed(ILogger logger, string operation, string target, int attempt, string reason, bool willRetry);

    [LoggerMessage(EventId = 503, EventName = "ExchangeSucceeded", Level = LogLevel.Information,
        Message = "{Operation} at {Target} succeeded after {Attempts} attempt(s) in {ElapsedMs} ms")]
    public static partial void Succeeded(ILogger logger, string operation, string target, int attempts, long elapsedMs);

    [LoggerMessage(EventId = 504, EventName = "ExchangeFailed", Level = LogLevel.Error,
        Message = "{Operation} at {Target} failed with {ErrorCode} after {Attempts} attempt(s) in {ElapsedMs} ms")]
    public static partial void Failed(ILogger logger, string operation, string target, OidcTokenErrorCode errorCode, int attempts, long elapsedMs);
}
