using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OidcToken.Claims;
using OidcToken.Errors;
using OidcToken.Http;

namespace OidcToken.Requesting;

/// <summary>One HTTP attempt against the runner's token endpoint, and the classification of its answer.</summary>
internal sealed partial class TokenEndpoint
{
    /// <summary>Response bodies are read up to this many bytes.</summary>
    internal const int MaxBodyBytes = CappedBody.DefaultMaxBytes;

    internal static readonly string UserAgent = "OidcToken/" + Observability.Telemetry.Version;

    private static readonly MediaTypeWithQualityHeaderValue JsonMediaType = new("application/json");
    private static readonly string[] RequestIdHeaders = ["x-github-request-id", "x-vss-e2eid", "x-msedge-ref", "activityid"];

    private readonly Uri _requestUrl;
    private readonly string _requestToken;

    public TokenEndpoint(Uri requestUrl, string requestToken)
    {
        _requestUrl = requestUrl;
        _requestToken = requestToken;
    }

    /// <summary>The request token; used only to scrub it from server messages.</summary>
    public string RequestToken => _requestToken;

    /// <summary>The endpoint's host, safe to log.</summary>
    public string Host => _requestUrl.Host;

    /// <summary>HOST:PORT when the request URL is a loopback address (a local mock issuer), else null.</summary>
    public string? LoopbackAuthority => Rules.UrlRules.IsLoopbackHost(_requestUrl) ? _requestUrl.Authority : null;

    /// <summary>
    /// Builds <c>&lt;url&gt;&amp;audience=&lt;escaped&gt;</c> (or <c>?audience=</c> when the URL has no query),
    /// keeping the runner's path byte for byte.
    /// </summary>
    public Uri BuildUri(string? audience)
    {
        if (string.IsNullOrEmpty(audience))
        {
            return _requestUrl;
        }

        var original = _requestUrl.OriginalString;
        var fragment = original.IndexOf('#', StringComparison.Ordinal);
        var head = fragment >= 0 ? original[..fragment] : original;
        var separator = head.Contains('?', StringComparison.Ordinal)
            ? (head.EndsWith('?') || head.EndsWith('&') ? string.Empty : "&")
            : "?";
        return new Uri(head + separator + "audience=" + Uri.EscapeDataString(audience), UriKind.Absolute);
    }

