using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace OidcToken;

/// <summary>
/// Options for <see cref="GitHubOidcClient"/>. Every value has a documented default and range; the client
/// validates them once, when it is built, and reports every problem together.
/// </summary>
public sealed class GitHubOidcClientOptions
{
    /// <summary>The name <c>AddGitHubOidc</c> registers its <see cref="HttpClient"/> under.</summary>
    public const string DefaultHttpClientName = "OidcToken.GitHub";

    /// <summary>
    /// How long one HTTP attempt may take. Must be between 100 ms and 5 minutes.
    /// The default value is 10 seconds.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a token request may take in all, retries and their delays included. Must be between
    /// 100 ms and 1 hour. The default value is 60 seconds.
    /// </summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The most HTTP attempts per token request (1 disables retries). Must be between 1 and 20.
    /// The default value is 5.
    /// </summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// The base delay of the exponential backoff (with jitter) between attempts; a server's <c>Retry-After</c>
    /// takes precedence. Must be between 0 and 30 seconds. The default value is 1 second.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest delay between two attempts. Must be at least <see cref="RetryDelay"/> and at most 5 minutes.
    /// The default value is 10 seconds.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long before it expires a cached token is replaced. A token is reused until its local receive time
    /// plus its lifetime (<c>exp − iat</c>) minus this margin, so a runner with a skewed clock still refreshes
    /// in time. Must be between 60 seconds and 1 hour. The default value is 60 seconds.
    /// </summary>
    public TimeSpan CacheMargin { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether each new token is registered with the runner's log masker (<c>::add-mask::</c>) before it is returned.
    /// <see langword="null"/> masks when this process runs in GitHub Actions (the process environment's <c>GITHUB_ACTIONS</c> is
    /// <c>true</c>), where the output goes to the job's log; <see cref="EnvironmentVariables"/> does not decide it, so a test that
    /// hands the client a mock issuer's variables prints no mask commands. The default value is <see langword="null"/>.
    /// </summary>
    public bool? MaskTokens { get; set; }

    /// <summary>
    /// Where mask commands are written. The runner reads workflow commands on stdout and stderr.
    /// <see langword="null"/> means <see cref="Console.Out"/>, like <c>core.setSecret</c>. The default value is <see langword="null"/>.
    /// </summary>
    public TextWriter? MaskOutput { get; set; }

    /// <summary>
    /// An <see cref="System.Net.Http.HttpClient"/> to send requests with. Redirects are refused either way; prefer
    /// <see cref="HttpClientFactory"/> (or <c>AddGitHubOidc</c>, which registers a redirect-free handler).
    /// <see langword="null"/> means the client creates its own with a redirect-free handler. The default value is <see langword="null"/>.
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// A factory the client takes its <see cref="System.Net.Http.HttpClient"/> from, by <see cref="HttpClientName"/>.
    /// Used when <see cref="HttpClient"/> is null. The default value is <see langword="null"/>.
    /// </summary>
    public IHttpClientFactory? HttpClientFactory { get; set; }

    /// <summary>The named client taken from <see cref="HttpClientFactory"/>. The default value is <see cref="DefaultHttpClientName"/>.</summary>
    public string HttpClientName { get; set; } = DefaultHttpClientName;

    /// <summary>The clock for cache lifetimes, deadlines and retry delays. <see langword="null"/> means <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where the client logs (never a token). <see langword="null"/> means no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Reads an environment variable by name. <see langword="null"/> means the process environment.
    /// Tests pass a dictionary lookup so they need no process-wide variables.
    /// </summary>
    public Func<string, string?>? EnvironmentVariables { get; set; }

    /// <summary>
    /// A check run on every freshly received token before it is returned or cached (for example the verifier
    /// from <c>OidcToken.Validation</c>). The default value is <see langword="null"/> (no check).
    /// </summary>
    public IdTokenVerifier? Verifier { get; set; }

    /// <summary>Test seam for container markers; null means <see cref="File.Exists(string)"/>.</summary>
    internal Func<string, bool>? FileExists { get; set; }

    /// <summary>Throws one <see cref="ArgumentException"/> listing every invalid value.</summary>
    internal void Validate()
    {
        var errors = new List<string>();
        CheckRange(errors, nameof(AttemptTimeout), AttemptTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        CheckRange(errors, nameof(Deadline), Deadline, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        CheckRange(errors, nameof(RetryDelay), RetryDelay, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        CheckRange(errors, nameof(MaxRetryDelay), MaxRetryDelay, RetryDelay < TimeSpan.Zero ? TimeSpan.Zero : RetryDelay, TimeSpan.FromMinutes(5));
        CheckRange(errors, nameof(CacheMargin), CacheMargin, TimeSpan.FromSeconds(60), TimeSpan.FromHours(1));
        if (MaxAttempts is < 1 or > 20)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(MaxAttempts)} must be between 1 and 20; it is {MaxAttempts}."));
        }

        if (string.IsNullOrWhiteSpace(HttpClientName))
        {
            errors.Add($"{nameof(HttpClientName)} must not be empty.");
        }

        if (errors.Count > 0)
        {
            var message = new StringBuilder("Invalid GitHubOidcClientOptions:");
            foreach (var error in errors)
            {
                message.Append("\n- ").Append(error);
            }

            throw new ArgumentException(message.ToString(), "options");
        }
    }

    private static void CheckRange(List<string> errors, string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}; it is {value}."));
        }
    }
}
