using System.CommandLine;
using System.Reflection;

namespace OidcToken.Cli;

public sealed class OidcTokenCommandTests
{
    [Fact]
    public async Task RunAsync_Help_PrintsDescriptionToStdout()
    {
        var run = await CliRun.RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(OidcTokenCommand.Description, run.Output, StringComparison.Ordinal);
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task RunAsync_Version_PrintsTheAssemblyInformationalVersion()
    {
        var expected = typeof(OidcTokenCommand).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var run = await CliRun.RunAsync("--version");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expected + Environment.NewLine, run.Output);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task RunAsync_Version_StartsWithTheAssemblyVersion()
    {
        var version = typeof(OidcTokenCommand).Assembly.GetName().Version!;

        var run = await CliRun.RunAsync("--version");

        Assert.StartsWith($"{version.Major}.{version.Minor}.{version.Build}", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--no-such-option")]
    [InlineData("no-such-command")]
    [InlineData("--versoin")]
    public async Task RunAsync_UnknownArgument_ExitsWithUsageErrorOnStderrOnly(string argument)
    {
        var run = await CliRun.RunAsync(argument);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"'{argument}'", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task InvokeAsync_CommandHonouringCancellation_ExitsWithCancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var root = WithCommand(async (_, cancellationToken) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        });
        using var cancellation = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var run = OidcTokenCommand.InvokeAsync(root, ["wait"], output, error, cancellation.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();

        Assert.Equal(ExitCodes.Cancelled, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(output.ToString());
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task InvokeAsync_CommandReturningAfterCancellation_StillExitsWithCancelled()
    {
        using var cancellation = new CancellationTokenSource();
        var root = WithCommand(async (_, _) =>
        {
            await cancellation.CancelAsync();
            return ExitCodes.RequestFailed;
        });

        var exitCode = await OidcTokenCommand.InvokeAsync(
            root, ["wait"], TextWriter.Null, TextWriter.Null, cancellation.Token);

        Assert.Equal(ExitCodes.Cancelled, exitCode);
    }

    [Fact]
    public async Task InvokeAsync_UnexpectedException_ReportedOnStderrWithInternalError()
    {
        var root = WithCommand((_, _) => throw new InvalidOperationException("boom"));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await OidcTokenCommand.InvokeAsync(root, ["wait"], output, error, CancellationToken.None);

        Assert.Equal(ExitCodes.InternalError, exitCode);
        Assert.Contains("System.InvalidOperationException", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("boom", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task InvokeAsync_CommandOutput_GoesToTheInjectedWriters()
    {
        var root = WithCommand(async (parseResult, _) =>
        {
            await parseResult.InvocationConfiguration.Output.WriteLineAsync("result");
            await parseResult.InvocationConfiguration.Error.WriteLineAsync("message");
            return ExitCodes.Success;
        });
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await OidcTokenCommand.InvokeAsync(root, ["wait"], output, error, CancellationToken.None);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("result" + Environment.NewLine, output.ToString());
        Assert.Equal("message" + Environment.NewLine, error.ToString());
    }

    private static RootCommand WithCommand(Func<ParseResult, CancellationToken, Task<int>> action)
    {
        var root = OidcTokenCommand.Build();
        var command = new Command("wait", "A command that exists only in this test.");
        command.SetAction(action);
        root.Subcommands.Add(command);
        return root;
    }
}
