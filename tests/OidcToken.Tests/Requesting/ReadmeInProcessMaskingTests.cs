using OidcToken.Masking;
using OidcToken.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Tests.Requesting;

/// <summary>Runs alone: it replaces <see cref="Console.Out"/>, which every test in the process shares.</summary>
[CollectionDefinition(nameof(ConsoleOutCapture), DisableParallelization = true)]
public sealed class ConsoleOutCapture;

/// <summary>
/// The README's in-process test ("Try it locally with the mock issuer"), as a user pastes it into a test on their own
/// machine: the mock's variables say GITHUB_ACTIONS=true, and before masking followed the process it printed
/// <c>::add-mask::&lt;whole JWT&gt;</c> on stdout for every token.
/// </summary>
[Collection(nameof(ConsoleOutCapture))]
public sealed class ReadmeInProcessMaskingTests
{
    [Fact]
    public async Task ReadmeInProcessBlock_OutsideActions_PrintsNoMaskCommands()
    {
        // The process is not in a job (also when this suite itself runs in GitHub Actions).
        using var process = ProcessActions.Use(_ => null);
        var original = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        string jwt;
        try
        {
            jwt = await ReadmeBlockAsync();
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.DoesNotContain("::add-mask::", captured.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(jwt, captured.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadmeBlock_IsTheOneThisTestRuns()
    {
        // The copy below must follow the README: every statement of its block (the usings aside) is in this file.
        var block = Assert.Single(
            OidcToken.TestSupport.MarkdownBlocks.Read(Path.Combine(Fixtures.RepositoryRoot, "README.md"), "csharp"),
            b => b.Heading == "## Try it locally with the mock issuer");
        var thisFile = File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot, "tests", "OidcToken.Tests", "Requesting", "ReadmeInProcessMaskingTests.cs"));
        foreach (var line in block.Text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal) || l.StartsWith("using var", StringComparison.Ordinal)))
        {
            Assert.True(thisFile.Contains(line, StringComparison.Ordinal), $"{block}: '{line}' is not in the copy this test runs; update ReadmeBlockAsync.");
        }
    }

    /// <summary>The README's block, unchanged but for returning the JWT so the test can look for it.</summary>
    private static async Task<string> ReadmeBlockAsync()
    {
        // --- README.md, "## Try it locally with the mock issuer", the C# block ---
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { Environment = "production" });
        using var client = new GitHubOidcClient(new GitHubOidcClientOptions
        {
            EnvironmentVariables = name => issuer.GetEnvironment().TryGetValue(name, out var v) ? v : null,
        });
        issuer.FailNextRequests(2, MockHttpTargetFault.Status(503));   // faults on demand
        IdToken token = await client.GetTokenAsync("my-audience");
        // --- end of the README's block ---
        return token.Reveal();
    }
}
