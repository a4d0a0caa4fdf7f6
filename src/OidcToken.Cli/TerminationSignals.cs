using System.Runtime.InteropServices;

namespace OidcToken.Cli;

/// <summary>
/// Turns the first SIGINT (Ctrl+C) or SIGTERM the process receives into a cancellation request, so the running command
/// can stop cleanly and the process exits with <see cref="ExitCodes.Cancelled"/> or <see cref="ExitCodes.Terminated"/>.
/// A second signal is left to the runtime's default handling, which ends the process at once: a command that does not
/// honour cancellation can still be interrupted.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration _sigInt;
    private readonly PosixSignalRegistration _sigTerm;
    private int _received;

    /// <summary>Registers the handlers; dispose to unregister them.</summary>
    internal TerminationSignals()
    {
        _sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled when the first SIGINT or SIGTERM arrives.</summary>
    internal CancellationToken Token => _cancellation.Token;

    /// <summary>
    /// The exit code that reports the signal received: <see cref="ExitCodes.Terminated"/> after SIGTERM, otherwise
    /// <see cref="ExitCodes.Cancelled"/>.
    /// </summary>
    internal int ExitCode =>
        Volatile.Read(ref _received) == (int)PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Cancelled;

    /// <inheritdoc />
    public void Dispose()
    {
        _sigInt.Dispose();
        _sigTerm.Dispose();
        _cancellation.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // PosixSignal values are negative, so 0 means "nothing received yet".
        if (Interlocked.CompareExchange(ref _received, (int)context.Signal, 0) != 0)
        {
            return;
        }

        context.Cancel = true;
        _cancellation.Cancel();
    }
}
