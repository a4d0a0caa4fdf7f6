namespace OidcToken.Tests.Support;

/// <summary>
/// Finds the real GitHub fixtures kept in the repository, <c>tests/OidcToken.Validation.Tests/Fixtures/github-real</c>
/// (its README describes each file).
/// </summary>
internal static class Fixtures
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string GitHubReal(string fileName)
    {
        var path = Path.Combine(RepositoryRoot, "tests", "OidcToken.Validation.Tests", "Fixtures", "github-real", fileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("A real GitHub fixture is missing from tests/OidcToken.Validation.Tests/Fixtures/github-real.", path);
        }

        return File.ReadAllText(path).Trim();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OidcToken.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OidcToken.sln not found above " + AppContext.BaseDirectory);
    }
}
