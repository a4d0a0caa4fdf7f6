namespace OidcToken.Testing;

/// <summary>What a <see cref="MockTokenFault"/> does to a token response.</summary>
internal enum FaultKind
{
    Status,
    AudienceRefused,
    Delay,
    EmptyResponse,
    MalformedChunk,
    Html,
    JsonWithoutValue,
    TruncatedJson,
    Redirect,
    OversizedBody,
}
