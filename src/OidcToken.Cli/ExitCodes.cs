namespace OidcToken.Cli;

/// <summary>
/// The process exit codes of <c>oidc-token</c>. Scripts and CI depend on them (the contract is in docs/ARCHITECTURE.md,
/// "The command line's exit codes", and the README): a value is never reused for another meaning.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    internal const int Success = 0;

    /// <summary>
    /// Something unexpected escaped every command (a bug): reported on stderr by the top-level handler.
    /// Not part of the documented contract, which has no failure that should end here.
    /// </summary>
    internal const int InternalError = 1;

    /// <summary>The command line could not be parsed: unknown command or option, missing or malformed value.</summary>
    internal const int UsageError = 2;

    /// <summary>No token can be requested here (environment, permission, malformed runner variables).</summary>
    internal const int TokenUnavailable = 3;

    /// <summary>
    /// A file of the runner's environment cannot be used: <c>$GITHUB_ENV</c> cannot be appended to, the credential file
    /// cannot be written under <c>$RUNNER_TEMP</c>, or <c>cleanup</c>'s state file (or a file it must remove) cannot be
    /// read, written or removed. The same code as <see cref="TokenUnavailable"/>: the contract's 3 is "this environment
    /// cannot serve the request", and these are environment failures, not bugs (1) or the target's doing (4, 7).
    /// </summary>
    internal const int RunnerFilesUnusable = 3;

    /// <summary>A request failed after retries (HTTP refusal, network, timeout; JWKS or discovery unreachable).</summary>
    internal const int RequestFailed = 4;

    /// <summary>The server answered with something unusable.</summary>
    internal const int UnusableResponse = 5;

    /// <summary>The token is invalid (<c>validate</c>, or the client's self-check).</summary>
    internal const int TokenInvalid = 6;

    /// <summary>The exchange target refused the token.</summary>
    internal const int ExchangeRefused = 7;

    /// <summary>Cancelled by Ctrl+C (SIGINT): 128 + 2, the shell's convention.</summary>
    internal const int Cancelled = 130;

    /// <summary>Stopped by SIGTERM: 128 + 15, the shell's convention.</summary>
    internal const int Terminated = 143;
}
