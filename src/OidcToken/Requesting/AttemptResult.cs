namespace OidcToken.Requesting;

/// <summary>The outcome of one HTTP attempt: a token, or a classified failure.</summary>
internal sealed class AttemptResult
{
    public IdToken? Token { get; private init; }
    public OidcTokenErrorCode ErrorCode { get; private init; }
    public bool Retryable { get; private init; }
    public int? StatusCode { get; private init; }
    public string? Detail { get; private init; }
    public string? ServerMessage { get; private init; }
    public TimeSpan? RetryAfter { get; private init; }
    public string? RequestId { get; private init; }
    public Exception? Exception { get; private init; }

    public static AttemptResult Success(IdToken token) => new() { Token = token };

    public static AttemptResult Failure(
        OidcTokenErrorCode code,
        bool retryable,
        string detail,
        int? statusCode = null,
        string? serverMessage = null,
        TimeSpan? retryAfter = null,
        string? requestId = null,
        Exception? exception = null) => new()
        {
            ErrorCode = code,
            Retryable = retryable,
            Detail = detail,
            StatusCode = statusCode,
            ServerMessage = serverMessage,
            RetryAfter = retryAfter,
            RequestId = requestId,
            Exception = exception,
        };
}
