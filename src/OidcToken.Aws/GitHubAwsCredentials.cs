using Amazon.Runtime;
using OidcToken.Aws.Exchange;

namespace OidcToken.Aws;

/// <summary>
/// AWS credentials for any AWS SDK client, obtained by trading a GitHub Actions ID token with STS
/// <c>AssumeRoleWithWebIdentity</c>, that refresh themselves: each refresh asks the <see cref="IdTokenSource"/> for a
/// <b>fresh</b> GitHub token (GitHub's expire after about five minutes, so one is never kept for later) and assumes the
/// role again, <see cref="RefreshingAWSCredentials.PreemptExpiryTime"/> (default 5 minutes) before the credentials expire.
/// </summary>
/// <remarks>
/// <para>
/// The STS call is unsigned, made by an anonymous client that OidcToken configures: redirects off, response bodies
/// capped at 64 KiB, the SDK's own retries off (they would resend the same token) and OidcToken's instead: a fresh token
/// per attempt, temporary errors only (network, HTTP 5xx, <c>IDPCommunicationError</c>, throttling), bounded by
/// <see cref="GitHubAwsCredentialsOptions.MaxAttempts"/> and <see cref="GitHubAwsCredentialsOptions.Deadline"/>.
/// </para>
/// <para>
/// Failures surface from <see cref="AWSCredentials.GetCredentials"/>, <see cref="AWSCredentials.GetCredentialsAsync"/> and
/// so from any SDK call as <see cref="OidcTokenException"/>: <see cref="OidcTokenErrorCode.ExchangeRefused"/> with STS's
/// code and message and the token's claims, <see cref="OidcTokenErrorCode.ExchangeFailed"/> after retries, or
/// <see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/>; a failure of the token source passes through unchanged.
/// A failure during a background refresh (inside the preempt window) is not reported; the next call after the current
/// credentials expire tries again and reports it.
/// </para>
/// <para>Dispose the instance to release its STS client.</para>
/// </remarks>
/// <example>
/// <code>
/// using var credentials = new GitHubAwsCredentials(IdTokenSources.Runner, new GitHubAwsCredentialsOptions
/// {
///     RoleArn = "arn:aws:iam::123456789012:role/github-actions",
///     Region = "eu-west-1",
/// });
/// using var s3 = new AmazonS3Client(credentials, RegionEndpoint.EUWest1);
/// </code>
/// </example>
public sealed class GitHubAwsCredentials : RefreshingAWSCredentials
{
    /// <summary>The default <see cref="RefreshingAWSCredentials.PreemptExpiryTime"/>: 5 minutes.</summary>
    public static readonly TimeSpan DefaultPreemptExpiryTime = TimeSpan.FromMinutes(5);

    private readonly StsExchange _exchange;

    /// <summary>Creates credentials that assume <see cref="GitHubAwsCredentialsOptions.RoleArn"/> on first use and refresh before expiry.</summary>
    /// <param name="source">Supplies GitHub ID tokens, for example <see cref="IdTokenSources.Runner"/>; called for every attempt and refresh.</param>
    /// <param name="options">The role and how to reach STS; checked and copied now.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option breaks its rule (role ARN, session name, duration, region, endpoint, policies); the message names it.</exception>
    public GitHubAwsCredentials(IdTokenSource source, GitHubAwsCredentialsOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        _exchange = new StsExchange(source, StsSettings.From(options));
        PreemptExpiryTime = DefaultPreemptExpiryTime;
    }

    /// <summary>
    /// Assumes the role once: asks <paramref name="source"/> for a GitHub token with
    /// <see cref="GitHubAwsCredentialsOptions.Audience"/> and calls STS <c>AssumeRoleWithWebIdentity</c>, retrying temporary
    /// errors with a fresh token each time. The result does not refresh.
    /// </summary>
    /// <param name="source">Supplies GitHub ID tokens, for example <see cref="IdTokenSources.Runner"/>.</param>
    /// <param name="options">The role and how to reach STS.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The temporary credentials and what STS said about the session.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option breaks its rule; the message names it.</exception>
    /// <exception cref="OidcTokenException">
    /// STS refused (<see cref="OidcTokenErrorCode.ExchangeRefused"/>: its code and message and the token's claims), could not be
    /// reached or kept failing (<see cref="OidcTokenErrorCode.ExchangeFailed"/>), or answered with something unusable
    /// (<see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/>); or the token source failed (its own code).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<AwsSessionCredentials> AssumeRoleAsync(IdTokenSource source, GitHubAwsCredentialsOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var exchange = new StsExchange(source, StsSettings.From(options));
        return await exchange.AssumeRoleAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Assumes the role with a fresh GitHub token (blocking; the SDK calls this from synchronous code paths).</summary>
    /// <returns>The new credentials and their expiry.</returns>
    protected override CredentialsRefreshState GenerateNewCredentials() =>
        Task.Run(GenerateNewCredentialsAsync).GetAwaiter().GetResult();

    /// <summary>Assumes the role with a fresh GitHub token.</summary>
    /// <returns>The new credentials and their expiry.</returns>
    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        var result = await _exchange.AssumeRoleAsync(CancellationToken.None).ConfigureAwait(false);
        return new CredentialsRefreshState(
            new ImmutableCredentials(result.AccessKeyId, result.RevealSecretAccessKey(), result.RevealSessionToken()),
            result.Expiration.UtcDateTime);
    }

    /// <summary>Releases the STS client.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="RefreshingAWSCredentials.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _exchange.Dispose();
        }

        base.Dispose(disposing);
    }
}
