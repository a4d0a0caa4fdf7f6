// AzureBlobs: list the blobs of an Azure Storage container with Azure.Storage.Blobs' BlobContainerClient, authenticated by
// GitHubActionsCredential (an Azure.Core TokenCredential that exchanges a GitHub Actions ID token at Microsoft Entra ID).
//
// Inside GitHub Actions it uses the real runner, the real Entra ID (AZURE_TENANT_ID, AZURE_CLIENT_ID) and the real storage
// account (AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_CONTAINER). Anywhere else it starts OidcToken's mock GitHub OIDC issuer and
// the in-process mock Entra ID, and gives the blob client an in-process Blob service stand-in as its transport: the URLs
// stay the real https ones and nothing leaves the process, so it runs end to end on a laptop and in CI. It prints blob
// names and non-secret facts, never a token.
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azure;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage.Blobs;
using OidcToken;
using OidcToken.Azure;
using OidcToken.Testing;

const string StorageScope = "https://storage.azure.com/.default";

var inActions = string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
var account = Environment.GetEnvironmentVariable("AZURE_STORAGE_ACCOUNT") ?? "octoartifacts";
var container = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONTAINER") ?? "releases";
var containerUri = new Uri($"https://{account}.blob.core.windows.net/{container}");

MockGitHubOidcIssuer? issuer = null;
HttpClient? entraHttp = null;
BlobServiceStandIn? blobService = null;
GitHubActionsCredentialOptions options;
var blobOptions = new BlobClientOptions();
if (inActions)
{
    Console.WriteLine("Running inside GitHub Actions: asking the real runner, Microsoft Entra ID and Azure Storage.");
    options = new GitHubActionsCredentialOptions
    {
        TenantId = Environment.GetEnvironmentVariable("AZURE_TENANT_ID"),
        ClientId = Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"),
    };
}
else
{
    issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { Owner = "octo-org", Repository = "octo-repo", Environment = "prod" });
    var entra = new MockEntraId(new MockEntraIdOptions
    {
        // The federated identity credential: issuer, subject and audience, as in the README.
        ExpectedIssuer = issuer.Issuer,
        ExpectedSubject = "repo:octo-org/octo-repo:environment:prod",
        ExpectedAudience = GitHubActionsCredentialOptions.DefaultAudience,
    });
    entraHttp = entra.CreateHttpClient();
    var environment = issuer.GetEnvironment();
    var client = new GitHubOidcClient(new GitHubOidcClientOptions
    {
        EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
        MaskTokens = false,
    });
    options = new GitHubActionsCredentialOptions
    {
        TenantId = entra.TenantId,
        ClientId = entra.ClientId,
        TokenSource = IdTokenSources.FromClient(client),
        // Azure.Identity only talks to https authorities: the real one is kept and the mock answers in process.
        Transport = new HttpClientTransport(entraHttp),
        DisableInstanceDiscovery = true,
    };

    // The Blob service stand-in accepts only access tokens this mock Entra ID issued for Azure Storage.
    blobService = new BlobServiceStandIn(account, container, ["v1.0/octo-cli-linux-x64.tar.gz", "v1.0/octo-cli-win-x64.zip", "v1.1/octo-cli-linux-x64.tar.gz"],
        token => entra.IsValidAccessToken(token, StorageScope));
    blobOptions.Transport = new HttpClientTransport(blobService);
    Console.WriteLine("Not inside GitHub Actions: started the mock GitHub OIDC issuer, the in-process mock Entra ID and an in-process Blob service stand-in.");
}

using (issuer)
using (entraHttp)
using (blobService)
{
    var credential = new GitHubActionsCredential(options);
    try
    {
        // Any Azure SDK client takes the credential; the client asks it for a token for https://storage.azure.com/.default.
        var containerClient = new BlobContainerClient(containerUri, credential, blobOptions);
        Console.WriteLine($"Blobs in container '{containerClient.Name}' of account '{containerClient.AccountName}':");
        var count = 0;
        await foreach (var blob in containerClient.GetBlobsAsync())
        {
            Console.WriteLine($"  - {blob.Name}");
            count++;
        }

        Console.WriteLine($"{count} blob(s).");
        if (blobService is not null && issuer is not null)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"The stand-in answered {blobService.AuthorizedRequestCount} List Blobs request(s), each with a bearer token the mock Entra ID issued for Azure Storage; it refused {blobService.RefusedRequestCount}. GitHub tokens requested: {issuer.TokenRequestCount}."));
        }

        return 0;
    }
    catch (CredentialUnavailableException ex)
    {
        Console.Error.WriteLine("No GitHub token can be requested here: " + ex.Message);
        return 3;
    }
    catch (AuthenticationFailedException ex) when (ex.InnerException is OidcTokenException oidc)
    {
        Console.Error.WriteLine(ex.Message);
        return oidc.ExitCode;
    }
    catch (RequestFailedException ex)
    {
        // e.g. 403 AuthorizationPermissionMismatch: the identity has no data role (Storage Blob Data Reader) on the account.
        Console.Error.WriteLine($"Azure Storage refused the request: {ex.Status} {ex.ErrorCode}");
        return 1;
    }
}

