using System.Xml.Linq;

namespace OidcToken.Cli.Packaging;

/// <summary>
/// samples/WorkflowExamples/IdTokenAction is offered as a starting point to copy: its project builds from the packages
/// once copied out of the repository (no ProjectReference; .ci/consume-packages builds such a copy), and its action.yml
/// runs a published output, built once per source version, instead of compiling on every use.
/// </summary>
public sealed class SampleActionTests
{
    private static readonly string Folder = RepositoryFiles.PathOf("samples/WorkflowExamples/IdTokenAction");

    [Fact]
    public void The_project_stands_alone_and_takes_OidcToken_from_a_package()
    {
        var project = XDocument.Load(Path.Combine(Folder, "IdTokenAction.csproj"));
        Assert.Empty(project.Descendants("ProjectReference"));
        var reference = Assert.Single(project.Descendants("PackageReference"), r => (string?)r.Attribute("Include") == "OidcToken");
        Assert.False(string.IsNullOrEmpty((string?)reference.Attribute("Version")), "a copy has no central package versions: the reference needs its Version");

        // What the repository's Directory.Build.props gives it must be in the file itself, for a copy.
        foreach (var property in new[] { "OutputType", "TargetFramework", "ImplicitUsings", "Nullable" })
        {
            Assert.Single(project.Descendants(property));
        }

        // Inside the repository it builds against the source: the swap lives beside it, not in the project.
        var swap = File.ReadAllText(RepositoryFiles.PathOf("samples/WorkflowExamples/Directory.Build.targets"));
        Assert.Contains("<PackageReference Remove=\"OidcToken\" />", swap, StringComparison.Ordinal);
        Assert.Contains("src/OidcToken/OidcToken.csproj", swap, StringComparison.Ordinal);
    }

    [Fact]
    public void The_action_runs_a_published_output_cached_by_its_source_hash()
    {
        var action = File.ReadAllText(Path.Combine(Folder, "action.yml"));
        Assert.DoesNotContain("dotnet run", action, StringComparison.Ordinal);
        Assert.Contains("uses: actions/cache@", action, StringComparison.Ordinal);
        Assert.Contains("sha256sum", action, StringComparison.Ordinal);
        Assert.Contains("key: id-token-action-", action, StringComparison.Ordinal);
        Assert.Contains("if: steps.cache.outputs.cache-hit != 'true'", action, StringComparison.Ordinal);
        Assert.Contains("dotnet publish \"$GITHUB_ACTION_PATH\" -c Release -o \"$RUNNER_TEMP/id-token-action\"", action, StringComparison.Ordinal);
        Assert.Contains("run: dotnet \"$RUNNER_TEMP/id-token-action/IdTokenAction.dll\"", action, StringComparison.Ordinal);
    }
}