    /// <summary>Sends one request. Network failures become results; cancellation propagates.</summary>
    public async Task<AttemptResult> SendAsync(HttpClient http, Uri uri, string? audience, TimeProvider time, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _requestToken);
        request.Headers.Accept.Add(JsonMediaType);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return NetworkFailure(ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var requestId = GetRequestId(response);
            if (!SafeHttp.ComesFrom(response, uri))
            {
                return AttemptResult.Failure(
                    OidcTokenErrorCode.RedirectRefused,
                    retryable: false,
                    "the HTTP client followed a redirect to " + response.RequestMessage!.RequestUri!.GetLeftPart(UriPartial.Authority) + "; redirects are never followed for requests that carry a token",
                    status,
                    requestId: requestId);
            }

            if (status is >= 300 and < 400)
            {
                var location = response.Headers.Location is { } target
                    ? (target.IsAbsoluteUri ? target.GetLeftPart(UriPartial.Authority) : "a relative location")
                    : "no location";
                return AttemptResult.Failure(
                    OidcTokenErrorCode.RedirectRefused,
                    retryable: false,
                    "the endpoint answered with a redirect (HTTP " + status.ToString(CultureInfo.InvariantCulture) + " to " + location + "); redirects are never followed for requests that carry a token",
                    status,
                    requestId: requestId);
            }

            byte[] body;
            bool truncated;
            try
            {
                (body, truncated) = await CappedBody.ReadAsync(response.Content, cancellationToken, MaxBodyBytes).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return NetworkFailure(ex, status);
            }

            if (status is >= 200 and < 300)
            {
                return ReadToken(body, truncated, status, requestId, time);
            }

            var retryAfter = GetRetryAfter(response, time);
            return ClassifyError(status, body, truncated, requestId, retryAfter, audience);
        }
    }

    private static AttemptResult NetworkFailure(Exception ex, int? status = null)
    {
        var detail = new StringBuilder("the endpoint could not be reached or its answer broke off: ");
        detail.Append(ex.GetType().Name);
        if (ex is HttpRequestException { HttpRequestError: var kind } && kind != HttpRequestError.Unknown)
        {
            detail.Append(" (").Append(kind).Append(')');
        }

        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            detail.Append(" ← ").Append(inner.GetType().Name);
            if (inner is System.Net.Sockets.SocketException socket)
            {
                detail.Append(" (").Append(socket.SocketErrorCode).Append(')');
            }
        }

        return AttemptResult.Failure(OidcTokenErrorCode.NetworkError, retryable: true, detail.ToString(), status, exception: ex);
    }

    private AttemptResult ReadToken(byte[] body, bool truncated, int status, string? requestId, TimeProvider time)
    {
        if (truncated)
        {
            return Unusable("the body is larger than 64 KiB", status, requestId);
        }

        string? value;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Unusable("the body is JSON but not an object", status, requestId);
            }

            if (!document.RootElement.TryGetProperty("value", out var element))
            {
                return Unusable("the JSON has no 'value' field", status, requestId);
            }

            if (element.ValueKind != JsonValueKind.String)
            {
                return Unusable("the 'value' field is not a string", status, requestId);
            }

            value = element.GetString();
        }
        catch (JsonException)
        {
            return Unusable(DescribeNonJson(body), status, requestId);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json's answer to invalid UTF-16 (a lone surrogate escape) in a string.
            return Unusable("the 'value' field is not valid text", status, requestId);
        }

        if (string.IsNullOrEmpty(value))
        {
            return Unusable("the 'value' field is empty", status, requestId);
        }

        var claims = JwtPayloadReader.TryRead(value, out var problem);
        if (claims is null)
        {
            return Unusable("the 'value' field is not a usable token: " + problem, status, requestId);
        }

        if (claims.ExpiresAt is null || claims.IssuedAt is null)
        {
            return Unusable("the token has no '" + (claims.ExpiresAt is null ? "exp" : "iat") + "' claim", status, requestId);
        }

        if (claims.ExpiresAt <= claims.IssuedAt)
        {
            return Unusable("the token's 'exp' is not after its 'iat'", status, requestId);
        }

        return AttemptResult.Success(new IdToken(value, claims, time.GetUtcNow()));
    }

    private static AttemptResult Unusable(string detail, int status, string? requestId) =>
        AttemptResult.Failure(OidcTokenErrorCode.InvalidResponse, retryable: false, detail, status, requestId: requestId);

    private static string DescribeNonJson(byte[] body)
    {
        var start = 0;
        while (start < body.Length && body[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        if (start == body.Length)
        {
            return "the body is empty";
        }

        return body[start] == (byte)'<'
            ? "the body is an HTML or XML page, not JSON (a proxy, captive portal or wrong URL answered)"
            : "the body is not valid JSON (malformed or cut short)";
    }

    private AttemptResult ClassifyError(int status, byte[] body, bool truncated, string? requestId, TimeSpan? retryAfter, string? audience)
    {
        var message = ExtractServerMessage(body, truncated);
        var statusText = status.ToString(CultureInfo.InvariantCulture);
        switch (status)
        {
            case 400:
                return AttemptResult.Failure(OidcTokenErrorCode.AudienceRefused, retryable: false,
                    "HTTP 400", status, message, requestId: requestId);
            case 401:
                return AttemptResult.Failure(OidcTokenErrorCode.RequestTokenRejected, retryable: false,
                    "HTTP 401", status, message, requestId: requestId);
            case 403 when message is not null && message.Contains("'Completed' state", StringComparison.OrdinalIgnoreCase):
                return AttemptResult.Failure(OidcTokenErrorCode.JobNotRunning, retryable: false,
                    "HTTP 403, job completed", status, message, requestId: requestId);
            case 403 when message is not null && (message.Contains("'Pending' state", StringComparison.OrdinalIgnoreCase)
                                                  || message.Contains("'Delayed' state", StringComparison.OrdinalIgnoreCase)):
                return AttemptResult.Failure(OidcTokenErrorCode.ServiceUnavailable, retryable: true,
                    "HTTP 403, job not started yet", status, message, retryAfter, requestId);
            case 403 when audience is not null && message is not null && message.Contains("audience", StringComparison.OrdinalIgnoreCase):
                return AttemptResult.Failure(OidcTokenErrorCode.AudienceRefused, retryable: false,
                    "HTTP 403", status, message, requestId: requestId);
            case 403:
                return AttemptResult.Failure(OidcTokenErrorCode.RequestForbidden, retryable: false,
                    "HTTP 403", status, message, requestId: requestId);
            case 404:
                return AttemptResult.Failure(OidcTokenErrorCode.EndpointNotFound, retryable: false,
                    "HTTP 404", status, message, requestId: requestId);
            case var transient when HttpStatusRules.IsTransient(transient):
                return AttemptResult.Failure(OidcTokenErrorCode.ServiceUnavailable, retryable: true,
                    "HTTP " + statusText, status, message, retryAfter, requestId);
            default:
                return AttemptResult.Failure(OidcTokenErrorCode.UnexpectedStatus, retryable: false,
                    "HTTP " + statusText, status, message, requestId: requestId);
        }
    }

    /// <summary>The server's message: JSON <c>message</c> or <c>errorMessage</c>, else the text, scrubbed and capped.</summary>
    private string? ExtractServerMessage(byte[] body, bool truncated)
    {
        if (body.Length == 0)
        {
            return null;
        }

        string? text = null;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in (ReadOnlySpan<string>)["message", "errorMessage", "error_description", "error"])
                {
                    if (document.RootElement.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String)
                    {
                        text = element.GetString();
                        break;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON (or invalid text inside it): fall back to the raw text below.
        }

        if (text is null)
        {
            var raw = Encoding.UTF8.GetString(body);
            text = raw.TrimStart().StartsWith('<') ? "(an HTML page)" : raw;
            if (truncated)
            {
                text += " …";
            }
        }

        // The token endpoint's own messages are short sentences: any 16+ character token-alphabet run in them is treated
        // as a possible fragment of a token (one the server echoed, cut by a stray byte) and removed.
        var scrubbed = TokenAlphabetRun().Replace(SecretScrubber.Scrub(text, _requestToken), SecretScrubber.Redacted);
        return scrubbed.Length == 0 ? null : scrubbed;
    }

    private static string? GetRequestId(HttpResponseMessage response)
    {
        foreach (var name in RequestIdHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                var value = values.FirstOrDefault();
                if (!string.IsNullOrEmpty(value))
                {
                    return SecretScrubber.Scrub(value, null, 128);
                }
            }
        }

        return null;
    }

    private static TimeSpan? GetRetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"[A-Za-z0-9_\-]{16,}", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex TokenAlphabetRun();
}
