using System.Xml.Linq;

namespace OidcToken.Cli.Packaging;

/// <summary>
/// The project's addresses are set once (src/Directory.Build.props): the packages' project and repository URLs, the
/// troubleshooting page every package README links to, and the base of <see cref="Exception.HelpLink"/>, which
/// OidcToken compiles from the same property. (The packed nuspecs are checked by .ci/consume-packages, which packs.)
/// </summary>
public sealed class PackageMetadataTests
{
    private const string Settings = "src/Directory.Build.props";

    [Fact]
    public void The_urls_are_set_in_one_place_and_the_troubleshooting_url_derives_from_them()
    {
        var repository = Property("OidcTokenRepositoryUrl");
        Assert.StartsWith("https://", repository, StringComparison.Ordinal);
        Assert.Equal("$(OidcTokenRepositoryUrl)", RawProperty("PackageProjectUrl"));
        Assert.Equal("$(OidcTokenRepositoryUrl)", RawProperty("RepositoryUrl"));
        Assert.StartsWith("$(OidcTokenRepositoryUrl)/", RawProperty("OidcTokenTroubleshootingUrl"), StringComparison.Ordinal);

        // No other build file sets them, nor writes the address itself.
        var others = Directory.GetFiles(RepositoryFiles.Root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".csproj", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal) || f.EndsWith(".targets", StringComparison.Ordinal))
            .Where(f => !IsBuildOutput(f) && Path.GetFullPath(f) != RepositoryFiles.PathOf(Settings))
            .Where(f =>
            {
                var text = File.ReadAllText(f);
                return text.Contains("<PackageProjectUrl", StringComparison.Ordinal)
                    || text.Contains("<RepositoryUrl", StringComparison.Ordinal)
                    || text.Contains(repository, StringComparison.OrdinalIgnoreCase);
            })
            .Select(f => Path.GetRelativePath(RepositoryFiles.Root, f));
        Assert.Empty(others);
    }

    [Fact]
    public void HelpLink_is_built_from_the_troubleshooting_url_setting()
    {
        var troubleshooting = Property("OidcTokenTroubleshootingUrl");
        Assert.Equal(OidcTokenException.TroubleshootingBaseUrl, troubleshooting);
        Assert.Equal(
            troubleshooting + "#permissionmissing",
            new OidcTokenException(OidcTokenErrorCode.PermissionMissing, "m").HelpLink);
    }

    [Fact]
    public void Every_package_readme_links_to_the_troubleshooting_page()
    {
        var link = "](" + Property("OidcTokenTroubleshootingUrl") + ")";
        var missing = RepositoryFiles.PackableProjects()
            .Select(p => Path.Combine(Path.GetDirectoryName(p.ProjectFile)!, "README.md"))
            .Where(readme => !File.Exists(readme) || !File.ReadAllText(readme).Contains(link, StringComparison.Ordinal))
            .Select(readme => Path.GetRelativePath(RepositoryFiles.Root, readme));
        Assert.Empty(missing);
    }

    // The property's value as written, with $(OidcTokenRepositoryUrl) expanded.
    private static string Property(string name) =>
        RawProperty(name).Replace("$(OidcTokenRepositoryUrl)", RawProperty("OidcTokenRepositoryUrl"), StringComparison.Ordinal);

    private static string RawProperty(string name)
    {
        var values = XDocument.Load(RepositoryFiles.PathOf(Settings)).Descendants(name).Select(e => e.Value.Trim()).ToList();
        Assert.True(values.Count == 1, $"{Settings} should set {name} exactly once; it does {values.Count} times");
        return values[0];
    }

    private static bool IsBuildOutput(string path)
    {
        var parts = Path.GetRelativePath(RepositoryFiles.Root, path).Split(Path.DirectorySeparatorChar);
        return parts.Any(p => p is "bin" or "obj" or "node_modules" or "artifacts" or ".git");
    }
}
