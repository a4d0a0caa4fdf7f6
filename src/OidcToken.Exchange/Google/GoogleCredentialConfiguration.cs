using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using OidcToken.Rules;

namespace OidcToken.Exchange;

/// <summary>
/// The Google Cloud credential-configuration file (<c>"type": "external_account"</c>) for workload identity federation
/// from GitHub Actions, exactly as <c>google-github-actions/auth</c> writes it. Google's client libraries (and
/// <c>gcloud</c>) load it through <c>GOOGLE_APPLICATION_CREDENTIALS</c>; because its <c>credential_source</c> is the
/// runner's token endpoint, they fetch a fresh GitHub ID token themselves whenever they refresh, so the file stays
/// usable for the whole job.
/// </summary>
/// <remarks>
/// <para>
/// Two audiences are involved and must not be mixed up: the STS <c>audience</c> field is the provider's full resource
/// name <b>without</b> a scheme (<see cref="StsAudience"/>, <c>//iam.googleapis.com/projects/…</c>), while the GitHub
/// token's <c>aud</c> claim defaults to the same name <b>with</b> <c>https:</c> (<see cref="GitHubAudience"/>).
/// </para>
/// <para>
/// The JSON embeds the runner's <c>ACTIONS_ID_TOKEN_REQUEST_TOKEN</c> in <c>credential_source.headers</c>: it is a
/// secret for the rest of the job. <see cref="ToString"/> never shows it. The configuration's URLs carry no token.
/// This type is immutable once built and safe to share between threads.
/// </para>
/// </remarks>
public sealed partial class GoogleCredentialConfiguration
{
    /// <summary>The <c>type</c> of the file, and the credential type Google.Apis.Auth's <c>CredentialFactory</c> must be asked for.</summary>
    public const string CredentialType = "external_account";

    /// <summary>The <c>subject_token_type</c>: an OIDC ID token.</summary>
    public const string SubjectTokenType = "urn:ietf:params:oauth:token-type:jwt";

    /// <summary>Google's Security Token Service endpoint, the default <see cref="TokenUrl"/>.</summary>
    public const string DefaultTokenUrl = "https://sts.googleapis.com/v1/token";

    /// <summary>
    /// The IAM Credentials collection that service-account impersonation URLs are built under, the default
    /// <see cref="ImpersonationUrlBase"/>: the URL is this, the service account's email and <c>:generateAccessToken</c>.
    /// </summary>
    public const string DefaultImpersonationUrlBase = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/";

    /// <summary>Google's default <c>timeout_millis</c> for an executable source, the default <see cref="ExecutableTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultExecutableTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan MinExecutableTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxExecutableTimeout = TimeSpan.FromSeconds(120);
    private const int MaxCommandLength = 4096;
    private const string IamHost = "iam.googleapis.com";
    private const string StsPrefix = "//" + IamHost + "/";
    private const string HttpsPrefix = "https://" + IamHost + "/";
    private const int MaxAudienceLength = 256;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Not HTML: keep '&', '+' and '/' readable in URLs, as the action's JSON.stringify does.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Creates a configuration for a workload identity provider.</summary>
    /// <param name="workloadIdentityProvider">
    /// The provider's resource name, <c>projects/&lt;project number&gt;/locations/global/workloadIdentityPools/&lt;pool&gt;/providers/&lt;provider&gt;</c>,
    /// optionally prefixed with <c>//iam.googleapis.com/</c> or <c>https://iam.googleapis.com/</c> (the prefix is removed).
    /// </param>
    /// <exception cref="ArgumentException">The name does not have that shape (the message names the rule).</exception>
    public GoogleCredentialConfiguration(string workloadIdentityProvider)
    {
        WorkloadIdentityProvider = NormalizeProvider(workloadIdentityProvider);
    }

    /// <summary>
    /// The provider's resource name, normalised to <c>projects/&lt;number&gt;/locations/global/workloadIdentityPools/&lt;pool&gt;/providers/&lt;provider&gt;</c>.
    /// </summary>
    public string WorkloadIdentityProvider { get; }

