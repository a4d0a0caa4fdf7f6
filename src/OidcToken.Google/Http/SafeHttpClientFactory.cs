using System.Globalization;
using System.Text.Json;
using Google.Apis.Http;
using OidcToken.Http;

namespace OidcToken.Google;

/// <summary>
/// The HTTP client factory of every credential built here: redirects are never followed (neither by the handler nor by
/// Google's <see cref="ConfigurableMessageHandler"/>, which follows them itself by default), response bodies are capped
/// at 64 KiB, and the last error answer is kept (Google.Apis.Auth drops IAM's error body) so a refusal can be explained.
/// These calls carry the runner's request token, GitHub ID tokens and Google access tokens.
/// </summary>
internal sealed class SafeHttpClientFactory : global::Google.Apis.Http.IHttpClientFactory
{
    internal const int MaxResponseBytes = 64 * 1024;
    private const int MaxKeptErrorChars = 4096;
    private const long MaxLifetimeSeconds = 366L * 24 * 60 * 60;

    private readonly HandlerFactory _inner;
    private readonly TimeSpan? _attemptTimeout;
    private readonly bool _singleTry;
    private FailedResponse? _lastFailure;

    /// <summary>A factory for long-lived credentials: Google.Apis.Auth's own retries and timeouts apply.</summary>
    public SafeHttpClientFactory()
        : this(attemptTimeout: null, singleTry: false)
    {
    }

    /// <summary>
    /// A factory for one attempt of <see cref="GitHubGoogleCredential.GetAccessTokenAsync"/>: each request (answer and
    /// body) must complete within <paramref name="attemptTimeout"/>, and with <paramref name="singleTry"/> the SDK's
    /// message handler sends each request once (the caller's attempt policy retries, with a fresh GitHub token).
    /// </summary>
    public SafeHttpClientFactory(TimeSpan? attemptTimeout, bool singleTry)
    {
        _attemptTimeout = attemptTimeout;
        _singleTry = singleTry;
        _inner = new HandlerFactory(this);
    }

    private long _lastExpiryTicks;

    /// <summary>
    /// The expiry announced by the last successful token answer (STS <c>expires_in</c> or IAM <c>expireTime</c>), or null.
    /// Read from the JSON without keeping the token.
    /// </summary>
    public DateTimeOffset? LastExpiry => Volatile.Read(ref _lastExpiryTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>The last non-success answer any client of this factory received, or null.</summary>
    public FailedResponse? LastFailure => Volatile.Read(ref _lastFailure);

    public ConfigurableHttpClient CreateHttpClient(CreateHttpClientArgs args)
    {
        var client = _inner.CreateHttpClient(args);
        client.MessageHandler.FollowRedirect = false;
        if (_singleTry)
        {
            // ConfigurableMessageHandler retries a 503 (and, with some initializers, network errors) by itself with the
            // same request: that would exceed the attempt policy and resend the same GitHub token.
            client.MessageHandler.NumTries = 1;
        }

        return client;
    }

    /// <summary>A non-success answer: where, status, the (length-capped) body and any <c>Retry-After</c>. Never holds a request's credentials.</summary>
    internal sealed record FailedResponse(Uri Url, int StatusCode, string Body, TimeSpan? RetryAfter = null);

    private sealed class HandlerFactory(SafeHttpClientFactory owner) : HttpClientFactory
    {
        protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) =>
            new GuardHandler(owner, SafeHttp.CreateHandler());
    }

    private sealed class GuardHandler(SafeHttpClientFactory owner, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (owner._attemptTimeout is not { } timeout)
            {
                return await SendGuardedAsync(request, cancellationToken).ConfigureAwait(false);
            }

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(timeout);
            try
            {
                return await SendGuardedAsync(request, attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && attempt.IsCancellationRequested)
            {
                throw new HttpRequestException(
                    "No complete answer from " + request.RequestUri!.GetLeftPart(UriPartial.Authority) + " within "
                    + OidcToken.Text.Durations.Seconds(timeout) + " (the attempt timeout).",
                    new TimeoutException(ex.Message));
            }
        }

        private async Task<HttpResponseMessage> SendGuardedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var url = request.RequestUri!;
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                response.Dispose();
                Volatile.Write(ref owner._lastFailure, new FailedResponse(url, status, string.Empty));
                throw new RedirectRefusedException(url, status);
            }

            try
            {
                await response.Content.LoadIntoBufferAsync(MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (ex.InnerException is IOException)
            {
                // The connection broke while the body was read (a reset in the middle of the answer): a network error.
                response.Dispose();
                throw new HttpRequestException(
                    "The connection to " + url.GetLeftPart(UriPartial.Authority) + " broke while its answer was read (" + ex.InnerException.Message + ").", ex);
            }
            catch (HttpRequestException)
            {
                response.Dispose();
                throw new HttpRequestException(
                    "The response from " + url.GetLeftPart(UriPartial.Authority) + " was larger than 64 KiB; it was not read.");
            }

            if (response.IsSuccessStatusCode)
            {
                if (await ReadExpiryAsync(response, cancellationToken).ConfigureAwait(false) is { } expiry)
                {
                    Volatile.Write(ref owner._lastExpiryTicks, expiry.UtcTicks);
                }
            }
            else
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var retryAfter = response.Headers.RetryAfter is { } header
                    ? header.Delta ?? (header.Date is { } date ? date - TimeProvider.System.GetUtcNow() : null)
                    : null;
                Volatile.Write(
                    ref owner._lastFailure,
                    new FailedResponse(url, status, body.Length > MaxKeptErrorChars ? body[..MaxKeptErrorChars] : body, retryAfter > TimeSpan.Zero ? retryAfter : null));
            }

            return response;
        }

        private static async Task<DateTimeOffset?> ReadExpiryAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
            {
                return null;
            }

            try
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                // A lone surrogate escape ("\ud800") parses, then throws InvalidOperationException when read.
                OidcToken.Claims.JsonText.ThrowIfInvalid(root);

                // Only a plausible lifetime (a second to a year): a huge expires_in would overflow the clock arithmetic.
                if (root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt64(out var seconds))
                {
                    return seconds is > 0 and <= MaxLifetimeSeconds ? TimeProvider.System.GetUtcNow().AddSeconds(seconds) : null;
                }

                if (root.TryGetProperty("expireTime", out var expireTime) && expireTime.ValueKind == JsonValueKind.String
                    && DateTimeOffset.TryParse(expireTime.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    return at;
                }
            }
            catch (JsonException)
            {
                // Not a token answer.
            }
            catch (InvalidOperationException)
            {
                // JSON whose text is not valid UTF-16: not a token answer either.
            }

            return null;
        }
    }
}

/// <summary>An endpoint answered with a redirect, which is never followed for calls that carry tokens.</summary>
internal sealed class RedirectRefusedException(Uri url, int statusCode)
    : HttpRequestException("The endpoint " + url.GetLeftPart(UriPartial.Path) + " answered with a redirect (HTTP " + statusCode + "); redirects are never followed for calls that carry a token.")
{
    public Uri Url { get; } = url;

    public int Status { get; } = statusCode;
}
