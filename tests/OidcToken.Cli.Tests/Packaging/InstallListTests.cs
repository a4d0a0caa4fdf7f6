using System.Text.RegularExpressions;
using OidcToken.TestSupport;

namespace OidcToken.Cli.Packaging;

/// <summary>
/// README's Install lists every package `dotnet pack OidcToken.sln` produces (one per src/ project of the solution), each
/// with the install command of its kind, so a new package cannot be left out of what a newcomer reads first.
/// </summary>
public sealed partial class InstallListTests
{
    [Fact]
    public void Install_lists_exactly_the_packages_the_solution_packs_with_the_right_command()
    {
        var projects = RepositoryFiles.PackableProjects();
        Assert.True(projects.Count >= 11, "expected one package per src/ project, found " + projects.Count);

        var rows = InstallRows();
        Assert.Equal(
            projects.Select(p => p.PackageId).Order(StringComparer.Ordinal),
            rows.Keys.Order(StringComparer.Ordinal));

        foreach (var (id, isTool, _) in projects)
        {
            var expected = isTool ? "`dotnet tool install --global " + id + "`" : "`dotnet add package " + id + "`";
            Assert.True(rows[id].Contains(expected, StringComparison.Ordinal), $"README's Install row for {id} should show {expected}: {rows[id]}");
        }
    }

    [Fact]
    public void Install_shows_a_local_pack_with_a_version_stamp_and_installs_from_that_folder()
    {
        var install = InstallSection();
        var shell = string.Join('\n', MarkdownBlocks.Read(RepositoryFiles.PathOf("README.md"), "shell")
            .Where(b => b.Heading == "## Install")
            .Select(b => b.Text));
        Assert.Contains("dotnet pack OidcToken.sln -c Release -o ./nupkgs -p:VersionSuffix=", shell, StringComparison.Ordinal);
        Assert.Contains("dotnet add package OidcToken --version", shell, StringComparison.Ordinal);
        Assert.Contains("<add key=\"oidctoken-local\" value=\"$feed\" />", shell, StringComparison.Ordinal);
        Assert.DoesNotContain("<clear", shell, StringComparison.Ordinal);   // the usual feeds serve OidcToken's dependencies
        Assert.Contains("dotnet tool install --global OidcToken.Cli --version", shell, StringComparison.Ordinal);
        Assert.Contains("--add-source", shell, StringComparison.Ordinal);
        Assert.Contains("VersionSuffix", install, StringComparison.Ordinal);

        // The stamp works only if the version is a prefix the suffix is appended to.
        var props = File.ReadAllText(RepositoryFiles.PathOf("Directory.Build.props"));
        Assert.Contains("<VersionPrefix>", props, StringComparison.Ordinal);
        Assert.DoesNotContain("<Version>", props, StringComparison.Ordinal);
    }

    private static string InstallSection()
    {
        var readme = File.ReadAllText(RepositoryFiles.PathOf("README.md"));
        var start = readme.IndexOf("\n## Install\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## Install' section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return readme[start..(end < 0 ? readme.Length : end)];
    }

    // Table rows of the Install section whose first cell names a package: `Id` -> the whole row.
    private static Dictionary<string, string> InstallRows()
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match row in PackageRow().Matches(InstallSection()))
        {
            Assert.True(rows.TryAdd(row.Groups["id"].Value, row.Value), "listed twice: " + row.Groups["id"].Value);
        }

        return rows;
    }

    [GeneratedRegex(@"^\| `(?<id>OidcToken(\.[A-Za-z]+)*)` \|.*$", RegexOptions.Multiline)]
    private static partial Regex PackageRow();
}
