using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace OidcToken.Validation.Redis;

/// <summary>
/// An <see cref="IJtiReplayStore"/> over Redis, shared by every instance of a service: each token id (<c>jti</c>) is
/// accepted once. One atomic command per token, <c>SET key 1 PX ttl NX</c>, records the id until the token expires
/// (its <c>exp</c> plus the validator's clock skew); no read-then-write, so concurrent uses of one token on any number of
/// instances admit exactly one.
/// </summary>
/// <remarks>
/// <para>
/// <b>Fails closed.</b> When Redis is unreachable, answers with an error, or does not answer within
/// <see cref="RedisJtiReplayStoreOptions.Timeout"/>, <see cref="TryAddAsync"/> throws <see cref="RedisJtiReplayStoreException"/>
/// and never returns <see langword="true"/>; the validator then refuses the token as
/// <see cref="GitHubOidcValidationFailure.ReplayStoreUnavailable"/>. A command abandoned at the bound may still reach
/// Redis later (StackExchange.Redis queues commands while it reconnects), so a retry of that same token can be refused
/// as a replay: a client retries with a new token.
/// </para>
/// <para>
/// <b>Keys.</b> <see cref="RedisJtiReplayStoreOptions.KeyPrefix"/> + issuer + <c>|</c> + jti. When issuer and jti
/// together are longer than 512 characters the key is <see cref="RedisJtiReplayStoreOptions.KeyPrefix"/> + <c>sha256:</c> +
/// the lowercase hex SHA-256 of the UTF-8 bytes of issuer + <c>|</c> + jti, so no key is longer than the prefix plus 519
/// characters. The value is <c>1</c>. The time to live is <c>expiresAt</c> minus now by
/// <see cref="RedisJtiReplayStoreOptions.TimeProvider"/>, at least 1 second.
/// </para>
/// <para>Thread-safe. The store does not own the multiplexer and never disposes it.</para>
/// </remarks>
public sealed class RedisJtiReplayStore : IJtiReplayStore
{
    /// <summary>Issuer and jti longer than this (together, in characters) are hashed into the key.</summary>
    internal const int MaxRawKeyLength = 512;

    /// <summary>The shortest time to live given to a key.</summary>
    internal static readonly TimeSpan MinTimeToLive = TimeSpan.FromSeconds(1);

    private static readonly RedisValue Marker = 1;

    private readonly IDatabaseAsync _database;
    private readonly string _keyPrefix;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    /// <summary>Creates a store over <paramref name="multiplexer"/>.</summary>
    /// <param name="multiplexer">
    /// The connection to Redis, usually one per process (a DI singleton). Create it with <c>AbortOnConnectFail = false</c>
    /// so that it keeps reconnecting after an outage.
    /// </param>
    /// <param name="options">The settings; null means the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="multiplexer"/> is null, or <see cref="RedisJtiReplayStoreOptions.KeyPrefix"/> is.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <see cref="RedisJtiReplayStoreOptions.Timeout"/> is not greater than zero or exceeds 30 seconds,
    /// <see cref="RedisJtiReplayStoreOptions.Database"/> is less than -1, or <see cref="RedisJtiReplayStoreOptions.KeyPrefix"/>
    /// is longer than 256 characters.
    /// </exception>
    public RedisJtiReplayStore(IConnectionMultiplexer multiplexer, RedisJtiReplayStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        options ??= new RedisJtiReplayStoreOptions();

        if (options.KeyPrefix is null)
        {
            throw new ArgumentNullException(nameof(options), "RedisJtiReplayStoreOptions.KeyPrefix must not be null (it may be empty).");
        }

        if (options.KeyPrefix.Length > RedisJtiReplayStoreOptions.MaxKeyPrefixLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.KeyPrefix.Length, "RedisJtiReplayStoreOptions.KeyPrefix must be at most 256 characters.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > RedisJtiReplayStoreOptions.MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Timeout, "RedisJtiReplayStoreOptions.Timeout must be greater than zero and at most 30 seconds.");
        }

        if (options.Database < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Database, "RedisJtiReplayStoreOptions.Database must be -1 (the multiplexer's default) or a database number.");
        }