/// <summary>
/// An in-process stand-in for the Blob service's List Blobs operation (<c>GET https://ACCOUNT.blob.core.windows.net/CONTAINER?restype=container&amp;comp=list</c>),
/// used as the blob client's transport. It answers the service's <c>EnumerationResults</c> XML only to requests that carry
/// <c>Authorization: Bearer</c> with a token <c>isValidToken</c> accepts, and the service's 403 <c>AuthenticationFailed</c>
/// (or 404) otherwise. It never stores or prints a token.
/// </summary>
internal sealed class BlobServiceStandIn : HttpMessageHandler
{
    private readonly string _host;
    private readonly string _container;
    private readonly string[] _blobNames;
    private readonly Func<string, bool> _isValidToken;
    private int _authorized;
    private int _refused;

    public BlobServiceStandIn(string account, string container, string[] blobNames, Func<string, bool> isValidToken)
    {
        _host = account + ".blob.core.windows.net";
        _container = container;
        _blobNames = blobNames;
        _isValidToken = isValidToken;
    }

    public int AuthorizedRequestCount => Volatile.Read(ref _authorized);

    public int RefusedRequestCount => Volatile.Read(ref _refused);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var query = uri.Query;
        var isListBlobs = request.Method == HttpMethod.Get
            && uri.Scheme == Uri.UriSchemeHttps
            && string.Equals(uri.Host, _host, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.AbsolutePath, "/" + _container, StringComparison.Ordinal)
            && query.Contains("restype=container", StringComparison.Ordinal)
            && query.Contains("comp=list", StringComparison.Ordinal);
        if (!isListBlobs)
        {
            Interlocked.Increment(ref _refused);
            return Task.FromResult(Error(request, HttpStatusCode.NotFound, "ResourceNotFound", "The specified resource does not exist."));
        }

        var authorization = request.Headers.Authorization;
        if (authorization is not { Scheme: "Bearer", Parameter: { Length: > 0 } token } || !_isValidToken(token))
        {
            Interlocked.Increment(ref _refused);
            return Task.FromResult(Error(
                request,
                HttpStatusCode.Forbidden,
                "AuthenticationFailed",
                "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature."));
        }

        Interlocked.Increment(ref _authorized);
        var xml = new StringBuilder()
            .Append("""<?xml version="1.0" encoding="utf-8"?>""")
            .Append(CultureInfo.InvariantCulture, $"""<EnumerationResults ServiceEndpoint="https://{_host}/" ContainerName="{_container}"><Blobs>""");
        foreach (var name in _blobNames)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<Blob><Name>{WebUtility.HtmlEncode(name)}</Name><Properties>")
                .Append("<Last-Modified>Thu, 15 Jan 2026 10:00:00 GMT</Last-Modified><Etag>0x8DE33A1B2C3D4E5</Etag>")
                .Append("<Content-Length>1048576</Content-Length><Content-Type>application/octet-stream</Content-Type>")
                .Append("<BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred>")
                .Append("<LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted>")
                .Append("</Properties></Blob>");
        }

        xml.Append("</Blobs><NextMarker /></EnumerationResults>");
        return Task.FromResult(Respond(request, HttpStatusCode.OK, xml.ToString()));
    }

    private static HttpResponseMessage Error(HttpRequestMessage request, HttpStatusCode status, string code, string message)
    {
        var response = Respond(
            request,
            status,
            $"""<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>""");
        response.Headers.Add("x-ms-error-code", code);
        return response;
    }

    private static HttpResponseMessage Respond(HttpRequestMessage request, HttpStatusCode status, string xml)
    {
        var response = new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new StringContent(xml, Encoding.UTF8, new MediaTypeHeaderValue("application/xml")),
        };
        response.Headers.Add("x-ms-request-id", Guid.NewGuid().ToString());
        response.Headers.Add("x-ms-version", request.Headers.TryGetValues("x-ms-version", out var version) ? version.First() : "2026-02-06");
        return response;
    }
}
