// GoogleCloudStorage: list the objects of a Cloud Storage bucket with Google.Cloud.Storage.V1's StorageClient, authenticated
// by GitHubGoogleCredential (workload identity federation from a GitHub Actions ID token, no service-account key).
//
// In a workflow (GITHUB_ACTIONS=true) it uses the real runner, Google's STS and IAM Credentials and the real bucket
// (GCP_WORKLOAD_IDENTITY_PROVIDER, GCP_SERVICE_ACCOUNT, GCS_BUCKET). Elsewhere it starts the mock GitHub issuer, the mock
// Google Cloud and a Cloud Storage JSON API stand-in on 127.0.0.1 and runs the same client code end to end. It prints
// object names and non-secret facts, never a token.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Cloud.Storage.V1;
using OidcToken;
using OidcToken.Exchange;
using OidcToken.Google;
using OidcToken.Testing;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

var inActions = string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
var provider = Environment.GetEnvironmentVariable("GCP_WORKLOAD_IDENTITY_PROVIDER")
    ?? "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github-provider";
var serviceAccount = Environment.GetEnvironmentVariable("GCP_SERVICE_ACCOUNT") ?? "storage-reader@my-project.iam.gserviceaccount.com";
var bucket = Environment.GetEnvironmentVariable("GCS_BUCKET") ?? "octo-artifacts";

MockGitHubOidcIssuer? issuer = null;
MockGoogleCloud? google = null;
StorageStandIn? storage = null;
GoogleCredentialConfiguration configuration;
if (inActions)
{
    configuration = new GoogleCredentialConfiguration(provider) { ServiceAccount = serviceAccount };
}
else
{
    Console.WriteLine("Not in GitHub Actions: using the mock GitHub issuer, the mock Google Cloud and a Cloud Storage stand-in on 127.0.0.1.");
    issuer = MockGitHubOidcIssuer.Start();
    var options = new MockGoogleCloudOptions
    {
        WorkloadIdentityProvider = provider,
        // The provider's attribute condition, as in the README: this repository (by id) of this owner (by id).
        AttributeCondition = claims =>
            claims.GetValueOrDefault("repository_id") == "456789" && claims.GetValueOrDefault("repository_owner_id") == "123456",
    };
    options.ServiceAccounts.Add(serviceAccount);
    google = MockGoogleCloud.Start(options);
    var environment = issuer.GetEnvironment();
    configuration = new GoogleCredentialConfiguration(provider)
    {
        ServiceAccount = serviceAccount,
        TokenUrl = google.TokenUrl,
        ImpersonationUrlBase = google.ImpersonationUrlBase,
        EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
    };
}

string? path = null;
try
{
    Console.WriteLine(configuration);

    // For other tools in the job (gcloud, gsutil, terraform, other SDKs): the credential-configuration file.
    path = await configuration.WriteFileAsync();
    Console.WriteLine($"Credential configuration written to {path} (mode 0600; it holds the runner's request token): set GOOGLE_APPLICATION_CREDENTIALS to it.");

    // In this process: a GoogleCredential that refreshes itself with fresh GitHub tokens, for any Google Cloud client library.
    var credential = GitHubGoogleCredential.Create(configuration);
    var builder = new StorageClientBuilder { Credential = credential };
    if (google is not null)
    {
        // The stand-in accepts only the access token the credential got from the mock Google Cloud (see StorageStandIn).
        storage = StorageStandIn.Start(bucket, ["v1.0/octo-cli-linux-x64.tar.gz", "v1.0/octo-cli-win-x64.zip", "v1.1/octo-cli-linux-x64.tar.gz"], credential, google);
        builder.BaseUri = storage.BaseUri;
    }

    var client = await builder.BuildAsync();
    Console.WriteLine($"Objects in bucket '{bucket}':");
    var count = 0;
    await foreach (var item in client.ListObjectsAsync(bucket))
    {
        Console.WriteLine($"  - {item.Name}");
        count++;
    }

    Console.WriteLine($"{count} object(s).");
    if (google is not null && issuer is not null && storage is not null)
    {
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"The stand-in answered {storage.AuthorizedRequestCount} list request(s), each with the bearer token the mock Google Cloud issued; it refused {storage.RefusedRequestCount}."));
        Console.WriteLine($"Mock GitHub token requests: {issuer.TokenRequestCount}; STS exchanges: {google.StsRequestCount}; impersonations: {google.ImpersonationRequestCount}.");
    }

    return 0;
}
catch (OidcTokenException ex)
{
    Console.Error.WriteLine($"{ex.ErrorCode}: {ex.Message}");
    return ex.ExitCode;
}
catch (TokenResponseException ex)
{
    // STS or IAM Credentials refused while the client library refreshed the credential (attribute condition, IAM binding…).
    Console.Error.WriteLine($"Google refused the token exchange: {ex.Error?.Error} {ex.Error?.ErrorDescription}");
    return 1;
}
catch (GoogleApiException ex)
{
    // e.g. 403: the principal has no storage.objects.list on the bucket (roles/storage.objectViewer).
    Console.Error.WriteLine($"Cloud Storage refused the request: {(int)ex.HttpStatusCode} {ex.Error?.Message}");
    return 1;
}
finally
{
    if (path is not null)
    {
        File.Delete(path);
        Console.WriteLine("Removed the credential configuration file.");
    }

    storage?.Dispose();
    google?.Dispose();
    issuer?.Dispose();
}

