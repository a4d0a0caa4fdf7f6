namespace OidcToken.Testing;

/// <summary>
/// Settings for <see cref="MockAwsSts.Start(MockAwsStsOptions?)"/>: where the mock listens and how the role it pretends
/// to guard is configured. Values are copied at start; <see cref="MockAwsSts.SubjectPattern"/> and
/// <see cref="MockAwsSts.CredentialLifetime"/> can also be changed on the running mock.
/// </summary>
public sealed class MockAwsStsOptions
{
    /// <summary>The TCP port to listen on at 127.0.0.1.</summary>
    /// <value>Default <c>0</c>: any free port.</value>
    public int Port { get; set; }

    /// <summary>The audiences the simulated IAM OIDC provider lists as client ids; a token with another <c>aud</c> gets <c>InvalidIdentityToken</c> ("Incorrect token audience").</summary>
    /// <value>Default <c>sts.amazonaws.com</c> only.</value>
    public IList<string> AllowedAudiences { get; } = ["sts.amazonaws.com"];

    /// <summary>
    /// The trust policy's <c>token.actions.githubusercontent.com:sub</c> condition, as an IAM <c>StringLike</c> pattern
    /// (<c>*</c> any run of characters, <c>?</c> one character); a token whose <c>sub</c> does not match gets HTTP 403
    /// <c>AccessDenied</c> ("Not authorized to perform sts:AssumeRoleWithWebIdentity").
    /// </summary>
    /// <value>Default <see langword="null"/>: any subject.</value>
    public string? SubjectPattern { get; set; }

    /// <summary>
    /// The role's trust policy document (JSON, as <c>aws iam update-assume-role-policy</c> takes it), evaluated as IAM does
    /// for a web identity: a statement applies when its <c>Action</c> is <c>sts:AssumeRoleWithWebIdentity</c> (or <c>sts:*</c>,
    /// <c>*</c>), its <c>Principal.Federated</c> is <c>arn:aws:iam::&lt;the requested role's account&gt;:oidc-provider/&lt;the token's
    /// iss without https://&gt;</c>, and every condition holds; an applicable <c>Deny</c> refuses, else an applicable
    /// <c>Allow</c> admits. Conditions: <c>StringEquals</c>, <c>StringLike</c>, <c>StringNotEquals</c> and <c>StringNotLike</c>
    /// on the keys <c>&lt;iss without https://&gt;:aud</c> and <c>:sub</c> (a string or a list, any of which matches); a
    /// condition on another key or with another operator never holds. A refused token gets HTTP 403 <c>AccessDenied</c>
    /// ("Not authorized to perform sts:AssumeRoleWithWebIdentity"). Applies on top of <see cref="AllowedAudiences"/> (the
    /// provider's client ids) and <see cref="SubjectPattern"/>.
    /// </summary>
    /// <value>Default <see langword="null"/>: no trust policy beyond <see cref="SubjectPattern"/>.</value>
    public string? TrustPolicy { get; set; }

    /// <summary>The issuer the simulated IAM OIDC provider was created for; a token with another <c>iss</c> gets <c>InvalidIdentityToken</c>.</summary>
    /// <value>Default <see langword="null"/>: any issuer (set it to <see cref="MockGitHubOidcIssuer.Issuer"/> to check).</value>
    public string? ExpectedIssuer { get; set; }

    /// <summary>The role's maximum session duration; a longer <c>DurationSeconds</c> gets <c>ValidationError</c>.</summary>
    /// <value>Default 1 hour; 1 to 12 hours, as in IAM.</value>
    public TimeSpan MaxSessionDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long issued credentials live, overriding the requested <c>DurationSeconds</c> (use a short one to prove refresh).</summary>
    /// <value>Default <see langword="null"/>: the requested <c>DurationSeconds</c> (3600 when absent).</value>
    public TimeSpan? CredentialLifetime { get; set; }

    /// <summary>The account id in the ARNs the mock returns (assumed-role ARN, provider ARN).</summary>
    /// <value>Default <see langword="null"/>: the account of the requested role ARN.</value>
    public string? AccountId { get; set; }

    /// <summary>The clock for <c>Expiration</c> and the token's <c>exp</c> check. The AWS SDK uses the system clock, so keep the default when testing through it.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
