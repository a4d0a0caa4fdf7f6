using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OidcToken.Validation;

/// <summary>
/// The outcome of <see cref="GitHubOidcTokenValidator.ValidateAsync"/>: valid with verified claims, or a failure code,
/// its kind and a message a human can act on. Never contains the token or its signature.
/// </summary>
public sealed class GitHubOidcValidationResult
{
    private GitHubOidcValidationResult(GitHubActionsClaims? claims, GitHubOidcValidationFailure failure, GitHubOidcFailureKind kind, string? message, string? keyId, string? setting = null, string? detail = null)
    {
        Setting = setting;
        Detail = setting is null ? message : detail;
        Claims = claims;
        Failure = failure;
        Kind = kind;
        Message = message;
        KeyId = keyId is null ? null : Text.Quote(keyId);
    }

    /// <summary>True when every check passed; <see cref="Claims"/> is then set.</summary>
    [MemberNotNullWhen(true, nameof(Claims))]
    public bool IsValid => Failure == GitHubOidcValidationFailure.None && Claims is not null;

    /// <summary>The verified claims when <see cref="IsValid"/>; otherwise null.</summary>
    public GitHubActionsClaims? Claims { get; }

    /// <summary>Why the token was not accepted; <see cref="GitHubOidcValidationFailure.None"/> when valid.</summary>
    public GitHubOidcValidationFailure Failure { get; }

    /// <summary>Whether the token was judged invalid or could not be judged because keys were unavailable.</summary>
    public GitHubOidcFailureKind Kind { get; }

    /// <summary>
    /// What failed, for operators: the value seen and the value expected (e.g. <c>audience was 'x', expected 'y'</c>) and
    /// the fix; null when valid. It names this service's configuration (issuer, audiences, policy values), so it belongs
    /// in logs, never in an answer to the caller: anyone can mint a GitHub-signed token for any audience from their own
    /// repository and could walk the configuration through it. Answer callers with <see cref="Reason"/>.
    /// </summary>
    public string? Message { get; }

    /// <summary>
    /// What failed, for the caller: the failure in a few words (e.g. <c>the token's audience is not accepted</c>), with no
    /// configured value and nothing from the token; null when valid. Safe to return in an HTTP answer (an RFC 6750
    /// <c>error_description</c>).
    /// </summary>
    public string? Reason => ClientReasons[(int)Failure];

    /// <summary>
    /// The option of <see cref="GitHubOidcValidationOptions"/> whose change the end of <see cref="Message"/> advises (e.g.
    /// <c>SigningKeys</c> when keys are unavailable or unknown); null when the message advises no option.
    /// </summary>
    public string? Setting { get; }

    /// <summary>
    /// <see cref="Message"/> without its advice about <see cref="Setting"/>, for a front end that names its own option
    /// instead (it names no member of the library); equal to <see cref="Message"/> when <see cref="Setting"/> is null.
    /// </summary>
    public string? Detail { get; }

    /// <summary>
    /// The token header's <c>kid</c>, when it had one (a key id is public, not a secret). It comes from an unverified
    /// header, so it is shown as messages show untrusted text: capped at 200 characters, control, line-separator and
    /// bidirectional formatting characters escaped as <c>\uXXXX</c> and <c>'</c> as <c>\'</c>.
    /// </summary>
    public string? KeyId { get; }

    /// <summary>A one-line description: the outcome, the failure and its message; never the token.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => IsValid
        ? string.Create(CultureInfo.InvariantCulture, $"Valid (iss={Claims.Issuer}, sub={Claims.Subject}, kid={KeyId})")
        : string.Create(CultureInfo.InvariantCulture, $"{Kind}: {Failure}: {Message}");

    private static readonly string?[] ClientReasons =
    [
        null,
        "the token is not a well-formed signed JWT",
        "the token is too large",
        "encrypted tokens are not accepted",
        "the token's signing algorithm is not accepted",
        "the token's header is not accepted",
        "the token does not name its signing key",
        "the token's signing key is not known",
        "the token's signature is not valid",
        "the token's issuer is not accepted",
        "the token's audience is not accepted",
        "the token has expired",
        "the token is not yet valid",
        "the token has no expiry",
        "the token is too old",
        "the token's claims are not accepted by this service's policy",
        "the token was already used",
        "the token could not be checked now: retry later",
        "the token's encoding is not canonical",
        "the token could not be checked now: retry later",
    ];

    internal static GitHubOidcValidationResult Valid(GitHubActionsClaims claims, string? keyId) =>
        new(claims, GitHubOidcValidationFailure.None, GitHubOidcFailureKind.None, null, keyId);

    internal static GitHubOidcValidationResult Invalid(
        GitHubOidcValidationFailure failure, string message, string? keyId = null, string? setting = null, string? detail = null) =>
        new(null, failure, GitHubOidcFailureKind.Invalid, message, keyId, setting, detail);

    internal static GitHubOidcValidationResult ReplayStoreUnavailable(string message, string? keyId) =>
        new(null, GitHubOidcValidationFailure.ReplayStoreUnavailable, GitHubOidcFailureKind.ReplayStoreUnavailable, message, keyId);

    internal static GitHubOidcValidationResult KeysUnavailable(string message, string? keyId = null, string? setting = null, string? detail = null) =>
        new(null, GitHubOidcValidationFailure.KeysUnavailable, GitHubOidcFailureKind.KeysUnavailable, message, keyId, setting, detail);
}
