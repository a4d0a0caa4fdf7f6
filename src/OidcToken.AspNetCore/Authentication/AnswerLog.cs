using Microsoft.Extensions.Logging;
using OidcToken.Validation;

namespace OidcToken.AspNetCore;

/// <summary>What the handler logs: the operator's full message (never the token).</summary>
internal static partial class AnswerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Scheme {Scheme} refused a GitHub ID token: {Failure}: {Reason}")]
    public static partial void Refused(ILogger logger, string scheme, GitHubOidcValidationFailure failure, string? reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Endpoint policy refused a valid GitHub ID token: {Reason}")]
    public static partial void PolicyRefused(ILogger logger, string reason);
}
