namespace OidcToken.Http;

/// <summary>
/// Which HTTP statuses OidcToken treats as temporary everywhere (the token endpoint, every exchange, Entra, Google): 408,
/// 429 and 5xx are retried within the attempt policy; any other failure status is final. One rule, so the request client
/// and the exchanges cannot drift apart.
/// </summary>
internal static class HttpStatusRules
{
    /// <summary>True for 408 Request Timeout, 429 Too Many Requests and every 5xx.</summary>
    /// <param name="status">The HTTP status code.</param>
    /// <returns>Whether another attempt may succeed.</returns>
    public static bool IsTransient(int status) => status is 408 or 429 or >= 500;
}
