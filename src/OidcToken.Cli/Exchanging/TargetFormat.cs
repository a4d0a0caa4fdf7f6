namespace OidcToken.Cli.Exchanging;

/// <summary>
/// An output format only one target offers (aws: <c>credential-process</c>, <c>aws-profile</c>). The target passes its
/// formats to <see cref="ExchangeCommand.CreateTarget"/>, which adds them to that target's <c>--format</c> only (every other
/// target keeps refusing them with the list of what it accepts); the target's preparation sees the chosen one in
/// <see cref="ExchangeInputs.Format"/>, checks what it needs, and sets <see cref="ExchangeOutcome.Deliver"/> to write it.
/// </summary>
/// <param name="Name">The <c>--format</c> value.</param>
/// <param name="Help">What it writes, appended to <c>--format</c>'s help.</param>
/// <param name="ForProgram">
/// True when stdout is read by a program (the AWS SDK or CLI) rather than shown in a log: no <c>::add-mask::</c> commands
/// even under GitHub Actions, no step outputs, nothing recorded for <c>cleanup</c>, and nothing on stderr on success.
/// </param>
internal sealed record TargetFormat(string Name, string Help, bool ForProgram = false);

/// <summary>Writes an outcome in a target's own format and returns the exit code.</summary>
/// <param name="outcome">What the exchange produced.</param>
/// <param name="destination">stdout, stderr and the environment.</param>
/// <param name="cancellationToken">Cancels the writing.</param>
internal delegate Task<int> TargetFormatWriter(ExchangeOutcome outcome, FormatDestination destination, CancellationToken cancellationToken);

/// <summary>Where a target's format writes.</summary>
/// <param name="Output">stdout: the result only.</param>
/// <param name="Error">stderr: messages, each starting with <paramref name="Prefix"/>.</param>
/// <param name="Prefix">The message prefix, e.g. <c>oidc-token: exchange aws: </c>.</param>
/// <param name="Context">The environment.</param>
internal sealed record FormatDestination(TextWriter Output, TextWriter Error, string Prefix, CliContext Context);