    /// <summary>The STS <c>audience</c> (the file's <c>audience</c>): <c>//iam.googleapis.com/</c> and <see cref="WorkloadIdentityProvider"/>, no scheme.</summary>
    public string StsAudience => StsPrefix + WorkloadIdentityProvider;

    /// <summary>
    /// The service account to impersonate, by email (for example <c>deployer@my-project.iam.gserviceaccount.com</c>), or
    /// <see langword="null"/> for direct workload identity federation (the federated token is used as is).
    /// </summary>
    /// <value>An email address of at most 254 characters. The default value is <see langword="null"/>.</value>
    /// <exception cref="ArgumentException">The value is not shaped like an email address.</exception>
    public string? ServiceAccount
    {
        get;
        init => field = value is null ? null : ValidateServiceAccount(value);
    }

    /// <summary>
    /// The <c>aud</c> requested for the GitHub ID token, or <see langword="null"/> for the default: the provider's name with
    /// <c>https://iam.googleapis.com/</c> in front, which a provider without <c>allowed_audiences</c> accepts. Set it when
    /// the provider lists its own allowed audiences.
    /// </summary>
    /// <value>1 to 256 characters without control characters. The default value is <see langword="null"/>.</value>
    /// <exception cref="ArgumentException">The value is empty, too long or contains a control character.</exception>
    public string? Audience
    {
        get;
        init => field = value is null ? null : ValidateAudience(value);
    }

    /// <summary>The GitHub token's <c>aud</c> this configuration requests: <see cref="Audience"/> or its default.</summary>
    public string GitHubAudience => Audience ?? HttpsPrefix + WorkloadIdentityProvider;

    /// <summary>
    /// The STS token endpoint written as <c>token_url</c>, or <see langword="null"/> for <see cref="DefaultTokenUrl"/>
    /// (set it for another universe, a private endpoint or a mock).
    /// </summary>
    /// <value>An absolute https URL; plain http only for a loopback host (127.0.0.0/8, ::1, localhost). The default value is <see langword="null"/>.</value>
    /// <exception cref="ArgumentException">The URL is relative, has credentials in it, or is http to a non-loopback host.</exception>
    public Uri? TokenUrl
    {
        get;
        init => field = value is null ? null : ValidateEndpoint(value, nameof(TokenUrl), "The token URL");
    }

    /// <summary>
    /// The IAM Credentials collection the impersonation URL is built under, or <see langword="null"/> for
    /// <see cref="DefaultImpersonationUrlBase"/>. Only used when <see cref="ServiceAccount"/> is set.
    /// </summary>
    /// <value>An absolute https URL; plain http only for a loopback host. The default value is <see langword="null"/>.</value>
    /// <exception cref="ArgumentException">The URL is relative, has credentials or a query in it, or is http to a non-loopback host.</exception>
    public Uri? ImpersonationUrlBase
    {
        get;
        init => field = value is null ? null : ValidateEndpoint(value, nameof(ImpersonationUrlBase), "The impersonation URL base");
    }

    /// <summary>
    /// The command Google's libraries run for a GitHub ID token, written as <c>credential_source.executable.command</c>
    /// instead of the runner's URL and request token; <see langword="null"/> (the default) for the URL source. The command
    /// must print Google's executable response, as <c>oidc-token token --audience &lt;aud&gt; --format gcp-executable</c>
    /// does, so no request token lands on disk and every refresh runs it for a fresh token. Google's libraries split it on
    /// spaces outside double quotes and run it without a shell, only when <c>GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1</c>
    /// is set; gcloud, Terraform and Google's Python, Java, Go and Node libraries support it, Google.Apis.Auth (.NET) does not.
    /// </summary>
    /// <value>
    /// An absolute program path first (quoted with <c>"</c> when it holds a space), then its arguments; at most 4096
    /// characters, no control characters. The default value is <see langword="null"/>.
    /// </value>
    /// <exception cref="ArgumentException">The command is blank, too long, has a control character, or does not start with an absolute path.</exception>
    public string? ExecutableCommand
    {
        get;
        init => field = value is null ? null : ValidateCommand(value);
    }

