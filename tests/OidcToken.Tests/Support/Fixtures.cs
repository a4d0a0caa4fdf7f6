namespace OidcToken.Tests.Support;

/// <summary>
/// Finds the real GitHub fixtures in <c>shared/fixtures/github-real</c> beside the repository, else the byte copies in
/// <c>tests/OidcToken.Validation.Tests/Fixtures/github-real</c> (its README describes each file).
/// </summary>
internal static class Fixtures
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string GitHubReal(string fileName)
    {
        var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures", "github-real", fileName));
        if (!File.Exists(path))
        {
            // A clone without shared/ beside it uses the byte copies kept in the repository.
            path = Path.Combine(RepositoryRoot, "tests", "OidcToken.Validation.Tests", "Fixtures", "github-real", fileName);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException("The real GitHub fixtures are expected in ../shared/fixtures/github-real beside the repository.", path);
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
