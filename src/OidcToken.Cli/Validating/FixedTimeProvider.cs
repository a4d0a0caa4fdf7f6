namespace OidcToken.Cli.Validating;

/// <summary>
/// A clock stopped at one instant, for <c>validate --at</c>: lifetime checks (<c>exp</c>, <c>nbf</c>, maximum age)
/// are evaluated at that instant. Timers and timestamps are the system's, so timeouts still run in real time.
/// </summary>
/// <param name="instant">The instant <see cref="GetUtcNow"/> returns.</param>
internal sealed class FixedTimeProvider(DateTimeOffset instant) : TimeProvider
{
    /// <summary>The fixed instant.</summary>
    public override DateTimeOffset GetUtcNow() => instant;
}
