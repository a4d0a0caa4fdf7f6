// Fuzz: the answers of Google's STS (token exchange) and IAM Credentials (generateAccessToken) are outside input, read
// by Google.Apis.Auth, by SafeHttpClientFactory (the expiry, the kept error body) and by GoogleErrorTranslator. The mock
// answers with MockHttpTargetFault.Status(<status>, <hostile body>): random text, deep nesting, huge numbers, token soup,
// and mutations of Google's real success and error bodies (OAuth errors for STS, API errors for IAM; duplicate members,
// non-string values, BOMs, NULs, lone surrogates, truncation, trailing garbage), mostly with HTTP 200 for the success
// shape and 400 for the error shapes, otherwise any status 200–599 (redirects are refused, 1xx left to the fault matrix).
// GetAccessTokenAsync returns a token or throws OidcTokenException with a defined code (never another exception, never
// a hang), and no runner request token, GitHub token or Google access token appears in the message.
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property; default 120 here) and OIDCTOKEN_FUZZ_SEED (replay) —
// see tests/Shared/Fuzz/FuzzSettings.cs and docs/TESTING.md. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=20000 dotnet test tests/OidcToken.Google.Tests -c Release --filter "FullyQualifiedName~.Fuzz."
using CsCheck;
using OidcToken.Fuzzing;
using OidcToken.Testing;

namespace OidcToken.Google.Tests.Fuzz;

public sealed class GoogleResponseFuzz : IDisposable
{
    private const string StsSuccess = "{\"access_token\":\"fuzz-google-access-token-0123456789\",\"issued_token_type\":\"urn:ietf:params:oauth:token-type:access_token\",\"token_type\":\"Bearer\",\"expires_in\":3599}";
    private const string StsRefusal = "{\"error\":\"invalid_grant\",\"error_description\":\"The audience in ID Token [https://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q] does not match the expected audience.\"}";
    private const string IamSuccess = "{\"accessToken\":\"fuzz-google-sa-token-0123456789\",\"expireTime\":\"2099-01-01T00:00:00Z\"}";
    private const string IamRefusal = "{\"error\":{\"code\":403,\"message\":\"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).\",\"status\":\"PERMISSION_DENIED\"}}";

    private readonly GoogleFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    /// <summary>One attempt, a generous bound per request: each iteration is one answer.</summary>
    private static readonly GoogleAttemptPolicy OneAttempt = new()
    {
        MaxAttempts = 1,
        AttemptTimeout = TimeSpan.FromSeconds(10),
        Deadline = TimeSpan.FromSeconds(15),
    };

    private static Gen<(int Status, FuzzCase Body)> Answers(params string[] templates) =>
        Gen.Select(Gen.Int[0, 3], Gen.Int[200, 599], HostileJson.Cases(templates), (pick, status, body) =>
            (pick == 0 ? status : body.Text.Contains("\"error\"", StringComparison.Ordinal) ? 400 : 200, body));

    private async Task Campaign(Gen<(int Status, FuzzCase Body)> answers, Action<MockHttpTargetFault> enqueue, string? serviceAccount)
    {
        var configuration = _fixture.Configuration(serviceAccount);
        await answers.SampleAsync(
            async answer =>
            {
                var status = answer.Status is >= 300 and < 400 ? 200 : answer.Status;
                var what = $"HTTP {status}, {answer.Body}";
                enqueue(MockHttpTargetFault.Status(status, answer.Body.Text));
                var error = await FuzzKit.Bounded(
                    () => GitHubGoogleCredential.GetAccessTokenWithPolicyAsync(configuration, null, OneAttempt, TimeProvider.System, CancellationToken.None), what);
                if (FuzzKit.AssertDocumented(error, what) is { } documented)
                {
                    // The fuzzed bodies may quote JWT-shaped text ("eyJ.eyJ.x") on purpose: check the registered secrets only.
                    var text = documented.ToString();
                    TestSupport.LeakGuard.AssertNoLeak(text, "GoogleResponseFuzz");
                    Assert.DoesNotContain(_fixture.Issuer.RequestToken, text, StringComparison.Ordinal);
                }
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(120),
            threads: 1);
    }

    [Fact]
    public async Task Hostile_text_in_google_errors_and_answers_is_a_documented_failure()
    {
        // Found by this campaign: a lone surrogate escape made GetString() throw InvalidOperationException out of
        // GoogleErrorTranslator.ReadError (and the mock's own error-code reader), a huge expires_in overflowed
        // DateTimeOffset.AddSeconds in SafeHttpClientFactory, and an expireTime that is no date made Google.Apis.Auth throw
        // FormatException, which passed through untranslated.
        var configuration = _fixture.Configuration(GoogleFixture.ServiceAccountEmail);
        _fixture.Google.FailNextRequests(1, MockHttpTargetFault.Status(400, "{\"error\":\"invalid_grant\",\"error_description\":\"\\ud800\"}").ForRequestsTo(_fixture.Google.TokenUrl));
        var sts = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubGoogleCredential.GetAccessTokenAsync(configuration));
        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, sts.ErrorCode);

        _fixture.Google.FailNextRequests(1, MockHttpTargetFault.Status(403, "{\"error\":{\"code\":403,\"status\":\"\\udc00\",\"message\":\"x\"}}").ForRequestsTo(_fixture.Google.ImpersonationUrlBase));
        var iam = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubGoogleCredential.GetAccessTokenAsync(configuration));
        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, iam.ErrorCode);

        _fixture.Google.FailNextRequests(1, MockHttpTargetFault.Status(200, "{\"access_token\":\"fuzz-google-access-token-0123456789\",\"token_type\":\"Bearer\",\"expires_in\":9223372036854775807}").ForRequestsTo(_fixture.Google.TokenUrl));
        var token = await GitHubGoogleCredential.GetAccessTokenAsync(_fixture.Configuration());
        Assert.Equal("fuzz-google-access-token-0123456789", token.RevealToken());
        Assert.Null(token.ExpiresAt);

        _fixture.Google.FailNextRequests(1, MockHttpTargetFault.Status(200, "{\"accessToken\":\"fuzz-google-sa-token-0123456789\",\"expireTime\":\"not a date\"}").ForRequestsTo(_fixture.Google.ImpersonationUrlBase));
        var invalid = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubGoogleCredential.GetAccessTokenAsync(configuration));
        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, invalid.ErrorCode);
    }

    [Fact]
    public async Task Sts_answers()
    {
        await Campaign(Answers(StsSuccess, StsRefusal), fault => _fixture.Google.FailNextRequests(1, fault.ForRequestsTo(_fixture.Google.TokenUrl)), serviceAccount: null);
    }

    [Fact]
    public async Task Iam_credentials_answers()
    {
        await Campaign(Answers(IamSuccess, IamRefusal), fault => _fixture.Google.FailNextRequests(1, fault.ForRequestsTo(_fixture.Google.ImpersonationUrlBase)), GoogleFixture.ServiceAccountEmail);
    }
}
