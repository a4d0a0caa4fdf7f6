using OidcToken.Exchange.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Exchange.Tests.PyPI;

public sealed class PyPITrustedPublishingTests : IDisposable
{
    private readonly IssuerHarness _github = new();
    private readonly MockPyPI _index = MockPyPI.Start("pypi");

    public void Dispose()
    {
        _index.Dispose();
        _github.Dispose();
    }

    private PyPITrustedPublishingOptions Options(Action<PyPITrustedPublishingOptions>? change = null)
    {
        var options = _github.Fast(new PyPITrustedPublishingOptions { RepositoryUrl = _index.RepositoryUrl });
        change?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Exchange_discovers_the_audience_and_mints_a_token()
    {
        var token = await PyPITrustedPublishing.ExchangeAsync(_github.Source, Options());

        Assert.True(_index.IsValidToken(token.RevealToken()));
        Assert.Equal("PyPI", token.Registry);
        Assert.NotNull(token.ExpiresAt);
        Assert.Equal(["/_/oidc/audience", "/_/oidc/mint-token"], _index.Requests.Select(r => r.Path));
        Assert.Equal("pypi", _index.Requests[1].Audience);
        Assert.DoesNotContain(token.RevealToken(), token.ToString(), StringComparison.Ordinal);
        _github.AssertNoSecrets(_github.Logs.Text, token.RevealToken());
    }

    [Fact]
    public async Task An_audience_override_skips_discovery()
    {
        await PyPITrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Audience = "pypi"));

        Assert.Equal("/_/oidc/mint-token", Assert.Single(_index.Requests).Path);
    }

    [Fact]
    public async Task No_matching_publisher_is_refused_with_the_code_and_claims()
    {
        _index.PublisherRepository = "someone/else";

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => PyPITrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Equal(422, ex.StatusCode);
        Assert.Contains("Token request failed; invalid-publisher: valid token, but no corresponding publisher", ex.Message, StringComparison.Ordinal);
        Assert.Contains("repository 'octo-org/octo-repo'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("add a trusted publisher", ex.Message, StringComparison.Ordinal);
        _github.AssertNoSecrets(ex);
    }

    [Fact]
    public async Task A_reused_token_is_refused_with_invalid_reuse_token()
    {
        var token = _github.Issuer.IssueToken("pypi");
        var fixedSource = IdTokenSources.FromToken(token);
        await PyPITrustedPublishing.ExchangeAsync(fixedSource, Options());

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => PyPITrustedPublishing.ExchangeAsync(fixedSource, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("invalid-reuse-token", ex.Message, StringComparison.Ordinal);
        _github.AssertNoSecrets(ex, token);
    }

    [Fact]
    public async Task A_wrong_audience_is_refused_with_invalid_token()
    {
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => PyPITrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Audience = "testpypi")));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("invalid-token: malformed or invalid token", ex.Message, StringComparison.Ordinal);
        Assert.Contains("aud 'testpypi'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("invalid-pending-publisher", "valid token, but project already exists")]
    [InlineData("not-enabled", "Trusted publishing functionality not enabled")]
    [InlineData("invalid-payload", "malformed JWT")]
    public async Task Documented_error_codes_are_refusals(string code, string description)
    {
        _index.FailNextRequests(1, MockHttpTargetFault.Status(200, "{\"audience\":\"pypi\"}"));
        _index.FailNextRequests(1, MockPyPI.Error(code, description));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => PyPITrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains(code + ": " + description, ex.Message, StringComparison.Ordinal);
        Assert.Contains("the token had sub", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _github.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Trusted_publishing_disabled_is_refused_at_discovery()
    {
        _index.Enabled = false;

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => PyPITrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Equal(403, ex.StatusCode);
        Assert.Contains("Trusted publishing functionality not enabled", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _github.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task A_server_error_at_minting_is_retried_with_a_new_GitHub_token()
    {
        _index.FailNextRequests(1, MockHttpTargetFault.Status(503, "<html>maintenance</html>"));

        var token = await PyPITrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Audience = "pypi"));

        Assert.True(_index.IsValidToken(token.RevealToken()));
        Assert.Equal(2, _github.Issuer.TokenRequestCount);
        Assert.Equal(2, _index.Requests.Select(r => r.TokenId).Distinct().Count());
    }

    [Fact]
    public async Task Retries_are_bounded()
    {
        _index.FailNextRequests(10, MockHttpTargetFault.Status(502));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => PyPITrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Audience = "pypi")));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(3, _index.RequestCount);
        Assert.Equal(3, _github.Issuer.TokenRequestCount);
    }

    [Theory]
    [InlineData("{\"success\":false}")]
    [InlineData("{\"success\":true}")]
    [InlineData("{\"success\":true,\"token\":\"pypi-x\",\"expires\":\"tomorrow\"}")]
    public async Task An_unusable_answer_is_ExchangeResponseInvalid(string body)
    {
        _index.FailNextRequests(1, MockHttpTargetFault.Status(200, body));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => PyPITrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Audience = "pypi")));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
    }

    [Fact]
    public async Task A_missing_repository_url_is_an_ArgumentException_with_the_exact_message()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => PyPITrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.RepositoryUrl = null)));

        Assert.Equal(
            "PyPI trusted publishing needs the index's upload URL (PyPITrustedPublishingOptions.RepositoryUrl, --endpoint); OidcToken names no " +
            "index, so it must be given. Take it from the index's trusted publishing documentation. (Parameter 'PyPITrustedPublishingOptions.RepositoryUrl')",
            ex.Message);
    }

    [Fact]
    public async Task Plain_http_to_a_remote_index_is_refused()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => PyPITrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.RepositoryUrl = new Uri("http://index.example/legacy/"))));

        Assert.Contains("plain http", ex.Message, StringComparison.Ordinal);
    }
}
