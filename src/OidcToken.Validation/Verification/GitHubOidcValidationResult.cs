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
        KeyId = keyId;
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

    /// <summary>What failed, with the value seen and the value expected (e.g. <c>audience was 'x', expected 'y'</c>); null when valid.</summary>
    public string? Message { get; }

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

    /// <summary>The token header's <c>kid</c>, when it had one (a key id is public, not a secret).</summary>
    public string? KeyId { get; }

    /// <summary>A one-line description: the outcome, the failure and its message; never the token.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => IsValid
        ? string.Create(CultureInfo.InvariantCulture, $"Valid (iss={Claims.Issuer}, sub={Claims.Subject}, kid={KeyId})")
        : string.Create(CultureInfo.InvariantCulture, $"{Kind}: {Failure}: {Message}");

    internal static GitHubOidcValidationResult Valid(GitHubActionsClaims claims, string? keyId) =>
        new(claims, GitHubOidcValidationFailure.None, GitHubOidcFailureKind.None, null, keyId);

    internal static GitHubOidcValidationResult Invalid(
        GitHubOidcValidationFailure failure, string message, string? keyId = null, string? setting = null, string? detail = null) =>
        new(null, failure, GitHubOidcFailureKind.Invalid, message, keyId, setting, detail);

    internal static GitHubOidcValidationResult KeysUnavailable(string message, string? keyId = null, string? setting = null, string? detail = null) =>
        new(null, GitHubOidcValidationFailure.KeysUnavailable, GitHubOidcFailureKind.KeysUnavailable, message, keyId, setting, detail);
}
