// Fuzz: Entra's token-endpoint answers are outside input, read first by MSAL and, on failure, by EntraError (the body of
// MsalServiceException). MockEntraId checks and logs each request as usual; a test-only handler above it then replaces
// the answer with <status, hostile body>: random text, deep nesting, huge numbers, token soup, and mutations of Entra's
// real success and error bodies (duplicate members, non-string values, BOMs, NULs, lone surrogates, truncation, trailing
// garbage), mostly with HTTP 200 for the success shape and 400 for the error shapes, otherwise any status 200–599.
// The one-shot API returns a token or throws OidcTokenException with a defined code; the TokenCredential returns a token
// or throws AuthenticationFailedException (CredentialUnavailableException only for codes below 100) whose inner
// exception is that OidcTokenException. Never another exception, never a hang, and no GitHub token in any message.
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property; default 150 here) and OIDCTOKEN_FUZZ_SEED (replay) —
// see tests/Shared/Fuzz/FuzzSettings.cs and docs/TESTING.md. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=20000 dotnet test tests/OidcToken.Azure.Tests -c Release --filter "FullyQualifiedName~.Fuzz."
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using CsCheck;
using OidcToken.Azure.Tests.Support;
using OidcToken.Fuzzing;

namespace OidcToken.Azure.Tests.Fuzz;

public sealed class EntraResponseFuzz : IDisposable
{
    private const string Storage = "https://storage.azure.com/.default";

    private const string Success = "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"fuzz-access-token-0123456789abcdef\"}";

    private const string Refusal =
        "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:octo-org/octo-repo:ref:refs/heads/main'. Trace ID: 8c2f0e0a-0000-4000-8000-000000000001 Correlation ID: 8c2f0e0a-0000-4000-8000-000000000002 Timestamp: 2025-01-01 00:00:00Z\",\"error_codes\":[700213],\"timestamp\":\"2025-01-01 00:00:00Z\",\"trace_id\":\"8c2f0e0a-0000-4000-8000-000000000001\",\"correlation_id\":\"8c2f0e0a-0000-4000-8000-000000000002\",\"error_uri\":\"https://login.microsoftonline.com/error?code=700213\"}";

    private const string Transient =
        "{\"error\":\"temporarily_unavailable\",\"error_description\":\"AADSTS90033: A transient error has occurred. Please try again.\",\"error_codes\":[90033],\"trace_id\":\"t\",\"correlation_id\":\"c\"}";

    private readonly AzureHarness _azure = Faults.EntraSocketFaultTests.IsolatedHarness();
    private readonly OverrideHandler _override;
    private readonly HttpClient _http;

    public EntraResponseFuzz()
    {
        _override = new OverrideHandler(_azure.Entra.CreateHandler());
        _http = new HttpClient(_override, disposeHandler: true);
    }

    public void Dispose()
    {
        _http.Dispose();
        _azure.Dispose();
    }

    private static Gen<(int Status, FuzzCase Body)> Answers() =>
        Gen.Select(Gen.Int[0, 3], Gen.Int[200, 599], HostileJson.Cases(Success, Refusal, Transient), (pick, status, body) =>
            (pick == 0 ? status : body.Text.Contains("\"error\"", StringComparison.Ordinal) ? 400 : 200, body));

    private GitHubActionsCredentialOptions Options() => _azure.Options(o =>
    {
        o.Transport = new HttpClientTransport(_http);
        o.Retry.MaxRetries = 0;
    });

    [Fact]
    public async Task A_lone_surrogate_escape_in_an_entra_error_is_a_documented_failure()
    {
        // Found by this campaign: JsonElement.GetString() threw InvalidOperationException for "\ud800" out of EntraError.
        _override.Next(400, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS700213: \\ud800\",\"error_codes\":[700213]}");
        var oneShot = await Assert.ThrowsAsync<OidcTokenException>(
            () => GitHubActionsCredential.GetTokenAsync(_azure.Source, Options(), [Storage], CancellationToken.None));
        Assert.True(Enum.IsDefined(oneShot.ErrorCode));

        _override.Next(400, "{\"error\":\"invalid_client\",\"\\udc00\":1,\"error_codes\":[700213]}");
        var credential = await Assert.ThrowsAsync<AuthenticationFailedException>(
            async () => await new GitHubActionsCredential(Options()).GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None));
        var inner = Assert.IsType<OidcTokenException>(credential.InnerException);
        Assert.True(Enum.IsDefined(inner.ErrorCode));
        SecretAssert.NotIn(credential, _azure);
    }

    [Fact]
    public async Task One_shot_token_answers()
    {
        await Answers().SampleAsync(
            async answer =>
            {
                var what = $"HTTP {answer.Status}, {answer.Body}";
                _override.Next(answer.Status, answer.Body.Text);
                var error = await FuzzKit.Bounded(() => GitHubActionsCredential.GetTokenAsync(_azure.Source, Options(), [Storage], CancellationToken.None), what);
                if (FuzzKit.AssertDocumented(error, what) is { } documented)
                {
                    SecretAssert.NotIn(documented, _azure);
                }
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(150),
            threads: 1);
    }

    [Fact]
    public async Task Token_credential_answers()
    {
        await Answers().SampleAsync(
            async answer =>
            {
                var what = $"HTTP {answer.Status}, {answer.Body}";
                _override.Next(answer.Status, answer.Body.Text);

                // A new credential each time: MSAL caches a token it accepted, and the next call would not ask Entra.
                var credential = new GitHubActionsCredential(Options());
                var error = await FuzzKit.Bounded(async () => await credential.GetTokenAsync(new TokenRequestContext([Storage]), CancellationToken.None), what);
                switch (error)
                {
                    case null:
                        break;
                    case AuthenticationFailedException failed:
                        var inner = Assert.IsType<OidcTokenException>(failed.InnerException);
                        FuzzKit.AssertDocumented(inner, what);
                        Assert.Equal(inner.Message, failed.Message);
                        Assert.Equal((int)inner.ErrorCode < 100, failed is CredentialUnavailableException);
                        SecretAssert.NotIn(failed, _azure);
                        break;
                    default:
                        Assert.Fail($"undocumented exception for {what}:\n{error}");
                        break;
                }
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(150),
            threads: 1);
    }

    /// <summary>
    /// Lets the mock check and log each token request, then answers with the queued status and body instead (once per
    /// <see cref="Next"/>; later requests get the mock's own answer). Instance discovery and other requests pass through.
    /// </summary>
    private sealed class OverrideHandler(HttpMessageHandler mock) : DelegatingHandler(mock)
    {
        private readonly Lock _gate = new();
        private (int Status, string Body)? _next;

        public void Next(int status, string body)
        {
            lock (_gate)
            {
                _next = (status, body);
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!request.RequestUri!.AbsolutePath.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
            {
                return response;
            }

            (int Status, string Body)? answer;
            lock (_gate)
            {
                (answer, _next) = (_next, null);
            }

            if (answer is not { } replace)
            {
                return response;
            }

            response.Dispose();
            return new HttpResponseMessage((System.Net.HttpStatusCode)replace.Status)
            {
                RequestMessage = request,
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(replace.Body))
                {
                    Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } },
                },
            };
        }
    }
}
