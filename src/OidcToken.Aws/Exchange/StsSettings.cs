using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OidcToken.Rules;

namespace OidcToken.Aws.Exchange;

/// <summary>A checked, immutable copy of <see cref="GitHubAwsCredentialsOptions"/>.</summary>
internal sealed partial class StsSettings
{
    internal const int MinDurationSeconds = 900;
    internal const int MaxDurationSeconds = 43200;
    internal const int MaxPolicyLength = 2048;
    internal const int MaxPolicyArns = 10;
    internal const string DefaultRegion = "us-east-1";

    private StsSettings(
        string roleArn,
        string sessionName,
        int durationSeconds,
        string region,
        string audience,
        Uri? endpoint,
        string? policy,
        IReadOnlyList<string> policyArns,
        IReadOnlyList<string> allowedAccountIds,
        int maxAttempts,
        TimeSpan deadline)
    {
        AllowedAccountIds = allowedAccountIds;
        RoleArn = roleArn;
        SessionName = sessionName;
        DurationSeconds = durationSeconds;
        Region = region;
        Audience = audience;
        Endpoint = endpoint;
        Policy = policy;
        PolicyArns = policyArns;
        MaxAttempts = maxAttempts;
        Deadline = deadline;
    }

    public string RoleArn { get; }

    public string SessionName { get; }

    public int DurationSeconds { get; }

    public string Region { get; }

    public string Audience { get; }

    public Uri? Endpoint { get; }

    public string? Policy { get; }

    public IReadOnlyList<string> PolicyArns { get; }

    /// <summary>The accounts the role may belong to (checked with GetCallerIdentity); empty for no check.</summary>
    public IReadOnlyList<string> AllowedAccountIds { get; }

    public int MaxAttempts { get; }

    public TimeSpan Deadline { get; }

