namespace OidcToken.Validation.Redis;

/// <summary>
/// Settings of a <see cref="RedisJtiReplayStore"/>. Plain properties; the store checks and copies them once when it is
/// constructed, so changing the object afterwards has no effect.
/// </summary>
public sealed class RedisJtiReplayStoreOptions
{
    /// <summary>The longest <see cref="Timeout"/> accepted.</summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The most characters <see cref="KeyPrefix"/> may have.</summary>
    internal const int MaxKeyPrefixLength = 256;

    /// <summary>Prepended to every key the store writes, to keep its keys apart from the rest of the database.</summary>
    /// <value>Default <c>oidctoken:jti:</c>. Not null; at most 256 characters; may be empty.</value>
    public string KeyPrefix { get; set; } = "oidctoken:jti:";

    /// <summary>
    /// The bound on one Redis round trip. When Redis has not answered within it, <see cref="RedisJtiReplayStore.TryAddAsync"/>
    /// throws <see cref="RedisJtiReplayStoreException"/> and the validator refuses the token as
    /// <see cref="GitHubOidcValidationFailure.ReplayStoreUnavailable"/>.
    /// </summary>
    /// <value>Default 1 second; greater than zero and at most 30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The Redis database the keys go to.</summary>
    /// <value>Default -1: the multiplexer's default database (from its configuration, usually 0). -1 or greater.</value>
    public int Database { get; set; } = -1;

    /// <summary>The clock that turns a token's expiry into the key's time to live.</summary>
    /// <value>
    /// Default null, meaning <see cref="System.TimeProvider.System"/>. Use the validator's clock. <see cref="Timeout"/> is
    /// always measured in real time, whatever this clock says.
    /// </value>
    public TimeProvider? TimeProvider { get; set; }
}
