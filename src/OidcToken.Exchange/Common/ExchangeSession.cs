using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OidcToken.Claims;
using OidcToken.Errors;
using OidcToken.Failures;
using OidcToken.Http;
using OidcToken.Observability;
using OidcToken.Resilience;
using static OidcToken.Text.Durations;

namespace OidcToken.Exchange.Common;

/// <summary>
/// One exchange (or revocation) against one target: its own redirect-free <see cref="HttpClient"/>, the shared attempt
/// policy (<see cref="AttemptPolicy{T}"/>), capped reads, and the translation of failures into <see cref="OidcTokenException"/>.
/// Not thread-safe; one per operation.
/// </summary>
internal sealed class ExchangeSession : IDisposable
{
    internal const int MaxBodyBytes = CappedBody.DefaultMaxBytes;
    internal const int MaxTokenChars = 16 * 1024;
    internal static readonly string UserAgent = "OidcToken/" + Telemetry.Version;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);
    private static readonly string[] RequestIdHeaders = ["x-request-id", "request-id", "x-ms-request-id", "x-github-request-id", "x-vault-request-id", "cf-ray"];

    private readonly ExchangeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _operation;
    private readonly string _optionName;
    private readonly string? _secret;
    private int _attempts;
    private TimeSpan _elapsed;

    /// <param name="target">The target's name as a sentence subject, e.g. "Vault".</param>
    /// <param name="operation">"the exchange" or "the revocation".</param>
    /// <param name="endpoint">The checked base URL.</param>
    /// <param name="optionName">The option that set <paramref name="endpoint"/>, for fixes.</param>
    /// <param name="options">The shared settings, already validated.</param>
    /// <param name="secret">A secret the request carries besides the GitHub token (a token being revoked), scrubbed from all text.</param>
    /// <param name="handler">A handler configured by the caller (Vault's CA bundle); null for the standard redirect-free one.</param>
    public ExchangeSession(string target, string operation, Uri endpoint, string optionName, ExchangeOptions options, string? secret = null, SocketsHttpHandler? handler = null)
    {
        Target = target;
        _operation = operation;
        Host = endpoint.Authority;
        _optionName = optionName;
        _options = options;
        _secret = secret;
        _time = options.TimeProvider ?? TimeProvider.System;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("OidcToken.Exchange");
        Http = new HttpClient(handler ?? SafeHttp.CreateHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Target { get; }

    /// <summary>The target's name inside a sentence ("the NuGet gallery", "Vault").</summary>
    public string Speaker => Target.StartsWith("The ", StringComparison.Ordinal) ? "the " + Target[4..] : Target;

    public string Host { get; }

    public HttpClient Http { get; }

    /// <summary>The GitHub ID token of the current attempt; used only to describe its claims.</summary>
    public string? Jwt { get; private set; }

    /// <summary>The audience last asked of the token source.</summary>
    public string? Audience { get; private set; }

    public TimeProvider Time => _time;

    /// <summary>Creates a standard redirect-free handler (exposed so a target can add TLS settings).</summary>
    public static SocketsHttpHandler CreateHandler() => SafeHttp.CreateHandler();

    /// <summary>Gets a GitHub ID token from <paramref name="source"/> (call once per attempt at a single-use target).</summary>
    public async Task<string> GetIdTokenAsync(IdTokenSource source, string audience, CancellationToken cancellationToken)
    {
        Audience = audience;
        var token = await source(audience, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ArgumentException("The IdTokenSource returned an empty token.", nameof(source));
        }

        token = token.Trim();
        if (token.Length > MaxTokenChars)
        {
            throw new ArgumentException("The IdTokenSource returned a token longer than 16 KiB.", nameof(source));
        }

        Jwt = token;
        return token;
    }

    /// <summary>Scrubs the GitHub token, the extra secret, JWT-shaped and long opaque strings; caps the length.</summary>
    public string Scrub(string text)
    {
        var scrubbed = SecretScrubber.Scrub(text, Jwt);
        return _secret is null ? scrubbed : SecretScrubber.Scrub(scrubbed, _secret);
    }

    /// <summary>"HTTP 401, &lt;target&gt; said: "…"" with the text scrubbed, or just the status when there is no text.</summary>
    public string ServerSaid(ExchangeResponse response, string? text)
    {
        var status = "HTTP " + response.StatusCode.ToString(CultureInfo.InvariantCulture);
        if (string.IsNullOrWhiteSpace(text))
        {
            return status;
        }

        return status + ", " + Speaker + " said: \"" + Scrub(text) + "\"";
    }

    /// <summary>
    /// Sends a request with the library's User-Agent and reads at most 64 KiB of the answer. Network errors become
    /// transient failures; a redirect becomes a fatal failure and is never followed.
    /// </summary>
    public async Task<ExchangeResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage message;
        try
        {
            message = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw ExchangeFailure.Transient("network error: " + Scrub(NetworkErrorText.Describe(ex)), null, ex);
        }

        using (message)
        {
            var status = (int)message.StatusCode;
            var requestId = ReadRequestId(message);
            if (status is >= 300 and <= 399 || !SafeHttp.ComesFrom(message, request.RequestUri!))
            {
                var location = message.Headers.Location is { IsAbsoluteUri: true } absolute ? " to " + EndpointRules.Describe(absolute) : string.Empty;
                var response = new ExchangeResponse(status, [], false, requestId, null, null);
                throw ExchangeFailure.Fatal(
                    $"HTTP {status.ToString(CultureInfo.InvariantCulture)}: a redirect{location}, which was not followed (a request carrying a token or credential never follows a redirect)",
                    $"set {_optionName} to the final address itself, not one that redirects.",
                    response);
            }

            byte[] body;
            bool truncated;
            try
            {
                (body, truncated) = await CappedBody.ReadAsync(message.Content, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw ExchangeFailure.Transient("network error while reading the answer: " + Scrub(NetworkErrorText.Describe(ex)), null, ex);
            }
            catch (IOException ex)
            {
                throw ExchangeFailure.Transient("network error while reading the answer: " + Scrub(NetworkErrorText.Describe(ex)), null, ex);
            }

            return new ExchangeResponse(status, body, truncated, requestId, ReadRetryAfter(message), message.Content.Headers.ContentType?.MediaType);
        }
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> on the shared attempt policy until it succeeds, fails permanently, or the attempts
    /// or the deadline run out. Cancellation by <paramref name="cancellationToken"/> passes through unchanged.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.ActivitySource.StartActivity("Exchange", ActivityKind.Client);
        activity?.SetTag("oidctoken.target", Target);
        activity?.SetTag("server.address", Host);
        ExchangeLog.Starting(_logger, _operation, Target, Host);
        var policy = new AttemptPolicy<T>(
            AttemptPolicyOptions.Documented(_options.MaxAttempts, _options.Deadline, _options.AttemptTimeout, _options.RetryDelay, MaxRetryDelay, _time),
            static outcome => outcome.Exception switch
            {
                ExchangeFailure { Kind: FailureKind.Transient } transient => AttemptVerdict.Retry(transient.RetryAfter),

                // An attempt cancelled by something other than the caller or the deadline: treated as a timeout.
                OperationCanceledException => AttemptVerdict.Retry(),
                _ => AttemptVerdict.Settle,
            },
            (attempts, outcome, _) => ExchangeLog.AttemptFailed(_logger, _operation, Target, attempts, TransientFailure(outcome.Exception).Detail, true));
        var report = await policy.RunAsync(static (attempt, token) => new ValueTask<T>(attempt(token)), attempt, cancellationToken).ConfigureAwait(false);
        _attempts = report.Attempts;
        _elapsed = report.Elapsed;
        switch (report.Stop)
        {
            case AttemptStop.Settled when report.Exception is null:
                ExchangeLog.Succeeded(_logger, _operation, Target, _attempts, (long)_elapsed.TotalMilliseconds);
                return report.Result!;
            case AttemptStop.Settled:
                if (report.Exception is ExchangeFailure settled)
                {
                    throw Fail(settled);
                }

                report.Last?.ThrowIfException();
                throw new InvalidOperationException("unreachable");
            case AttemptStop.DeadlinePassed:
                throw Fail(
                    report.DeadlineCutAttempt || report.Last is null
                        ? ExchangeFailure.Transient("no answer within the deadline of " + Seconds(_options.Deadline), null, report.DeadlineException)
                        : TransientFailure(report.Exception),
                    deadlinePassed: true);
            default:
                var last = TransientFailure(report.Exception);
                ExchangeLog.AttemptFailed(_logger, _operation, Target, _attempts, last.Detail, false);
                throw Fail(last);
        }
    }

    public void Dispose() => Http.Dispose();

    /// <summary>A temporary failure as an <see cref="ExchangeFailure"/>: itself, or an attempt timeout.</summary>
    private ExchangeFailure TransientFailure(Exception? exception) =>
        exception as ExchangeFailure
        ?? ExchangeFailure.Transient("no answer within the attempt timeout of " + Seconds(_options.AttemptTimeout), null, exception);

    private OidcTokenException Fail(ExchangeFailure failure, bool deadlinePassed = false)
    {
        var elapsed = _elapsed;
        var (code, what, fix) = failure.Kind switch
        {
            FailureKind.Refused => (OidcTokenErrorCode.ExchangeRefused,
                $"{Target} refused {_operation}: {EndSentence(failure.Detail)}{ClaimsSentence()}", $"Fix: {failure.Fix}"),
            FailureKind.Invalid => (OidcTokenErrorCode.ExchangeResponseInvalid,
                $"{Target} at {Host} answered, but {EndSentence(failure.Detail)}", $"Fix: {failure.Fix ?? $"check that {_optionName} points at {Speaker} itself and that no proxy rewrites its answers."}"),
            FailureKind.Fatal => (OidcTokenErrorCode.ExchangeFailed,
                $"{Target} at {Host} could not be used: {EndSentence(failure.Detail)}", $"Fix: {failure.Fix}"),
            _ when deadlinePassed => (OidcTokenErrorCode.ExchangeFailed,
                $"{Target} at {Host} gave no usable answer within the deadline of {Seconds(_options.Deadline)} (last: {failure.Detail}).",
                $"Fix: check that {Host} answers promptly from this machine, or allow more time ({_options.GetType().Name}.Deadline)."),
            _ => (OidcTokenErrorCode.ExchangeFailed,
                $"{Target} at {Host} could not be reached or kept failing with a temporary error (last: {failure.Detail}).",
                $"Fix: check that this machine can reach {Host} (proxy settings such as HTTPS_PROXY/NO_PROXY, firewall rules) and that {Speaker} is up; " +
                $"retrying later, or more attempts ({_options.GetType().Name}.MaxAttempts), may help."),
        };

        var report = new FailureReport(code, what).Fix(fix).Fact("endpoint", Host);
        if (Audience is not null)
        {
            report.Fact("audience", Audience.Length == 0 ? "(GitHub's default https://github.com/<owner>)" : "'" + Scrub(Audience) + "'");
        }

        ExchangeLog.Failed(_logger, _operation, Target, code, _attempts, (long)elapsed.TotalMilliseconds);
        var setting = failure.Kind switch
        {
            // The fixes that name the endpoint's option say so with its library name (e.g. VaultJwtLoginOptions.Address).
            FailureKind.Refused or FailureKind.Fatal or FailureKind.Invalid when failure.Fix is not null =>
                failure.Fix.Contains(_optionName, StringComparison.Ordinal) ? _optionName : null,
            FailureKind.Invalid => _optionName,
            FailureKind.Refused or FailureKind.Fatal => null,
            _ when deadlinePassed => nameof(_options.Deadline),
            _ => nameof(_options.MaxAttempts),
        };
        return report.Attempts(_attempts, elapsed).Status(failure.StatusCode).RequestId(failure.RequestId)
            .Setting(
                setting?[(setting.LastIndexOf('.') + 1)..],
                setting is null || setting.Contains('.', StringComparison.Ordinal) ? setting : _options.GetType().Name + "." + setting)
            .ToException(failure.InnerException);
    }

    /// <summary>Ends a sentence with a period unless it already ends with one (or with a quoted one).</summary>
    private static string EndSentence(string text) =>
        text.EndsWith('.') || text.EndsWith(".\"", StringComparison.Ordinal) ? text : text + ".";

    private string ClaimsSentence() =>
        Jwt is null ? string.Empty : " Compare with the trust configuration: " + TrustPolicyClaims.Describe(Jwt) + ".";

    private TimeSpan? ReadRetryAfter(HttpResponseMessage message)
    {
        if (message.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        var wait = header.Delta ?? (header.Date is { } date ? date - _time.GetUtcNow() : null);
        return wait is { } value && value >= TimeSpan.Zero ? value : TimeSpan.Zero;
    }

    private static string? ReadRequestId(HttpResponseMessage message)
    {
        foreach (var name in RequestIdHeaders)
        {
            if (message.Headers.TryGetValues(name, out var values) && values.FirstOrDefault() is { Length: > 0 and <= 128 } value
                && value.All(c => c is > ' ' and < (char)127))
            {
                return value;
            }
        }

        return null;
    }

}