    /// <summary>Checks every option before anything is sent; the message of each <see cref="ArgumentException"/> names the rule.</summary>
    public static StsSettings From(GitHubAwsCredentialsOptions options, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        environment ??= Environment.GetEnvironmentVariable;

        var roleArn = options.RoleArn;
        if (string.IsNullOrWhiteSpace(roleArn))
        {
            throw new ArgumentException(
                "RoleArn is required: the ARN of the IAM role to assume, for example arn:aws:iam::123456789012:role/github-actions.",
                nameof(GitHubAwsCredentialsOptions.RoleArn));
        }

        if (!RoleArnPattern().IsMatch(roleArn))
        {
            throw new ArgumentException(
                $"RoleArn '{Shorten(roleArn)}' is not an IAM role ARN: it must match ^arn:aws[a-z-]*:iam::\\d{{12}}:role/[\\w+=,.@/-]+$ " +
                "(for example arn:aws:iam::123456789012:role/github-actions; a role name alone is not accepted).",
                nameof(GitHubAwsCredentialsOptions.RoleArn));
        }

        var sessionName = options.SessionName;
        if (sessionName is null || !SessionNamePattern().IsMatch(sessionName))
        {
            throw new ArgumentException(
                $"SessionName '{Shorten(sessionName ?? "(null)")}' is not a valid role session name: it must be 2 to 64 characters " +
                "from letters, digits and _+=,.@- (rule ^[\\w+=,.@-]{2,64}$).",
                nameof(GitHubAwsCredentialsOptions.SessionName));
        }

        var seconds = options.Duration.TotalSeconds;
        if (double.IsNaN(seconds) || seconds < MinDurationSeconds || seconds >= MaxDurationSeconds + 1)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Duration {options.Duration} is out of range: STS accepts {MinDurationSeconds} s (15 minutes) to {MaxDurationSeconds} s (12 hours), and no more than the role's maximum session duration."),
                nameof(GitHubAwsCredentialsOptions.Duration));
        }

        var region = options.Region ?? NonEmpty(environment("AWS_REGION")) ?? NonEmpty(environment("AWS_DEFAULT_REGION")) ?? DefaultRegion;
        if (!RegionPattern().IsMatch(region))
        {
            throw new ArgumentException(
                $"Region '{Shorten(region)}' is not an AWS region name such as us-east-1, eu-west-1 or cn-northwest-1 " +
                "(set by GitHubAwsCredentialsOptions.Region, else AWS_REGION or AWS_DEFAULT_REGION).",
                nameof(GitHubAwsCredentialsOptions.Region));
        }

        var audience = options.Audience;
        if (audience is null || (audience.Length > 0 && string.IsNullOrWhiteSpace(audience)) || audience.Trim() != audience)
        {
            throw new ArgumentException(
                "Audience must be the aud the IAM OIDC provider lists as a client id (default sts.amazonaws.com), without surrounding white space.",
                nameof(GitHubAwsCredentialsOptions.Audience));
        }

        var endpoint = options.Endpoint;
        if (endpoint is not null)
        {
            CheckEndpoint(endpoint.IsAbsoluteUri ? endpoint.AbsoluteUri : endpoint.OriginalString, "Endpoint");
        }

        var policy = options.Policy;
        if (policy is not null)
        {
            if (policy.Length == 0 || policy.Length > MaxPolicyLength)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Policy must be a JSON session policy of 1 to {MaxPolicyLength} characters (it has {policy.Length})."),
                    nameof(GitHubAwsCredentialsOptions.Policy));
            }

            try
            {
                using var document = JsonDocument.Parse(policy);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ArgumentException("Policy must be a JSON object (an IAM policy document with Version and Statement).", nameof(GitHubAwsCredentialsOptions.Policy));
                }
            }
            catch (JsonException ex)
            {
                throw new ArgumentException("Policy is not valid JSON: " + ex.Message, nameof(GitHubAwsCredentialsOptions.Policy), ex);
            }
        }

        var policyArns = options.PolicyArns.ToArray();
        if (policyArns.Length > MaxPolicyArns)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"PolicyArns has {policyArns.Length} entries; STS accepts at most {MaxPolicyArns}."),
                nameof(GitHubAwsCredentialsOptions.PolicyArns));
        }

        foreach (var arn in policyArns)
        {
            if (arn is null || !PolicyArnPattern().IsMatch(arn))
            {
                throw new ArgumentException(
                    $"PolicyArns entry '{Shorten(arn ?? "(null)")}' is not an IAM policy ARN (arn:aws:iam::<account id or aws>:policy/<path and name>).",
                    nameof(GitHubAwsCredentialsOptions.PolicyArns));
            }
        }

        var allowedAccountIds = options.AllowedAccountIds.ToArray();
        foreach (var account in allowedAccountIds)
        {
            if (account is null || !AccountIdPattern().IsMatch(account))
            {
                throw new ArgumentException(
                    $"AllowedAccountIds entry '{Shorten(account ?? "(null)")}' is not an AWS account id (12 digits, for example 123456789012).",
                    nameof(GitHubAwsCredentialsOptions.AllowedAccountIds));
            }
        }

        if (options.MaxAttempts is < 1 or > 10)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"MaxAttempts is {options.MaxAttempts}; it must be 1 to 10."),
                nameof(GitHubAwsCredentialsOptions.MaxAttempts));
        }

        if (options.Deadline <= TimeSpan.Zero || options.Deadline > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Deadline is {options.Deadline}; it must be more than zero and at most 10 minutes."),
                nameof(GitHubAwsCredentialsOptions.Deadline));
        }

        return new StsSettings(
            roleArn,
            sessionName,
            (int)seconds,
            region,
            audience,
            endpoint,
            policy,
            policyArns,
            allowedAccountIds,
            options.MaxAttempts,
            options.Deadline);
    }

    /// <summary>Applies the transport rule to an endpoint from an option or an SDK variable: https, or plain http to loopback only.</summary>
    public static void CheckEndpoint(string url, string source)
    {
        var problem = UrlRules.CheckSecureUrl(url, out var uri);
        if (problem is null && (!string.IsNullOrEmpty(uri!.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment)))
        {
            problem = "an STS endpoint takes no user info, query or fragment";
        }

        if (problem is not null)
        {
            throw new ArgumentException(
                $"The STS endpoint '{Shorten(url)}' from {source} cannot be used: {problem}. " +
                "Use https, or plain http only to a loopback address (127.0.0.0/8, ::1, localhost) for a local mock.",
                source);
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Shorten(string value) => value.Length <= 200 ? value : value[..200] + "…";

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]{2,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[0-9]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9_+=,.@/-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex PolicyArnPattern();
}