    /// <summary>
    /// How long Google's libraries let <see cref="ExecutableCommand"/> run (<c>timeout_millis</c>) before they kill it.
    /// </summary>
    /// <value>5 to 120 seconds, Google's bounds. The default value is 30 seconds, Google's default.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 5 to 120 seconds.</exception>
    public TimeSpan ExecutableTimeout
    {
        get;
        init => field = value >= MinExecutableTimeout && value <= MaxExecutableTimeout
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ExecutableTimeout), value, "The executable timeout must be from 5 to 120 seconds (Google's bounds for timeout_millis).");
    } = DefaultExecutableTimeout;

    /// <summary>
    /// Reads the runner's variables (<c>ACTIONS_ID_TOKEN_REQUEST_URL</c>, <c>ACTIONS_ID_TOKEN_REQUEST_TOKEN</c>,
    /// <c>RUNNER_TEMP</c> and those the diagnosis looks at), or <see langword="null"/> for the process environment.
    /// Tests pass a dictionary lookup.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<string, string?>? EnvironmentVariables { get; init; }

    /// <summary>The token endpoint written as <c>token_url</c>.</summary>
    public Uri EffectiveTokenUrl => TokenUrl ?? new Uri(DefaultTokenUrl);

    /// <summary>
    /// The <c>service_account_impersonation_url</c>
    /// (<c>…/v1/projects/-/serviceAccounts/&lt;email&gt;:generateAccessToken</c>), or <see langword="null"/> without a
    /// <see cref="ServiceAccount"/>.
    /// </summary>
    public Uri? ServiceAccountImpersonationUrl => ServiceAccount is { } account
        ? new Uri(
            (ImpersonationUrlBase?.AbsoluteUri ?? DefaultImpersonationUrlBase).TrimEnd('/') + "/" + account + ":generateAccessToken")
        : null;

    /// <summary>
    /// Builds the credential-configuration JSON from the runner's variables. With the URL source (no
    /// <see cref="ExecutableCommand"/>) <b>the result is a secret</b>: it contains the runner's request token, with which
    /// anyone can mint ID tokens for this job until it ends. Never log or print it. With an <see cref="ExecutableCommand"/>
    /// it holds no secret (<c>credential_source.executable</c> with the command and <c>timeout_millis</c>); the runner's
    /// variables are still checked, because the command needs them whenever it runs.
    /// </summary>
    /// <returns>The compact JSON object, members in the order the official action writes them.</returns>
    /// <exception cref="OidcTokenException">
    /// No token can be requested here (not in GitHub Actions, <c>permissions: id-token: write</c> missing, a fork or
    /// Dependabot run, malformed runner variables…): the same code and explanation as <see cref="GitHubOidcClient.Diagnose"/>.
    /// </exception>
    public string ToJson()
    {
        // With an executable source the runner's values are only checked (the command will need them), never written.
        var (requestUrl, requestToken) = ReadRunner();

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type", CredentialType);
            json.WriteString("audience", StsAudience);
            json.WriteString("subject_token_type", SubjectTokenType);
            json.WriteString("token_url", EffectiveTokenUrl.AbsoluteUri);
            json.WriteStartObject("credential_source");
            if (ExecutableCommand is { } command)
            {
                json.WriteStartObject("executable");
                json.WriteString("command", command);
                json.WriteNumber("timeout_millis", (long)ExecutableTimeout.TotalMilliseconds);
                json.WriteEndObject();
            }
            else
            {
                json.WriteString("url", BuildSubjectTokenUrl(requestUrl, GitHubAudience));
                json.WriteStartObject("headers");
                json.WriteString("Authorization", "Bearer " + requestToken);
                json.WriteEndObject();
                json.WriteStartObject("format");
                json.WriteString("type", "json");
                json.WriteString("subject_token_field_name", "value");
                json.WriteEndObject();
            }

            json.WriteEndObject();
            WriteImpersonation(json);
            json.WriteEndObject();
        }

        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        buffer.Clear(); // zeroes the bytes that held the request token
        return text;
    }

    /// <summary>
    /// Writes <see cref="ToJson"/> to a new file named <c>gha-creds-&lt;16 hex digits&gt;.json</c>, created exclusively
    /// (never overwriting) and, on Unix, readable and writable only by the current user (mode 0600) from the moment it
    /// exists. Point <c>GOOGLE_APPLICATION_CREDENTIALS</c> at it, and delete it when the job no longer needs it
    /// (<c>oidc-token cleanup</c> does): it holds the runner's request token.
    /// </summary>
    /// <param name="directory">
    /// The folder to write into, or <see langword="null"/> for <c>RUNNER_TEMP</c> (emptied by the runner after each job)
    /// or, when that is not set, the system temp folder.
    /// </param>
    /// <param name="cancellationToken">Cancels the write; a partly written file is deleted.</param>
    /// <returns>The full path of the new file.</returns>
    /// <exception cref="OidcTokenException">No token can be requested here (see <see cref="ToJson"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> (or <c>RUNNER_TEMP</c>) does not exist.</exception>
    /// <exception cref="IOException">The file could not be created or written (for example, the folder is read-only).</exception>
    /// <exception cref="UnauthorizedAccessException">The folder does not allow creating files.</exception>
    public async Task<string> WriteFileAsync(string? directory = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var json = ToJson();
        var folder = directory;
        if (string.IsNullOrEmpty(folder))
        {
            var runnerTemp = ReadVariable("RUNNER_TEMP");
            folder = string.IsNullOrEmpty(runnerTemp) ? Path.GetTempPath() : runnerTemp;
        }

        if (!Directory.Exists(folder))
        {
            throw new ArgumentException(
                "The folder for the Google credential-configuration file does not exist: '" + folder + "'. Fix: create it, or pass an existing folder.",
                nameof(directory));
        }

        var path = Path.Combine(Path.GetFullPath(folder), "gha-creds-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + ".json");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        var stream = new FileStream(path, options);
        var complete = false;
        try
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            complete = true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!complete)
            {
                File.Delete(path);
            }
        }

        return path;
    }

    private void WriteImpersonation(Utf8JsonWriter json)
    {
        if (ServiceAccountImpersonationUrl is { } impersonation)
        {
            json.WriteString("service_account_impersonation_url", impersonation.AbsoluteUri);
        }
    }

    /// <summary>Describes the configuration without any secret (no request token, no request URL).</summary>
    /// <returns>Provider, audiences, service account and endpoints.</returns>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"GoogleCredentialConfiguration {{ Provider = {WorkloadIdentityProvider}, StsAudience = {StsAudience}, GitHubAudience = {GitHubAudience}, ServiceAccount = {ServiceAccount ?? "(none: direct federation)"}, TokenUrl = {EffectiveTokenUrl}, Source = {(ExecutableCommand is null ? "url" : "executable")} }}");

    /// <summary>Reads one variable through <see cref="EnvironmentVariables"/> (or the process environment).</summary>
    /// <param name="name">The variable's name.</param>
    /// <returns>Its value, or <see langword="null"/>.</returns>
    internal string? ReadVariable(string name) =>
        (EnvironmentVariables ?? Environment.GetEnvironmentVariable)(name);

    internal static string BuildSubjectTokenUrl(string requestUrl, string audience) =>
        requestUrl + (requestUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "audience=" + Uri.EscapeDataString(audience);

    private (string RequestUrl, string RequestToken) ReadRunner()
    {
        using (var client = new GitHubOidcClient(new GitHubOidcClientOptions { EnvironmentVariables = EnvironmentVariables, MaskTokens = false }))
        {
            client.Diagnose().ThrowIfUnavailable();
        }

        // The diagnosis passed, so both are present and the URL is https (or http to loopback).
        return (ReadVariable(RunnerVariables.RequestUrl)!.Trim(), ReadVariable(RunnerVariables.RequestToken)!.Trim());
    }

    private static string NormalizeProvider(string value)
    {
        ArgumentNullException.ThrowIfNull(value, "workloadIdentityProvider");
        var name = value.Trim();
        if (name.StartsWith(StsPrefix, StringComparison.OrdinalIgnoreCase))
        {
            name = name[StsPrefix.Length..];
        }
        else if (name.StartsWith(HttpsPrefix, StringComparison.OrdinalIgnoreCase))
        {
            name = name[HttpsPrefix.Length..];
        }

        if (ProviderName().IsMatch(name))
        {
            return name;
        }

        var hint = ProjectIdInsteadOfNumber().IsMatch(name)
            ? " It names the project by id; use the project NUMBER (gcloud projects describe PROJECT_ID --format='value(projectNumber)')."
            : string.Empty;
        throw new ArgumentException(
            "The workload identity provider must be 'projects/<project number>/locations/global/workloadIdentityPools/<pool id>/providers/<provider id>' "
            + "(optionally prefixed with '//iam.googleapis.com/' or 'https://iam.googleapis.com/'; ids are 4-32 lower-case letters, digits and '-'), "
            + "as shown by: gcloud iam workload-identity-pools providers describe PROVIDER --location=global --workload-identity-pool=POOL --format='value(name)'. "
            + "It was '" + Shorten(value) + "'." + hint,
            nameof(WorkloadIdentityProvider));
    }

    private static string ValidateServiceAccount(string value)
    {
        var account = value.Trim();
        if (account.Length <= 254 && ServiceAccountEmail().IsMatch(account))
        {
            return account;
        }

        throw new ArgumentException(
            "The service account must be its email address, such as 'NAME@PROJECT_ID.iam.gserviceaccount.com' (at most 254 characters). It was '"
            + Shorten(value) + "'.",
            nameof(ServiceAccount));
    }

    private static string ValidateCommand(string value)
    {
        var command = value.Trim();
        var program = command.StartsWith('"') ? command[1..Math.Max(1, command.IndexOf('"', 1))] : command.Split(' ')[0];
        if (command.Length == 0 || command.Length > MaxCommandLength || command.Any(char.IsControl) || !Path.IsPathFullyQualified(program))
        {
            throw new ArgumentException(
                "The executable command must start with the program's absolute path (in double quotes when it holds a space), then its arguments, "
                + "at most 4096 characters without control characters: Google's libraries run it without a shell. It was '" + Shorten(value) + "'.",
                nameof(ExecutableCommand));
        }

        return command;
    }

    private static string ValidateAudience(string value)
    {
        if (value.Length == 0 || value.Length > MaxAudienceLength || string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl))
        {
            throw new ArgumentException(
                "The GitHub audience must be 1 to 256 characters without control characters (Google allows up to 10 custom audiences of at most 256 characters per provider); "
                + "leave it unset for the default https://iam.googleapis.com/<provider>.",
                nameof(Audience));
        }

        return value;
    }

    private static Uri ValidateEndpoint(Uri value, string name, string what)
    {
        if (!value.IsAbsoluteUri)
        {
            throw new ArgumentException(what + " must be an absolute URL; it was '" + value.OriginalString + "'.", name);
        }

        if (!string.IsNullOrEmpty(value.UserInfo))
        {
            throw new ArgumentException(what + " must not contain user information.", name);
        }

        if (value.Scheme == Uri.UriSchemeHttps || (value.Scheme == Uri.UriSchemeHttp && UrlRules.IsLoopbackHost(value)))
        {
            return value;
        }

        throw new ArgumentException(
            what + " must be https (plain http only for a loopback host: 127.0.0.0/8, ::1 or localhost); it was '" + value.GetLeftPart(UriPartial.Authority) + "'.",
            name);
    }

    private static string Shorten(string value) => value.Length <= 200 ? value : value[..200] + "…";

    [GeneratedRegex(@"^projects/[0-9]+/locations/global/workloadIdentityPools/[a-z0-9-]{4,32}/providers/[a-z0-9-]{4,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProviderName();

    [GeneratedRegex(@"^projects/[a-z][a-z0-9-]*[a-z0-9]/locations/", RegexOptions.CultureInvariant)]
    private static partial Regex ProjectIdInsteadOfNumber();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex ServiceAccountEmail();
}
