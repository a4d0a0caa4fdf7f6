namespace OidcToken.Aws;

/// <summary>
/// What to ask AWS STS for in <c>AssumeRoleWithWebIdentity</c>, and how to reach it. Used by
/// <see cref="GitHubAwsCredentials"/> and <see cref="GitHubAwsCredentials.AssumeRoleAsync"/>; the values are checked
/// and copied when either is called, so changing the object afterwards has no effect.
/// </summary>
/// <remarks>
/// The defaults match <c>aws-actions/configure-aws-credentials</c>: session name <c>GitHubActions</c>, one hour,
/// audience <c>sts.amazonaws.com</c>. Only <see cref="RoleArn"/> is required.
/// </remarks>
public sealed class GitHubAwsCredentialsOptions
{
    /// <summary>The audience used when none is set: <c>sts.amazonaws.com</c>.</summary>
    public const string DefaultAudience = "sts.amazonaws.com";

    /// <summary>The session name used when none is set: <c>GitHubActions</c>.</summary>
    public const string DefaultSessionName = "GitHubActions";

    /// <summary>The role to assume.</summary>
    /// <value>
    /// Required. A role ARN: <c>arn:aws:iam::&lt;12-digit account&gt;:role/&lt;path and name&gt;</c> (other partitions such as
    /// <c>aws-cn</c> and <c>aws-us-gov</c> too), matching <c>^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$</c>.
    /// </value>
    public string? RoleArn { get; set; }

    /// <summary>The role session name, which appears in the assumed-role ARN and in CloudTrail.</summary>
    /// <value>Default <c>GitHubActions</c>. 2–64 characters from letters, digits and <c>_+=,.@-</c>.</value>
    public string SessionName { get; set; } = DefaultSessionName;

    /// <summary>How long the credentials are valid (<c>DurationSeconds</c>).</summary>
    /// <value>
    /// Default 1 hour. 900 s (15 minutes) to 43,200 s (12 hours), whole seconds (a fraction is dropped); more than the role's
    /// maximum session duration is refused by AWS with <c>ValidationError</c>.
    /// </value>
    public TimeSpan Duration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The AWS region whose STS endpoint is called, by system name (for example <c>eu-west-1</c>).</summary>
    /// <value>
    /// Default <see langword="null"/>: the <c>AWS_REGION</c> variable, else <c>AWS_DEFAULT_REGION</c>, else <c>us-east-1</c>.
    /// Partitions other than the commercial one (China, GovCloud) need their own region here.
    /// </value>
    public string? Region { get; set; }

    /// <summary>The audience (<c>aud</c>) of the GitHub ID token requested for STS.</summary>
    /// <value>
    /// Default <c>sts.amazonaws.com</c> (China: <c>sts.amazonaws.com.cn</c>). It must be in the client-id list of the IAM
    /// OIDC provider and match the role trust policy's <c>token.actions.githubusercontent.com:aud</c> condition.
    /// </value>
    public string Audience { get; set; } = DefaultAudience;

    /// <summary>An STS-compatible endpoint to call instead of AWS's (LocalStack, MinIO, a test mock).</summary>
    /// <value>
    /// Default <see langword="null"/>: the SDK's own resolution, which honours <c>AWS_ENDPOINT_URL_STS</c> and
    /// <c>AWS_ENDPOINT_URL</c>. Must be https; plain http only to loopback (127.0.0.0/8, <c>::1</c>, <c>localhost</c>).
    /// The same rule is applied to an endpoint that comes from those variables.
    /// </value>
    public Uri? Endpoint { get; set; }

    /// <summary>An inline session policy (JSON) that further limits what the session may do.</summary>
    /// <value>Default <see langword="null"/>: none. A JSON document of at most 2,048 characters.</value>
    public string? Policy { get; set; }

    /// <summary>ARNs of managed policies that further limit what the session may do.</summary>
    /// <value>Default empty. At most 10 IAM policy ARNs (<c>arn:aws:iam::&lt;account or aws&gt;:policy/…</c>).</value>
    public IList<string> PolicyArns { get; } = [];

    /// <summary>
    /// The AWS accounts the assumed role may belong to, as in <c>aws-actions/configure-aws-credentials</c>'
    /// <c>allowed-account-ids</c>. When set, every exchange (and every refresh) calls STS <c>GetCallerIdentity</c> with the
    /// new credentials and refuses them with <see cref="OidcTokenErrorCode.ExchangeRefused"/>, naming the account, when it is
    /// not in the list; the credentials are then discarded, never returned.
    /// </summary>
    /// <value>Default empty: no check and no extra call. Each entry is a 12-digit account id.</value>
    public IList<string> AllowedAccountIds { get; } = [];

    /// <summary>How many STS calls one exchange may make when AWS answers with a temporary error.</summary>
    /// <value>
    /// Default 3; 1 to 10. Each attempt uses a freshly requested GitHub token. Only temporary errors are retried
    /// (network, HTTP 5xx, <c>IDPCommunicationError</c>, throttling); one extra attempt is made after <c>ExpiredToken</c>.
    /// </value>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The overall time limit for one exchange, including retries and GitHub token requests.</summary>
    /// <value>Default 60 seconds; more than zero and at most 10 minutes.</value>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(60);
}
