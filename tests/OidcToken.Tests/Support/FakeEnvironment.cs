namespace OidcToken.Tests.Support;

/// <summary>An environment-variable source for tests, so no test touches process-wide variables.</summary>
internal sealed class FakeEnvironment
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public FakeEnvironment(IEnumerable<KeyValuePair<string, string>>? values = null)
    {
        if (values is not null)
        {
            foreach (var (key, value) in values)
            {
                _values[key] = value;
            }
        }
    }

    public string? this[string name]
    {
        get => _values.TryGetValue(name, out var value) ? value : null;
        set
        {
            if (value is null)
            {
                _values.Remove(name);
            }
            else
            {
                _values[name] = value;
            }
        }
    }

    public Func<string, string?> Reader => name => this[name];

    public static FakeEnvironment InActions() => new(new Dictionary<string, string>
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_SERVER_URL"] = "https://github.com",
        ["GITHUB_REPOSITORY"] = "octo-org/octo-repo",
        ["GITHUB_ACTOR"] = "octocat",
        ["GITHUB_EVENT_NAME"] = "push",
        ["RUNNER_ENVIRONMENT"] = "github-hosted",
    });
}