/// <summary>
/// A stand-in for the Cloud Storage JSON API's <c>objects.list</c> (<c>GET /storage/v1/b/BUCKET/o</c>) on 127.0.0.1. It answers
/// the API's <c>storage#objects</c> JSON only to a request whose <c>Authorization: Bearer</c> token is the one the credential
/// obtained from <see cref="MockGoogleCloud"/> (which must have issued an impersonated token), and Google's 401 error otherwise.
/// It never stores or prints a token.
/// </summary>
/// <remarks>
/// <see cref="MockGoogleCloud"/> has no <c>IsValidAccessToken</c> (it remembers only federated tokens, not impersonated
/// ones), so the check compares with the credential's current token: the credential's only token endpoints are the mock's.
/// </remarks>
internal sealed class StorageStandIn : IDisposable
{
    private const string JsonContentType = "application/json; charset=UTF-8";
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly WireMockServer _server;
    private readonly string _bucket;
    private readonly string[] _objectNames;
    private readonly ITokenAccess _credential;
    private readonly MockGoogleCloud _google;
    private int _authorized;
    private int _refused;

    private StorageStandIn(WireMockServer server, string bucket, string[] objectNames, ITokenAccess credential, MockGoogleCloud google)
    {
        _server = server;
        _bucket = bucket;
        _objectNames = objectNames;
        _credential = credential;
        _google = google;
        BaseUri = server.Url + "/storage/v1/";
        _server
            .Given(Request.Create().UsingGet().WithPath("/storage/v1/b/" + bucket + "/o"))
            .RespondWith(Response.Create().WithCallback(RespondAsync));
    }

    /// <summary>The JSON API root to give <see cref="StorageClientBuilder"/>, <c>http://127.0.0.1:PORT/storage/v1/</c>.</summary>
    public string BaseUri { get; }

    public int AuthorizedRequestCount => Volatile.Read(ref _authorized);

    public int RefusedRequestCount => Volatile.Read(ref _refused);

    public static StorageStandIn Start(string bucket, string[] objectNames, ITokenAccess credential, MockGoogleCloud google)
    {
        var server = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"], StartAdminInterface = false });
        return new StorageStandIn(server, bucket, objectNames, credential, google);
    }

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
    }

    private async Task<IResponseMessage> RespondAsync(IRequestMessage request)
    {
        var authorization = request.Headers?.FirstOrDefault(h => string.Equals(h.Key, "Authorization", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        var bearer = authorization?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true ? authorization[7..].Trim() : null;
        var issuedByMock = _google.Requests.Any(r => r.Endpoint == MockGoogleEndpoint.GenerateAccessToken && r.StatusCode == 200 && r.HadValidBearer);
        if (bearer is null || !issuedByMock
            || !string.Equals(bearer, await _credential.GetAccessTokenForRequestAsync(authUri: null, CancellationToken.None).ConfigureAwait(false), StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _refused);
            return Json(401, Write(json =>
            {
                json.WriteStartObject("error");
                json.WriteNumber("code", 401);
                json.WriteString("message", "Invalid Credentials");
                json.WriteString("status", "UNAUTHENTICATED");
                json.WriteEndObject();
            }));
        }

        Interlocked.Increment(ref _authorized);
        return Json(200, Write(json =>
        {
            json.WriteString("kind", "storage#objects");
            json.WriteStartArray("items");
            for (var i = 0; i < _objectNames.Length; i++)
            {
                json.WriteStartObject();
                json.WriteString("kind", "storage#object");
                json.WriteString("id", string.Create(CultureInfo.InvariantCulture, $"{_bucket}/{_objectNames[i]}/176847120000000{i}"));
                json.WriteString("name", _objectNames[i]);
                json.WriteString("bucket", _bucket);
                json.WriteString("generation", string.Create(CultureInfo.InvariantCulture, $"176847120000000{i}"));
                json.WriteString("contentType", "application/octet-stream");
                json.WriteString("size", "1048576");
                json.WriteString("storageClass", "STANDARD");
                json.WriteString("timeCreated", "2026-01-15T10:00:00.000Z");
                json.WriteString("updated", "2026-01-15T10:00:00.000Z");
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }));
    }

    private static ResponseMessage Json(int status, string body)
    {
        var message = new ResponseMessage { StatusCode = status };
        message.AddHeader("Content-Type", JsonContentType);
        message.BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Utf8NoBom };
        return message;
    }

    private static string Write(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
