namespace OidcToken.Validation;

/// <summary>
/// One problem found in a <see cref="GitHubOidcValidationOptions"/> or a <see cref="GitHubClaimPolicyBuilder"/>, as data: the
/// setting at fault and what is wrong with it, so a front end (a command line, a configuration binder) can name its own
/// option for the setting instead of the library's member name.
/// </summary>
public sealed class GitHubOidcSettingProblem
{
    internal GitHubOidcSettingProblem(string setting, string description, string? optOutSetting = null, string? message = null)
    {
        Setting = setting;
        Description = description;
        OptOutSetting = optOutSetting;
        Message = message ?? setting + ": " + description;
    }

    /// <summary>
    /// The setting at fault: a property name of <see cref="GitHubOidcValidationOptions"/> (e.g. <c>Audiences</c>,
    /// <c>SigningKeys</c>) or a method name of <see cref="GitHubClaimPolicyBuilder"/> (e.g. <c>RepositoryId</c>, <c>Subject</c>).
    /// </summary>
    public string Setting { get; }

    /// <summary>
    /// What is wrong and how to fix it, without naming <see cref="Setting"/> or any other member (e.g.
    /// <c>'12a' is not a numeric id (digits only)…</c>), so it reads after any name for the setting.
    /// </summary>
    public string Description { get; }

    /// <summary>
    /// The setting that accepts the risk instead of fixing the value (e.g. <c>AllowDefaultAudience</c>,
    /// <c>AllowAnyRepository</c>), when there is one; otherwise null.
    /// </summary>
    public string? OptOutSetting { get; }

    /// <summary>The problem as the exception message lists it, in the library's terms (it names the members).</summary>
    public string Message { get; }

    /// <summary>Returns <see cref="Message"/>.</summary>
    /// <returns>The problem in the library's terms.</returns>
    public override string ToString() => Message;
}
