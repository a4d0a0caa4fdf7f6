using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Microsoft.Identity.Client;
using OidcToken.Http;

namespace OidcToken.Azure.Refusals;

/// <summary>What Entra (or the way to it) answered on a failed token request, read from Azure.Identity's exception.</summary>
internal sealed partial class EntraError
{
    private const int MaxBodyChars = 64 * 1024;
    private static readonly HashSet<int> TransientCodes = [90006, 90024, 90033, 90090];

    public int? StatusCode { get; private init; }

    /// <summary>The OAuth <c>error</c> (e.g. <c>invalid_client</c>), or MSAL's own error code.</summary>
    public string? Error { get; private init; }

    /// <summary>The first AADSTS code, when Entra sent one.</summary>
    public int? AadstsCode { get; private init; }

    /// <summary>Entra's description without its trailing trace/correlation/timestamp (not yet scrubbed).</summary>
    public string? Description { get; private init; }

    public string? TraceId { get; private init; }

    public string? CorrelationId { get; private init; }

    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>The answer never reached us or was a transient Entra error: worth another attempt.</summary>
    public bool IsTransient { get; private init; }

    /// <summary>Nothing came back from Entra at all (network, DNS, TLS, timeout).</summary>
    public bool IsNetwork { get; private init; }

    /// <summary>Entra answered, but not with a usable success or a documented error.</summary>
    public bool IsUnusableAnswer { get; private init; }

    /// <summary>The underlying exception's message, for failures that are not an Entra answer (not yet scrubbed).</summary>
    public string? OtherDetail { get; private init; }

    public static EntraError From(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case MsalServiceException service:
                    return FromService(service);
                case RequestFailedException { Status: 0 } or HttpRequestException or TimeoutException or IOException or SocketException:
                    // IOException: the connection broke while the answer was read (a reset in the middle of the body).
                    return new EntraError { IsTransient = true, IsNetwork = true, OtherDetail = NetworkErrorText.Describe(current) };
                case JsonException json:
                    return new EntraError { IsUnusableAnswer = true, OtherDetail = "the body is not JSON (" + json.Message + ")" };
                case MsalClientException client when client.ErrorCode is "json_parse_failed" or "non_parsable_oauth_error" or "invalid_json":
                    return new EntraError { IsUnusableAnswer = true, Error = client.ErrorCode, OtherDetail = client.Message };
            }
        }

        return new EntraError { OtherDetail = exception.InnerException?.Message ?? exception.Message };
    }

    private static EntraError FromService(MsalServiceException service)
    {
        string? error = service.ErrorCode;
        string? description = null;
        string? traceId = null;
        string? correlationId = service.CorrelationId;
        int? code = null;

        var body = service.ResponseBody;
        var parsedBody = false;
        if (!string.IsNullOrEmpty(body) && body.Length <= MaxBodyChars)
        {
            try
            {
                using var document = JsonDocument.Parse(body);

                // A lone surrogate escape ("\ud800") parses, then throws InvalidOperationException when read: check once here.
                OidcToken.Claims.JsonText.ThrowIfInvalid(document.RootElement);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    parsedBody = true;
                    var root = document.RootElement;
                    error = ReadString(root, "error") ?? error;
                    description = ReadString(root, "error_description");
                    traceId = ReadString(root, "trace_id");
                    correlationId = ReadString(root, "correlation_id") ?? correlationId;
                    if (root.TryGetProperty("error_codes", out var codes) && codes.ValueKind == JsonValueKind.Array
                        && codes.GetArrayLength() > 0 && codes[0].TryGetInt32(out var first))
                    {
                        code = first;
                    }
                }
            }
            catch (JsonException)
            {
                parsedBody = false;
            }
            catch (InvalidOperationException)
            {
                // JSON whose text is not valid UTF-16: not a documented Entra error (nothing read from it is kept).
                (error, description, traceId, correlationId, code) = (service.ErrorCode, null, null, service.CorrelationId, null);
                parsedBody = false;
            }
        }

        description ??= service.Message;
        if (code is null && AadstsPattern().Match(description) is { Success: true } match
            && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            code = parsed;
        }

        var trace = description.IndexOf(" Trace ID:", StringComparison.Ordinal);
        if (trace > 0)
        {
            description = description[..trace];
        }

        var status = service.StatusCode;
        var network = status == 0 && code is null;
        var transient = network
            || HttpStatusRules.IsTransient(status)
            || string.Equals(error, "temporarily_unavailable", StringComparison.Ordinal)
            || (code is { } c && TransientCodes.Contains(c));
        return new EntraError
        {
            StatusCode = status == 0 ? null : status,
            Error = error,
            AadstsCode = code,
            Description = description,
            TraceId = traceId,
            CorrelationId = correlationId,
            RetryAfter = ReadRetryAfter(service),
            IsTransient = transient,
            IsNetwork = network,
            IsUnusableAnswer = !transient && code is null && !parsedBody,
            OtherDetail = network ? service.Message : null,
        };
    }

    private static TimeSpan? ReadRetryAfter(MsalServiceException service)
    {
        var retryAfter = service.Headers?.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        return null;
    }

    private static string? ReadString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"AADSTS(\d{4,9})", RegexOptions.CultureInvariant)]
    private static partial Regex AadstsPattern();
}