        _database = multiplexer.GetDatabase(options.Database);
        _keyPrefix = options.KeyPrefix;
        _timeout = options.Timeout;
        _time = options.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>Records <paramref name="jti"/> of <paramref name="issuer"/> until <paramref name="expiresAt"/> with one atomic <c>SET … NX</c>.</summary>
    /// <param name="issuer">The token's issuer; ids are unique per issuer.</param>
    /// <param name="jti">The token id.</param>
    /// <param name="expiresAt">When the token expires (plus clock skew); the key expires then, and at least 1 second from now.</param>
    /// <param name="cancellationToken">Stops waiting for Redis (the command may still reach it).</param>
    /// <returns>True when the id was new and is now recorded; false when it was already recorded (a replay).</returns>
    /// <exception cref="RedisJtiReplayStoreException">
    /// Redis is unreachable, answered with an error, or did not answer within <see cref="RedisJtiReplayStoreOptions.Timeout"/>:
    /// the id may not be recorded, so the token must not be accepted.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="issuer"/> or <paramref name="jti"/> is null.</exception>
    public async ValueTask<bool> TryAddAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(jti);
        cancellationToken.ThrowIfCancellationRequested();

        var key = Key(_keyPrefix, issuer, jti);
        var timeToLive = TimeToLive(expiresAt, _time.GetUtcNow());
        Task<bool> set;
        try
        {
            set = _database.StringSetAsync(key, Marker, timeToLive, When.NotExists);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Failure(ex);
        }

        try
        {
            return await set.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex) when (!set.IsCompleted)
        {
            Observe(set);
            throw new RedisJtiReplayStoreException(
                $"Redis did not answer within {Seconds(_timeout)}: check that it is reachable and not overloaded; the token was not accepted.",
                ex);
        }
        catch (OperationCanceledException) when (!set.IsCompleted)
        {
            Observe(set);
            throw;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Failure(ex);
        }
    }

    /// <summary>The Redis key of <paramref name="jti"/> of <paramref name="issuer"/> (see the type's remarks).</summary>
    internal static string Key(string prefix, string issuer, string jti)
    {
        if (issuer.Length + jti.Length <= MaxRawKeyLength)
        {
            return string.Concat(prefix, issuer, "|", jti);
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(issuer, "|", jti)));
        return string.Concat(prefix, "sha256:", Convert.ToHexStringLower(hash));
    }

    /// <summary>The key's time to live: from <paramref name="now"/> to <paramref name="expiresAt"/>, rounded up to whole milliseconds, at least 1 second.</summary>
    internal static TimeSpan TimeToLive(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (expiresAt <= now + MinTimeToLive)
        {
            return MinTimeToLive;
        }

        var remaining = expiresAt - now;
        var ticks = remaining.Ticks;
        var rounded = ticks % TimeSpan.TicksPerMillisecond == 0 ? ticks : (ticks / TimeSpan.TicksPerMillisecond + 1) * TimeSpan.TicksPerMillisecond;
        return TimeSpan.FromTicks(rounded);
    }

    /// <summary>Failures of the Redis call that mean the id may not be recorded (StackExchange.Redis's own, and a disposed multiplexer).</summary>
    private static bool IsStoreFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    private RedisJtiReplayStoreException Failure(Exception ex) => ex switch
    {
        TimeoutException => new RedisJtiReplayStoreException(
            $"Redis did not answer in time ({ex.GetType().Name}, the store's bound is {Seconds(_timeout)}): check that it is reachable and not overloaded; the token was not accepted.",
            ex),
        RedisConnectionException connection => new RedisJtiReplayStoreException(
            $"Redis is not reachable ({connection.FailureType}): check that it is running and the connection settings; the token was not accepted.",
            ex),
        RedisServerException => new RedisJtiReplayStoreException(
            $"Redis refused to record the token id ({ServerError(ex.Message)}): check the server (memory, replica or permissions); the token was not accepted.",
            ex),
        ObjectDisposedException => new RedisJtiReplayStoreException(
            "The Redis connection multiplexer was disposed: the store needs a live multiplexer; the token was not accepted.",
            ex),
        _ => new RedisJtiReplayStoreException(
            $"Redis could not record the token id ({ex.GetType().Name}): check that it is reachable; the token was not accepted.",
            ex),
    };

    /// <summary>The first line of a server error, capped: enough to name it (OOM, READONLY, NOPERM…), never a flood.</summary>
    private static string ServerError(string message)
    {
        var line = message.AsSpan();
        var end = line.IndexOfAny('\r', '\n');
        if (end >= 0)
        {
            line = line[..end];
        }

        return line.Length <= 120 ? line.ToString() : string.Concat(line[..120], "…");
    }

    /// <summary>Observes the abandoned command's outcome, so a later failure is not an unobserved task exception.</summary>
    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
