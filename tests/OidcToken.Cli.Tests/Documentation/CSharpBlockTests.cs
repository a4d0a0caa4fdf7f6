using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OidcToken.Cli.Packaging;
using OidcToken.TestSupport;

namespace OidcToken.Cli.Documentation;

/// <summary>
/// Every ```csharp block of README.md and docs/*.md compiles as shown, because a reader pastes it.
/// <para>
/// The rule, one for every block: a block is a whole C# file of a new console project — a top-level program, or type
/// declarations — compiled on its own with the console template's implicit usings only (System,
/// System.Collections.Generic, System.IO, System.Linq, System.Net.Http, System.Threading, System.Threading.Tasks).
/// Every other namespace the block needs is a <c>using</c> it shows, and every name it uses it declares. There is no
/// wrapping and no placeholder: a block that would need one is rewritten to declare what it uses. It is compiled
/// against the references of this test assembly (every OidcToken library, ASP.NET Core, StackExchange.Redis), and a
/// warning fails it as an error would.
/// </para>
/// </summary>
public sealed class CSharpBlockTests
{
    private static readonly string[] ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks",
    ];

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    public static TheoryData<string> Blocks()
    {
        var data = new TheoryData<string>();
        foreach (var doc in RepositoryFiles.Docs())
        {
            foreach (var block in MarkdownBlocks.Read(doc, "csharp"))
            {
                data.Add(block.ToString());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Block_compiles_as_shown(string where)
    {
        var block = Find(where);
        var problems = Compile(block, "DocBlock").GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToList();
        Assert.True(problems.Count == 0, $"{block} does not compile as shown:\n{string.Join('\n', problems)}\n---\n{block.Text}");
    }

    [Fact]
    public void The_docs_have_csharp_blocks_to_compile()
    {
        // The blocks the README promises: the client, the validator, the cloud credentials, the in-process mock.
        var headings = RepositoryFiles.Docs().SelectMany(d => MarkdownBlocks.Read(d, "csharp")).Select(b => b.Heading).ToList();
        Assert.Contains("## Use it", headings);
        Assert.Contains("## Try it locally with the mock issuer", headings);
        Assert.True(headings.Count >= 7, "expected at least 7 C# blocks, found " + headings.Count);
    }

    [Fact]
    public async Task Use_it_pasted_as_a_program_outside_Actions_prints_the_explanation_and_exits_0()
    {
        var block = MarkdownBlocks.Read(RepositoryFiles.PathOf("README.md"), "csharp").First(b => b.Heading == "## Use it");
        var folder = Directory.CreateTempSubdirectory("oidctoken-useit-");
        try
        {
            var program = Path.Combine(folder.FullName, "UseIt.dll");
            var emitted = Compile(block, "UseIt").Emit(program);
            Assert.True(emitted.Success, string.Join('\n', emitted.Diagnostics));

            // The program's folder: links to this assembly's dependencies, and its frameworks (.NET, ASP.NET Core).
            foreach (var dll in Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            {
                File.CreateSymbolicLink(Path.Combine(folder.FullName, Path.GetFileName(dll)), dll);
            }

            var ownConfig = Path.Combine(AppContext.BaseDirectory, typeof(CSharpBlockTests).Assembly.GetName().Name + ".runtimeconfig.json");
            File.Copy(ownConfig, Path.Combine(folder.FullName, "UseIt.runtimeconfig.json"));

            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "exec", program },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                WorkingDirectory = folder.FullName,
            };
            // Outside GitHub Actions: none of the runner's variables, whatever machine runs the tests.
            foreach (var name in start.Environment.Keys.ToList())
            {
                if (name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("ACTIONS_", StringComparison.Ordinal)
                    || name.StartsWith("RUNNER_", StringComparison.Ordinal) || name is "ACT" or "OIDC_ISSUER")
                {
                    start.Environment.Remove(name);
                }
            }

            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(deadline.Token);

            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\nstdout:\n{await output}\nstderr:\n{await error}");
            Assert.Contains("OIDC token: NOT available (", await output, StringComparison.Ordinal);
            Assert.Equal(string.Empty, await error);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static MarkdownBlocks.Block Find(string where) =>
        RepositoryFiles.Docs().SelectMany(d => MarkdownBlocks.Read(d, "csharp")).Single(b => b.ToString() == where);

    private static CSharpCompilation Compile(MarkdownBlocks.Block block, string assemblyName)
    {
        var options = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
        var implicitUsings = CSharpSyntaxTree.ParseText(
            string.Concat(ImplicitUsings.Select(u => $"global using global::{u};\n")), options, "GlobalUsings.g.cs");
        var code = CSharpSyntaxTree.ParseText(block.Text, options, block.File + ".cs");
        return CSharpCompilation.Create(
            assemblyName,
            [implicitUsings, code],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
    }
}
