namespace OidcToken.Testing.Tests.Support;

/// <summary>Finds the repository (the folder holding OidcToken.sln) and the real GitHub fixtures kept in it.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepositoryRoot => Root.Value;

    /// <summary><c>tests/OidcToken.Validation.Tests/Fixtures/github-real</c> (its README describes each file).</summary>
    public static string RealFixtures
    {
        get
        {
            var path = Path.Combine(RepositoryRoot, "tests", "OidcToken.Validation.Tests", "Fixtures", "github-real");
            return Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"The real GitHub fixtures are missing: {path}.");
        }
    }

    public static string PeersDirectory => Path.Combine(RepositoryRoot, "benchmarks", "peers");

    public static string Fixture(string name) => Path.Combine(RealFixtures, name);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OidcToken.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds OidcToken.sln.");
    }
}
