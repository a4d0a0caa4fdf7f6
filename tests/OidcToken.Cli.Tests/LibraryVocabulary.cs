using System.Reflection;
using System.Text.RegularExpressions;
using OidcToken.Aws;
using OidcToken.Azure;
using OidcToken.Exchange;
using OidcToken.Validation;

namespace OidcToken.Cli;

/// <summary>
/// The libraries' C# vocabulary, which a command-line user never types and so must never read: option types and their
/// members (<c>VaultJwtLoginOptions.MaxAttempts</c>, <c>SigningKeys</c>), the policy builder's methods
/// (<c>AllowAnyRepository()</c>, <c>RepositoryId(</c>) and .NET's <c>(Parameter '…')</c> suffix. Collected by reflection,
/// so a member added later is covered. <see cref="CliRun"/> checks every in-process run against it.
/// </summary>
internal static class LibraryVocabulary
{
    private static readonly Lazy<Regex> Pattern = new(Build);

    /// <summary>The first piece of library vocabulary in <paramref name="text"/>, or null.</summary>
    internal static string? FindIn(string text)
    {
        var match = Pattern.Value.Match(text);
        return match.Success ? match.Value : null;
    }

    /// <summary>Fails the test when the output of a run names a C# member.</summary>
    internal static void AssertAbsent(IReadOnlyList<string> args, string output, string error)
    {
        var pattern = Pattern.Value;
        foreach (var (stream, text) in new[] { ("stderr", error), ("stdout", output) })
        {
            if (pattern.Match(text) is { Success: true } match && match.Value is var found)
            {
                Assert.Fail($"oidc-token {string.Join(' ', args.Take(2))} wrote the library's C# vocabulary '{found}' to {stream}: map the setting to the CLI's flag (CliSettings).\n{text}");
            }
        }
    }

    /// <summary>The option types whose members the vocabulary holds.</summary>
    internal static IEnumerable<Type> OptionTypes() =>
        new[] { typeof(GitHubOidcClientOptions), typeof(GitHubOidcValidationOptions), typeof(ExchangeOptions), typeof(GitHubAwsCredentialsOptions), typeof(GitHubActionsCredentialOptions) }
            .Select(type => type.Assembly)
            .Distinct()
            .SelectMany(assembly => assembly.GetExportedTypes())
            .Where(type => type.Name.EndsWith("Options", StringComparison.Ordinal));

    /// <summary>Every term, each a regular expression (for tests of the guard itself).</summary>
    internal static IReadOnlyList<string> Terms()
    {
        var terms = new List<string> { Regex.Escape("(Parameter '") };
        foreach (var type in OptionTypes())
        {
            // The type name alone is never an English word (GitHubOidcClientOptions).
            terms.Add(@"\b" + Regex.Escape(type.Name) + @"\b");
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                // Type.Member always; the bare member only when it is not an ordinary word (two capitals or more:
                // SigningKeys, MaxTokenAge, but not Issuer or Policy), matched case-sensitively as a whole word.
                terms.Add(@"\b[A-Za-z]*Options\." + Regex.Escape(property.Name) + @"\b");
                if (property.DeclaringType!.Namespace?.StartsWith("OidcToken", StringComparison.Ordinal) == true && IsCompound(property.Name))
                {
                    terms.Add(@"(?<![-\w])" + Regex.Escape(property.Name) + @"\b");
                }
            }
        }

        // The policy builder's methods as code: "AllowAnyRepository()", "RepositoryId(\"…\")", "Subject(".
        foreach (var method in typeof(GitHubClaimPolicyBuilder).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            terms.Add(@"(?<![-\w])" + Regex.Escape(method.Name) + @"\(");
        }

        terms.Add(@"\bGitHubClaimPolicy\.CreateBuilder\b");
        return terms;
    }

    private static bool IsCompound(string name) => name.Count(char.IsUpper) >= 2 && !name.All(c => char.IsUpper(c) || char.IsDigit(c));

    private static Regex Build() => new(string.Join('|', Terms().Distinct()), RegexOptions.CultureInvariant);
}
