namespace OidcToken.Cli;

/// <summary>The outcome of one in-process run of the command line.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs <c>oidc-token</c> with <paramref name="args"/>, capturing stdout and stderr.</summary>
    internal static Task<CliRun> RunAsync(params string[] args) => RunAsync(new CliContext(_ => null), args);

    /// <summary>Runs <c>oidc-token</c> with <paramref name="args"/> in the given environment, capturing stdout and stderr.</summary>
    internal static async Task<CliRun> RunAsync(CliContext context, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await OidcTokenCommand.RunAsync(args, output, error, CancellationToken.None, context);
        var run = new CliRun(exitCode, output.ToString(), error.ToString());
        TestSupport.LeakGuard.CheckCliRun(args, run.Output, run.Error);
        LibraryVocabulary.AssertAbsent(args, run.Output, run.Error);
        return run;
    }

    /// <summary>Runs <c>oidc-token</c> with <paramref name="args"/> and <paramref name="stdin"/> as standard input, in an empty environment.</summary>
    internal static Task<CliRun> RunWithStdinAsync(string stdin, params string[] args) =>
        RunAsync(new CliContext(_ => null, () => new StringReader(stdin)), args);

    /// <summary>A context whose environment is <paramref name="variables"/> only.</summary>
    internal static CliContext Context(IReadOnlyDictionary<string, string> variables, params (string Name, string? Value)[] changes)
    {
        var copy = new Dictionary<string, string?>(variables.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)));
        foreach (var (name, value) in changes)
        {
            copy[name] = value;
        }

        return new CliContext(name => copy.TryGetValue(name, out var value) ? value : null);
    }
}
