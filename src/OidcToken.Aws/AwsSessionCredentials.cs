using System.Globalization;
using Amazon.Runtime;

namespace OidcToken.Aws;

/// <summary>
/// Temporary AWS credentials from one <c>AssumeRoleWithWebIdentity</c> call (see
/// <see cref="GitHubAwsCredentials.AssumeRoleAsync"/>). The secret access key and the session token come only from
/// <see cref="RevealSecretAccessKey"/> and <see cref="RevealSessionToken"/>, never a property, so loggers and serializers
/// that walk properties see nothing; <see cref="ToString"/> is redacted. These credentials do not refresh themselves:
/// use <see cref="GitHubAwsCredentials"/> for a long-running process.
/// </summary>
public sealed class AwsSessionCredentials
{
    private readonly string _secretAccessKey;
    private readonly string _sessionToken;

    internal AwsSessionCredentials(
        string accessKeyId,
        string secretAccessKey,
        string sessionToken,
        DateTimeOffset expiration,
        string? assumedRoleArn,
        string? assumedRoleId,
        string? subjectFromWebIdentityToken,
        string? audience,
        string? provider,
        string? accountId = null)
    {
        AccessKeyId = accessKeyId;
        _secretAccessKey = secretAccessKey;
        _sessionToken = sessionToken;
        Expiration = expiration;
        AssumedRoleArn = assumedRoleArn;
        AssumedRoleId = assumedRoleId;
        SubjectFromWebIdentityToken = subjectFromWebIdentityToken;
        Audience = audience;
        Provider = provider;
        AccountId = accountId ?? AccountOf(assumedRoleArn);
    }

    /// <summary>The access key id (<c>ASIA…</c>), exported as <c>AWS_ACCESS_KEY_ID</c>. Not a secret by itself, but mask it in CI logs.</summary>
    public string AccessKeyId { get; }

    /// <summary>When the credentials expire, as STS reported it (UTC).</summary>
    public DateTimeOffset Expiration { get; }

    /// <summary>The ARN of the assumed-role session, for example <c>arn:aws:sts::123456789012:assumed-role/Role/GitHubActions</c>; <see langword="null"/> when STS did not return it.</summary>
    public string? AssumedRoleArn { get; }

    /// <summary>
    /// The AWS account the assumed role belongs to (12 digits): from STS <c>GetCallerIdentity</c> when
    /// <see cref="GitHubAwsCredentialsOptions.AllowedAccountIds"/> made the exchange call it, else read from
    /// <see cref="AssumedRoleArn"/> (<c>arn:aws:sts::&lt;account&gt;:assumed-role/…</c>); <see langword="null"/> when neither is known.
    /// </summary>
    public string? AccountId { get; }

    /// <summary>The assumed-role id (<c>AROA…:&lt;session name&gt;</c>); <see langword="null"/> when STS did not return it.</summary>
    public string? AssumedRoleId { get; }

    /// <summary>The <c>sub</c> STS read from the GitHub token, for example <c>repo:octo-org/octo-repo:ref:refs/heads/main</c>.</summary>
    public string? SubjectFromWebIdentityToken { get; }

    /// <summary>The <c>aud</c> STS read from the GitHub token (normally <c>sts.amazonaws.com</c>).</summary>
    public string? Audience { get; }

    /// <summary>The IAM OIDC provider that validated the token (an ARN ending in <c>oidc-provider/token.actions.githubusercontent.com</c>).</summary>
    public string? Provider { get; }

    /// <summary>Returns the secret access key (<c>AWS_SECRET_ACCESS_KEY</c>). Treat it as a secret: never log or print it.</summary>
    /// <returns>The secret access key.</returns>
    public string RevealSecretAccessKey() => _secretAccessKey;

    /// <summary>Returns the session token (<c>AWS_SESSION_TOKEN</c>). Treat it as a secret: never log or print it.</summary>
    /// <returns>The session token.</returns>
    public string RevealSessionToken() => _sessionToken;

    /// <summary>Returns these credentials as an <see cref="AWSCredentials"/> for any AWS SDK client. They do not refresh.</summary>
    /// <returns>A new <see cref="SessionAWSCredentials"/>.</returns>
    public AWSCredentials ToAwsCredentials() => new SessionAWSCredentials(AccessKeyId, _secretAccessKey, _sessionToken);

    /// <summary>A redacted description: role, subject and expiry; never the secret key or the session token.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"AwsSessionCredentials(role={AssumedRoleArn ?? "(unknown)"}, sub={SubjectFromWebIdentityToken ?? "(unknown)"}, expires={Expiration:O}, " +
        $"accessKeyId={Prefix(AccessKeyId)}…, secretAccessKey=[redacted], sessionToken=[redacted])");

    /// <summary>The account field of an ARN (<c>arn:partition:service:region:account:resource</c>) when it is 12 digits.</summary>
    internal static string? AccountOf(string? arn)
    {
        var parts = arn?.Split(':', 6);
        return parts is { Length: 6 } && parts[0] == "arn" && parts[4].Length == 12 && parts[4].All(char.IsAsciiDigit) ? parts[4] : null;
    }

    private static string Prefix(string value) => value.Length <= 4 ? string.Empty : value[..4];
}
