using System.Diagnostics;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace OidcToken.Aws.Exchange;

/// <summary>
/// One STS client and the attempt loop around <c>AssumeRoleWithWebIdentity</c>: a fresh GitHub token for every attempt,
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

    public StsExchange(IdTokenSource source, StsSettings settings, TimeProvider? time = null)
    {
        _source = source;
        _settings = settings;
        _time = time ?? TimeProvider.System;
        _client = CreateClient(settings);
    }

    /// <summary>The host STS calls go to, for messages.</summary>
    public string Host { get; private set; } = "sts";

    public void Dispose() => _client.Dispose();

    public async Task<AwsSessionCredentials> AssumeRoleAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var deadline = new CancellationTokenSource(_settings.Deadline, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var attempts = 0;
        var maxAttempts = _settings.MaxAttempts;
        var expiredRetried = false;
        StsFailure? last = null;
        string? lastToken = null;

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string token;
            try
            {
                token = await _source(_settings.Audience, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
            {
                throw StsMessages.Timeout(_settings, Host, last, lastToken, attempts, _time.GetElapsedTime(started));
            }

            if (string.IsNullOrWhiteSpace(token))
            {
                throw new OidcTokenException(
                    OidcTokenErrorCode.ExchangeResponseInvalid,
                    "The GitHub token source returned an empty token, so nothing was sent to AWS STS.\n" +
                    "Fix: pass a source that returns the raw JWT (IdTokenSources.Runner, FromClient or FromToken).");
            }

            lastToken = token;
            attempts++;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
            attempt.CancelAfter(AttemptTimeout);
            try
            {
                var response = await _client.AssumeRoleWithWebIdentityAsync(BuildRequest(token), attempt.Token).ConfigureAwait(false);
                return ToResult(response, attempts, _time.GetElapsedTime(started));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw StsMessages.Timeout(_settings, Host, last, token, attempts, _time.GetElapsedTime(started));
            }
            catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or OperationCanceledException or TimeoutException or System.Xml.XmlException
                                       // The SDK's unmarshallers parse element text (e.g. Expiration as a date, or as epoch seconds) and throw
                                       // FormatException, OverflowException or ArgumentOutOfRangeException for text that is not one.
                                       or FormatException or OverflowException or ArgumentOutOfRangeException)
            {
                last = StsFailure.Classify(ex, attempt.IsCancellationRequested);
            }

            var elapsed = _time.GetElapsedTime(started);
            switch (last.Kind)
            {
                case StsFailureKind.ExpiredToken when !expiredRetried:
                    // The token expired between GitHub and AWS (a slow source or a skewed clock): one more try with a new one.
                    expiredRetried = true;
                    maxAttempts = Math.Max(maxAttempts, attempts + 1);
                    continue;
                case StsFailureKind.ExpiredToken:
                case StsFailureKind.Refused:
                    throw StsMessages.Refused(_settings, last, token, attempts, elapsed);
                case StsFailureKind.Invalid:
                    throw StsMessages.Invalid(_settings, Host, last, attempts, elapsed);
                case StsFailureKind.Redirect:
                    throw StsMessages.Failed(_settings, Host, last, token, attempts, elapsed, redirect: true);
            }

            if (attempts >= maxAttempts)
            {
                throw StsMessages.Failed(_settings, Host, last, token, attempts, elapsed, redirect: false);
            }

            var delay = Backoff(attempts);
            if (elapsed + delay >= _settings.Deadline)
            {
                throw StsMessages.Timeout(_settings, Host, last, token, attempts, elapsed);
            }

            try
            {
                await Task.Delay(delay, _time, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw StsMessages.Timeout(_settings, Host, last, token, attempts, _time.GetElapsedTime(started));
            }
        }
    }

    /// <summary>Exponential backoff with full jitter: a random delay up to 200 ms × 2^(n−1), at most 5 s.</summary>
    internal static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(BackoffCap.TotalMilliseconds, BackoffBase.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

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

    private AmazonSecurityTokenServiceClient CreateClient(StsSettings settings)
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
        return new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), config);
    }
}
