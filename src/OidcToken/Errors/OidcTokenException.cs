using System.Globalization;

namespace OidcToken;

/// <summary>
/// The one exception OidcToken throws for anything other than caller bugs (argument exceptions) and
/// cancellation (<see cref="OperationCanceledException"/>, which always passes through unchanged).
/// Branch on <see cref="ErrorCode"/>; <see cref="Exception.HelpLink"/> points at the matching section of
/// <c>docs/TROUBLESHOOTING.md</c>.
/// </summary>
/// <remarks>
/// Messages name what happened, the most likely cause and the fix. They never contain the request
/// token, an ID token or any credential; server messages are length-capped and scrubbed first.
/// </remarks>
public sealed class OidcTokenException : Exception
{
    /// <summary>The base address of the troubleshooting guide that <see cref="Exception.HelpLink"/> points into.</summary>
    /// <remarks>Built from the project's one address setting (<c>OidcTokenTroubleshootingUrl</c>, which the packages'
    /// project and repository URLs come from too).</remarks>
    public const string TroubleshootingBaseUrl = PackageLinks.TroubleshootingUrl;

    /// <summary>Creates an exception with a code and a message.</summary>
    /// <param name="errorCode">The stable error code.</param>
    /// <param name="message">What happened, why, and how to fix it.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public OidcTokenException(OidcTokenErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        HelpLink = GetHelpLink(errorCode);
    }

    /// <summary>The stable error code.</summary>
    public OidcTokenErrorCode ErrorCode { get; }

    /// <summary>The HTTP status of the last response, when the endpoint answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>How many HTTP requests were made (0 when no request was attempted).</summary>
    public int Attempts { get; init; }

    /// <summary>Time from the start of the operation until it failed.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The server's request id (for example <c>x-github-request-id</c>), when one was returned.</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// The option whose change the message's fix advises, as a property name of the options type the failing call used
    /// (e.g. <c>MaxAttempts</c> or <c>Deadline</c>); null when the fix names no option.
    /// </summary>
    public string? Setting { get; init; }

    /// <summary>
    /// The exact text of <see cref="Exception.Message"/> that names <see cref="Setting"/> in the library's terms (e.g.
    /// <c>VaultJwtLoginOptions.MaxAttempts</c>), so a front end with its own name for the option (a command-line flag) can
    /// put that name in its place without reading the rest of the message; null when <see cref="Setting"/> is null.
    /// </summary>
    public string? SettingReference { get; init; }

    /// <summary>The process exit code the <c>oidc-token</c> command line uses for this error.</summary>
    public int ExitCode => GetExitCode(ErrorCode);

    /// <summary>Returns the troubleshooting link for a code.</summary>
    /// <param name="errorCode">The code.</param>
    /// <returns>An absolute URL with the code's anchor.</returns>
    public static string GetHelpLink(OidcTokenErrorCode errorCode) =>
        TroubleshootingBaseUrl + "#" + GetAnchor(errorCode);

    /// <summary>Returns the anchor of a code's section in <c>docs/TROUBLESHOOTING.md</c>, e.g. <c>permissionmissing</c>.</summary>
    /// <param name="errorCode">The code.</param>
    /// <returns>The lower-case anchor.</returns>
    public static string GetAnchor(OidcTokenErrorCode errorCode) =>
        errorCode.ToString().ToLowerInvariant();

    /// <summary>Maps a code to the command line's exit code (3 environment, 4 request failed, 5 unusable answer, 6 invalid token, 7 exchange refused).</summary>
    /// <param name="errorCode">The code.</param>
    /// <returns>The exit code.</returns>
    public static int GetExitCode(OidcTokenErrorCode errorCode) => (int)errorCode switch
    {
        < 100 => 3,
        < 200 => 4,
        < 300 => 5,
        < 400 => 6,
        _ => 7,
    };

    /// <summary>Appends the code, status, attempts and elapsed time to the standard representation.</summary>
    /// <returns>A description that never contains a secret.</returns>
    public override string ToString()
    {
        var details = string.Create(
            CultureInfo.InvariantCulture,
            $"ErrorCode={ErrorCode} ({(int)ErrorCode}), StatusCode={StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}, Attempts={Attempts}, Elapsed={Elapsed.TotalMilliseconds:0}ms");
        return base.ToString() + Environment.NewLine + details;
    }
}
