using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace OidcToken.Cli.Packaging;

/// <summary>The repository's files as a newcomer sees them: its root, the packages the solution packs, its docs.</summary>
internal static partial class RepositoryFiles
{
    /// <summary>The folder holding OidcToken.sln.</summary>
    internal static string Root { get; } = FindRoot();

    /// <summary>A path under the root, from '/'-separated parts.</summary>
    internal static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Every project of OidcToken.sln under src/ (each is a package): its package id and whether it is a .NET tool.</summary>
    internal static IReadOnlyList<(string PackageId, bool IsTool, string ProjectFile)> PackableProjects()
    {
        var solution = File.ReadAllText(PathOf("OidcToken.sln"));
        var projects = new List<(string, bool, string)>();
        foreach (Match match in SolutionProject().Matches(solution))
        {
            var relative = match.Groups["path"].Value.Replace('\\', '/');
            if (!relative.StartsWith("src/", StringComparison.Ordinal))
            {
                continue;
            }

            var file = PathOf(relative);
            var xml = XDocument.Load(file);
            var id = xml.Descendants("PackageId").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(file);
            var isTool = string.Equals(xml.Descendants("PackAsTool").FirstOrDefault()?.Value, "true", StringComparison.OrdinalIgnoreCase);
            projects.Add((id, isTool, file));
        }

        return projects;
    }

    /// <summary>README.md and every docs/*.md, the pages a newcomer pastes from.</summary>
    internal static IReadOnlyList<string> Docs() =>
        [PathOf("README.md"), .. Directory.GetFiles(PathOf("docs"), "*.md").Order(StringComparer.Ordinal)];

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "OidcToken.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("No folder holding OidcToken.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^Project\(""\{[^}]+\}""\) = ""[^""]+"", ""(?<path>[^""]+\.csproj)""", RegexOptions.Multiline)]
    private static partial Regex SolutionProject();
}
