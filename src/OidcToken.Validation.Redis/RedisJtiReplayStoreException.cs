namespace OidcToken.Validation.Redis;

/// <summary>
/// Thrown by <see cref="RedisJtiReplayStore.TryAddAsync"/> when Redis could not record a token id: it is unreachable,
/// answered with an error, or did not answer within <see cref="RedisJtiReplayStoreOptions.Timeout"/>. The token was not
/// accepted: <see cref="GitHubOidcTokenValidator"/> turns this into <see cref="GitHubOidcValidationFailure.ReplayStoreUnavailable"/>
/// (<see cref="GitHubOidcFailureKind.ReplayStoreUnavailable"/>, which a service answers with 503).
/// </summary>
/// <remarks>
/// The message names the cause and what to check; <see cref="Exception.InnerException"/> is StackExchange.Redis's
/// exception (or a <see cref="TimeoutException"/> for the store's own bound). Neither carries the token.
/// </remarks>
public sealed class RedisJtiReplayStoreException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public RedisJtiReplayStoreException()
        : this("Redis could not record the token id; the token was not accepted.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to check.</param>
    public RedisJtiReplayStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong and what to check.</param>
    /// <param name="innerException">The underlying exception.</param>
    public RedisJtiReplayStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
