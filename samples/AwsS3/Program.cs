// AwsS3: list S3 buckets with AWS credentials obtained from a GitHub Actions OIDC ID token.
//
// Inside GitHub Actions (with `permissions: id-token: write`) it assumes the role in AWS_ROLE_ARN through the real AWS STS
// and lists the real buckets. Anywhere else it starts OidcToken's mock GitHub OIDC issuer, its mock AWS STS and a tiny
// S3 ListBuckets stand-in on loopback, so the same code runs end to end on a laptop and in CI. It never prints a token,
// a secret access key or a session token.
using Amazon;
using Amazon.S3;
using OidcToken;
using OidcToken.Aws;
using OidcToken.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

var inActions = string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
MockGitHubOidcIssuer? issuer = null;
MockAwsSts? sts = null;
WireMockServer? s3Mock = null;
GitHubOidcClient? client = null;
IdTokenSource source;
var options = new GitHubAwsCredentialsOptions
{
    RoleArn = Environment.GetEnvironmentVariable("AWS_ROLE_ARN") ?? "arn:aws:iam::123456789012:role/github-actions-s3-reader",
    Region = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1",
    SessionName = "aws-s3-sample",
    Duration = TimeSpan.FromMinutes(15),
};
var s3Config = new AmazonS3Config { RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region) };

if (inActions)
{
    Console.WriteLine("Running inside GitHub Actions: asking the real runner for a token and the real AWS STS for credentials.");
    source = IdTokenSources.Runner;
}
else
{
    issuer = MockGitHubOidcIssuer.Start();
    sts = MockAwsSts.Start(new MockAwsStsOptions
    {
        // The trust policy's sub condition, as the README sets it up: this repository, any ref.
        SubjectPattern = "repo:octo-org/octo-repo:*",
        ExpectedIssuer = issuer.Issuer,
    });
    s3Mock = StartS3ListBuckets();
    var environment = issuer.GetEnvironment();
    client = new GitHubOidcClient(new GitHubOidcClientOptions
    {
        EnvironmentVariables = name => environment.TryGetValue(name, out var value) ? value : null,
        MaskTokens = false,
    });
    source = IdTokenSources.FromClient(client);
    options.Endpoint = sts.BaseAddress;
    s3Config = new AmazonS3Config { ServiceURL = s3Mock.Url + "/", ForcePathStyle = true, AuthenticationRegion = options.Region };
    Console.WriteLine("Not inside GitHub Actions: started the mock GitHub OIDC issuer, the mock AWS STS and an S3 stand-in on loopback.");
}

try
{
    // 1. One exchange: what STS says about the session (the secrets stay behind Reveal…() methods).
    var session = await GitHubAwsCredentials.AssumeRoleAsync(source, options);
    Console.WriteLine("1. AssumeRoleAsync:");
    Console.WriteLine($"   assumed role  {session.AssumedRoleArn}");
    Console.WriteLine($"   token sub     {session.SubjectFromWebIdentityToken}");
    Console.WriteLine($"   token aud     {session.Audience}");
    Console.WriteLine($"   expires       {session.Expiration:u}");
    Console.WriteLine($"   ToString()    {session}");
    Console.WriteLine();

    // 2. Credentials that refresh themselves (a fresh GitHub token per refresh), used by an S3 client.
    using var credentials = new GitHubAwsCredentials(source, options);
    using var s3 = new AmazonS3Client(credentials, s3Config);
    var buckets = await s3.ListBucketsAsync();
    Console.WriteLine($"2. ListBuckets with GitHubAwsCredentials: {buckets.Buckets?.Count ?? 0} bucket(s)");
    foreach (var bucket in buckets.Buckets ?? [])
    {
        Console.WriteLine($"   - {bucket.BucketName}");
    }

    if (sts is not null && issuer is not null && s3Mock is not null)
    {
        var accessKey = (await credentials.GetCredentialsAsync()).AccessKey;
        var signedBy = s3Mock.LogEntries.Select(e => e.RequestMessage?.Headers?["Authorization"]?.FirstOrDefault() ?? string.Empty)
            .All(h => h.Contains("Credential=" + accessKey + "/", StringComparison.Ordinal));
        Console.WriteLine();
        Console.WriteLine($"3. The S3 stand-in saw requests signed with the assumed credentials: {signedBy}");
        Console.WriteLine($"   GitHub token requests: {issuer.TokenRequestCount}; STS calls: {sts.RequestCount} (role {sts.Requests[^1].RoleArn}, session {sts.Requests[^1].RoleSessionName})");
    }

    return 0;
}
catch (OidcTokenException ex)
{
    Console.Error.WriteLine(ex.Message);
    return ex.ExitCode;
}
finally
{
    client?.Dispose();
    s3Mock?.Dispose();
    sts?.Dispose();
    issuer?.Dispose();
}

static WireMockServer StartS3ListBuckets()
{
    var server = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"], StartAdminInterface = false });
    server
        .Given(Request.Create().UsingGet().WithPath("/").WithHeader("Authorization", "AWS4-HMAC-SHA256 Credential=ASIA*"))
        .RespondWith(Response.Create()
            .WithStatusCode(200)
            .WithHeader("Content-Type", "application/xml")
            .WithBody("""
                <?xml version="1.0" encoding="UTF-8"?>
                <ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Owner><ID>0123456789abcdef</ID><DisplayName>octo-org</DisplayName></Owner>
                  <Buckets>
                    <Bucket><Name>octo-artifacts</Name><CreationDate>2026-01-15T10:00:00.000Z</CreationDate></Bucket>
                    <Bucket><Name>octo-releases</Name><CreationDate>2026-02-01T08:30:00.000Z</CreationDate></Bucket>
                  </Buckets>
                </ListAllMyBucketsResult>
                """));
    return server;
}
