using Microsoft.Extensions.Logging;

namespace OidcToken.Validation;

/// <summary>Log messages of the validator. Event ids are a public contract (never reused); no message carries a token or key material.</summary>
internal static partial class ValidationLog
{
    [LoggerMessage(EventId = 1001, EventName = "SigningKeysLoaded", Level = LogLevel.Information,
        Message = "Loaded {KeyCount} signing key(s) for issuer {Issuer} ({Reason})")]
    public static partial void SigningKeysLoaded(ILogger logger, int keyCount, string issuer, string reason);

    [LoggerMessage(EventId = 1002, EventName = "SigningKeysFetchFailed", Level = LogLevel.Warning,
        Message = "Fetching the signing keys of issuer {Issuer} failed: {Problem}; keeping the last good keys: {HaveKeys}")]
    public static partial void SigningKeysFetchFailed(ILogger logger, string issuer, string problem, bool haveKeys);

    [LoggerMessage(EventId = 1003, EventName = "TokenRejected", Level = LogLevel.Debug,
        Message = "Token rejected: {Failure} (kid '{KeyId}'): {Reason}")]
    public static partial void TokenRejected(ILogger logger, GitHubOidcValidationFailure failure, string? keyId, string? reason);

    [LoggerMessage(EventId = 1004, EventName = "UnknownKeyRefresh", Level = LogLevel.Debug,
        Message = "Token signed with unknown kid '{KeyId}': refreshing the signing keys of issuer {Issuer}")]
    public static partial void UnknownKeyRefresh(ILogger logger, string keyId, string issuer);
}
