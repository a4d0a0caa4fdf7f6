using System.Diagnostics;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using OidcToken.Resilience;

namespace OidcToken.Aws.Exchange;

/// <summary>
/// One STS client and the shared attempt policy around <c>AssumeRoleWithWebIdentity</c>: a fresh GitHub token for every attempt,
/// retries only for temporary errors (the SDK's own retries are off, because they would resend the same token), and
/// every failure translated into an <see cref="OidcTokenException"/>.
/// </summary>
internal sealed class StsExchange : IDisposable
{
    internal static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);
    internal static readonly TimeSpan BackoffBase = TimeSpan.FromMilliseconds(200);
    internal static readonly TimeSpan BackoffCap = TimeSpan.FromSeconds(5);

    private readonly IdTokenSource _source;
    private readonly StsSettings _settings;
    private readonly TimeProvider _time;
    private readonly AmazonSecurityTokenServiceClient _client;
    private readonly AttemptPolicy<StsAttempt> _policy;

    public StsExchange(IdTokenSource source, StsSettings settings, TimeProvider? time = null)
    {
        _source = source;
        _settings = settings;
        _time = time ?? TimeProvider.System;
        _client = CreateClient(settings, new AnonymousAWSCredentials());
        _policy = BuildPolicy(settings, _time);
    }

    /// <summary>The host STS calls go to, for messages.</summary>
    public string Host { get; private set; } = "sts";

    public void Dispose() => _client.Dispose();

    public async Task<AwsSessionCredentials> AssumeRoleAsync(CancellationToken cancellationToken)
    {
        var run = new StsRun(this);
        var report = await _policy.RunAsync(static (run, token) => run.Exchange.AttemptAsync(run, token), run, cancellationToken).ConfigureAwait(false);
        var token = run.Token;
        if (report.Stop == AttemptStop.DeadlinePassed)
        {
            throw StsMessages.Timeout(_settings, Host, FailureOf(report.Last), token, report.Attempts, report.Elapsed);
        }

        report.Last?.ThrowIfException();
        var last = FailureOf(report.Last);
        if (report.Result is { Response: { } response })
        {
            var result = ToResult(response, report.Attempts, report.Elapsed);
            return _settings.AllowedAccountIds.Count == 0
                ? result
                : await CheckAccountAsync(result, token, report.Attempts, report.Elapsed, cancellationToken).ConfigureAwait(false);
        }

        throw (report.Stop, last!.Kind) switch
        {
            (AttemptStop.WaitBeyondDeadline, _) => StsMessages.Timeout(_settings, Host, last, token, report.Attempts, report.Elapsed),
            (_, StsFailureKind.ExpiredToken or StsFailureKind.Refused) => StsMessages.Refused(_settings, last, token!, report.Attempts, report.Elapsed),
            (_, StsFailureKind.Invalid) => StsMessages.Invalid(_settings, Host, last, report.Attempts, report.Elapsed),
            (_, StsFailureKind.Redirect) => StsMessages.Failed(_settings, Host, last, token, report.Attempts, report.Elapsed, redirect: true),
            _ => StsMessages.Failed(_settings, Host, last, token, report.Attempts, report.Elapsed, redirect: false),
        };
    }

    /// <summary>
    /// Calls <c>GetCallerIdentity</c> with the new credentials (one call, signed by the SDK, within the attempt timeout) and
    /// returns them with the account it names when that account is allowed; otherwise nothing of them leaves this method.
    /// </summary>
    private async Task<AwsSessionCredentials> CheckAccountAsync(
        AwsSessionCredentials result, string? token, int attempts, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        GetCallerIdentityResponse identity;
        using (var client = CreateClient(_settings, result.ToAwsCredentials()))
        using (var timeout = new CancellationTokenSource(AttemptTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                identity = await client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or OperationCanceledException or TimeoutException or System.Xml.XmlException
                                       or FormatException or OverflowException or ArgumentOutOfRangeException)
            {
                var failure = StsFailure.Classify(ex, attemptTimedOut: timeout.IsCancellationRequested);
                throw StsMessages.CallerIdentityFailed(_settings, Host, failure, attempts + 1, elapsed + _time.GetElapsedTime(started));
            }
        }

        var account = identity.Account;
        if (account is null || !_settings.AllowedAccountIds.Contains(account, StringComparer.Ordinal))
        {
            throw StsMessages.AccountNotAllowed(_settings, account, identity.Arn, token, attempts + 1, elapsed + _time.GetElapsedTime(started));
        }

        return new AwsSessionCredentials(
            result.AccessKeyId,
            result.RevealSecretAccessKey(),
            result.RevealSessionToken(),
            result.Expiration,
            result.AssumedRoleArn,
            result.AssumedRoleId,
            result.SubjectFromWebIdentityToken,
            result.Audience,
            result.Provider,
            account);
    }

    /// <summary>
    /// The attempt policy of STS: temporary errors retried with a fresh token, an expired token renewed once at once,
    /// full-jitter backoff (a random wait up to 200 ms × 2^(n−1), at most 5 s), 15 s per attempt, the options' deadline.
    /// </summary>
    private static AttemptPolicy<StsAttempt> BuildPolicy(StsSettings settings, TimeProvider time) => new(
        new AttemptPolicyOptions(
            MaxAttempts: settings.MaxAttempts,
            Deadline: settings.Deadline,
            AttemptTimeout: AttemptTimeout,
            BaseDelay: BackoffBase,
            MaxDelay: BackoffCap)
        {
            JitterMin = 0,
            JitterMax = 1,
            TimeProvider = time,
        },
        static outcome => outcome.Result?.Failure?.Kind switch
        {
            StsFailureKind.Transient => AttemptVerdict.Retry(),

            // The token expired between GitHub and AWS (a slow source or a skewed clock): one more try with a new one.
            StsFailureKind.ExpiredToken => AttemptVerdict.RenewOnce,
            _ => AttemptVerdict.Settle,
        });

    /// <summary>One attempt: a fresh GitHub token, then one STS call; a classified failure is a result, cancellation is not.</summary>
    private async ValueTask<StsAttempt> AttemptAsync(StsRun run, CancellationToken cancellationToken)
    {
        var token = await _source(_settings.Audience, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new OidcTokenException(
                OidcTokenErrorCode.ExchangeResponseInvalid,
                "The GitHub token source returned an empty token, so nothing was sent to AWS STS.\n" +
                "Fix: pass a source that returns the raw JWT (IdTokenSources.Runner, FromClient or FromToken).");
        }

        run.Token = token;
        try
        {
            return new StsAttempt(await _client.AssumeRoleWithWebIdentityAsync(BuildRequest(token), cancellationToken).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or OperationCanceledException or TimeoutException or System.Xml.XmlException
                                   // The SDK's unmarshallers parse element text (e.g. Expiration as a date, or as epoch seconds) and throw
                                   // FormatException, OverflowException or ArgumentOutOfRangeException for text that is not one.
                                   or FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            return new StsAttempt(null, StsFailure.Classify(ex, attemptTimedOut: false));
        }
    }

    /// <summary>The classified failure of an attempt; an attempt timeout is a temporary one.</summary>
    private static StsFailure? FailureOf(Polly.Outcome<StsAttempt>? outcome) => outcome switch
    {
        { Exception: Polly.Timeout.TimeoutRejectedException } => new StsFailure(StsFailureKind.Transient, null, "the attempt timed out", null, null, null),
        { Exception: null, Result.Failure: { } failure } => failure,
        _ => null,
    };

    private AssumeRoleWithWebIdentityRequest BuildRequest(string token)
    {
        var request = new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = _settings.RoleArn,
            RoleSessionName = _settings.SessionName,
            WebIdentityToken = token,
            DurationSeconds = _settings.DurationSeconds,
        };
        if (_settings.Policy is not null)
        {
            request.Policy = _settings.Policy;
        }

        if (_settings.PolicyArns.Count > 0)
        {
            request.PolicyArns = _settings.PolicyArns.Select(arn => new PolicyDescriptorType { Arn = arn }).ToList();
        }

        return request;
    }

    private AwsSessionCredentials ToResult(AssumeRoleWithWebIdentityResponse response, int attempts, TimeSpan elapsed)
    {
        var credentials = response.Credentials;
        string? missing = credentials is null ? "Credentials"
            : string.IsNullOrEmpty(credentials.AccessKeyId) ? "Credentials/AccessKeyId"
            : string.IsNullOrEmpty(credentials.SecretAccessKey) ? "Credentials/SecretAccessKey"
            : string.IsNullOrEmpty(credentials.SessionToken) ? "Credentials/SessionToken"
            : credentials.Expiration is null ? "Credentials/Expiration"
            : null;
        if (missing is not null)
        {
            var failure = new StsFailure(StsFailureKind.Invalid, null, "the answer has no " + missing + " element", (int)response.HttpStatusCode, response.ResponseMetadata?.RequestId, null);
            throw StsMessages.Invalid(_settings, Host, failure, attempts, elapsed);
        }

        var expiration = credentials!.Expiration!.Value;
        var utc = expiration.Kind switch
        {
            DateTimeKind.Local => expiration.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(expiration, DateTimeKind.Utc),
            _ => expiration,
        };
        return new AwsSessionCredentials(
            credentials.AccessKeyId,
            credentials.SecretAccessKey,
            credentials.SessionToken,
            new DateTimeOffset(utc, TimeSpan.Zero),
            response.AssumedRoleUser?.Arn,
            response.AssumedRoleUser?.AssumedRoleId,
            response.SubjectFromWebIdentityToken,
            response.Audience,
            response.Provider);
    }

    /// <summary>
    /// An STS client on OidcToken's handler (redirects off, capped bodies) with the SDK's retries off: anonymous for
    /// <c>AssumeRoleWithWebIdentity</c>, or signing with assumed credentials for <c>GetCallerIdentity</c>.
    /// </summary>
    private AmazonSecurityTokenServiceClient CreateClient(StsSettings settings, AWSCredentials credentials)
    {
        var config = new AmazonSecurityTokenServiceConfig
        {
            RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region),
            MaxErrorRetry = 0,

            // The SDK also retries a reset or broken connection at once, up to 10 times, outside MaxErrorRetry ("stale
            // connection" retries); against an endpoint that resets mid-answer that resent one GitHub token 11 times per attempt.
            MaxStaleConnectionRetries = 0,
            AllowAutoRedirect = false,
            HttpClientFactory = new StsHttpClientFactory(),
        };

        if (settings.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.AbsoluteUri;
            config.AuthenticationRegion = settings.Region;
            Host = endpoint.Authority;
        }
        else if (config.ServiceURL is { Length: > 0 } configured)
        {
            // AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL (or a profile's endpoint_url), resolved by the SDK itself.
            StsSettings.CheckEndpoint(configured, "AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL");
            Host = Uri.TryCreate(configured, UriKind.Absolute, out var uri) ? uri.Authority : configured;
        }
        else
        {
            Host = "sts." + settings.Region + (settings.Region.StartsWith("cn-", StringComparison.Ordinal) ? ".amazonaws.com.cn" : ".amazonaws.com");
        }

        Debug.Assert(config.MaxErrorRetry == 0 && config.MaxStaleConnectionRetries == 0, "SDK retries must stay off: they would resend the same GitHub token.");
        return new AmazonSecurityTokenServiceClient(credentials, config);
    }

    /// <summary>What one attempt returned: STS's answer, or its classified failure.</summary>
    private sealed record StsAttempt(AssumeRoleWithWebIdentityResponse? Response, StsFailure? Failure);

    /// <summary>One exchange's run: the GitHub token of the latest attempt (for the claims in a failure).</summary>
    private sealed class StsRun(StsExchange exchange)
    {
        public StsExchange Exchange { get; } = exchange;

        public string? Token { get; set; }
    }
}
