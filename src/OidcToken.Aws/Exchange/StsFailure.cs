using System.Net.Sockets;
using Amazon.Runtime;

namespace OidcToken.Aws.Exchange;

internal enum StsFailureKind
{
    /// <summary>Temporary: retried with a fresh token.</summary>
    Transient,

    /// <summary>STS refused (trust policy, token, request): not retried.</summary>
    Refused,

    /// <summary>The web identity token expired: retried once with a fresh token.</summary>
    ExpiredToken,

    /// <summary>The answer could not be used.</summary>
    Invalid,

    /// <summary>The endpoint answered with a redirect, which is never followed.</summary>
    Redirect,
}

/// <summary>One failed STS attempt, classified. <see cref="Message"/> is the service's text, not yet scrubbed.</summary>
internal sealed record StsFailure(StsFailureKind Kind, string? Code, string Message, int? StatusCode, string? RequestId, Exception? Exception)
{
    /// <summary>The codes STS (and the AWS query protocol) use for temporary conditions.</summary>
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "IDPCommunicationError",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalError",
    };

    public static StsFailure Classify(Exception exception, bool attemptTimedOut)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is StsResponseTooLargeException)
            {
                return new StsFailure(StsFailureKind.Invalid, null, "the response body is larger than 64 KiB", null, null, null);
            }

            if (inner is StsRedirectException redirect)
            {
                return new StsFailure(StsFailureKind.Redirect, null, "it answered with a redirect, which is never followed for a request that carries a token", redirect.Status, null, null);
            }

            if (inner is System.Xml.XmlException or FormatException or OverflowException or ArgumentOutOfRangeException)
            {
                return new StsFailure(StsFailureKind.Invalid, null, "the response is not the XML STS sends", null, null, null);
            }
        }

        switch (exception)
        {
            case AmazonUnmarshallingException unmarshalling:
                return new StsFailure(
                    StsFailureKind.Invalid,
                    null,
                    "the response is not the AssumeRoleWithWebIdentityResponse XML STS sends",
                    Status(unmarshalling),
                    unmarshalling.RequestId,
                    null);
            case AmazonServiceException service when !string.IsNullOrEmpty(service.ErrorCode):
                return FromServiceError(service);
            case AmazonServiceException service when Status(service) is >= 300 and < 400:
                return new StsFailure(StsFailureKind.Redirect, null, "it answered with a redirect, which is never followed for a request that carries a token", Status(service), service.RequestId, null);
            case AmazonServiceException service when Status(service) is >= 500 or 429:
                return new StsFailure(StsFailureKind.Transient, null, "HTTP " + Status(service), Status(service), service.RequestId, null);
            case AmazonServiceException service when Status(service) is > 0 && !IsNetwork(service):
                return new StsFailure(
                    StsFailureKind.Invalid,
                    null,
                    "it answered HTTP " + Status(service) + " without an STS ErrorResponse",
                    Status(service),
                    service.RequestId,
                    null);
        }

        if (attemptTimedOut && exception is OperationCanceledException)
        {
            return new StsFailure(StsFailureKind.Transient, null, "the attempt timed out", null, null, null);
        }

        if (IsNetwork(exception))
        {
            return new StsFailure(StsFailureKind.Transient, null, NetworkDetail(exception), null, null, exception);
        }

        return new StsFailure(StsFailureKind.Invalid, null, exception.Message, null, null, null);
    }

    private static StsFailure FromServiceError(AmazonServiceException service)
    {
        var code = service.ErrorCode;
        var status = Status(service);
        var message = service.Message ?? string.Empty;
        var kind = code switch
        {
            _ when TransientCodes.Contains(code) => StsFailureKind.Transient,
            "ExpiredTokenException" or "ExpiredToken" => StsFailureKind.ExpiredToken,

            // STS could not fetch the provider's keys (its documented transient form of this code).
            "InvalidIdentityToken" when message.Contains("retrieve verification key", StringComparison.OrdinalIgnoreCase) => StsFailureKind.Transient,
            _ when status is >= 500 or 429 => StsFailureKind.Transient,
            _ => StsFailureKind.Refused,
        };
        return new StsFailure(kind, code, message, status, service.RequestId, null);
    }

    private static int? Status(AmazonServiceException service) => (int)service.StatusCode == 0 ? null : (int)service.StatusCode;

    private static bool IsNetwork(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException or SocketException or IOException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    private static string NetworkDetail(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return "network error: " + socket.SocketErrorCode;
            }

            if (inner is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http)
            {
                return "network error: " + http.HttpRequestError;
            }
        }

        return "network error: " + exception.GetType().Name;
    }
}
