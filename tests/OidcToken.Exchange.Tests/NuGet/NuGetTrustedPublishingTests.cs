using OidcToken.Exchange.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Exchange.Tests.NuGet;

public sealed class NuGetTrustedPublishingTests : IDisposable
{
    private const string Audience = "test-gallery-audience";
    private readonly IssuerHarness _github = new();
    private readonly MockNuGetTokenService _gallery = MockNuGetTokenService.Start(Audience, user: "octo-publisher");

    public void Dispose()
    {
        _gallery.Dispose();
        _github.Dispose();
    }

    private NuGetTrustedPublishingOptions Options(Action<NuGetTrustedPublishingOptions>? change = null)
    {
        var options = _github.Fast(new NuGetTrustedPublishingOptions
        {
            TokenServiceUrl = _gallery.TokenServiceUrl,
            Audience = Audience,
            User = "octo-publisher",
        });
        change?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Exchange_returns_a_valid_short_lived_key()
    {
        var key = await NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options());

        Assert.True(_gallery.IsValidKey(key.RevealToken()));
        Assert.Equal("NuGet", key.Registry);
        Assert.NotNull(key.ExpiresAt);
        var request = Assert.Single(_gallery.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/v2/token", request.Path);
        Assert.Equal(Audience, request.Audience);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.StartsWith("OidcToken/", request.UserAgent, StringComparison.Ordinal);
        Assert.DoesNotContain(key.RevealToken(), key.ToString(), StringComparison.Ordinal);
        _github.AssertNoSecrets(_github.Logs.Text, key.RevealToken());
        _github.AssertNoSecrets(key.ToString(), key.RevealToken());
    }

    [Fact]
    public async Task Missing_url_and_audience_give_one_message_naming_both()
    {
        var noUrl = await Assert.ThrowsAsync<ArgumentException>(() => NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.TokenServiceUrl = null)));
        var noAudience = await Assert.ThrowsAsync<ArgumentException>(() => NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Audience = null)));

        const string expected =
            "NuGet trusted publishing needs the gallery's token service URL (NuGetTrustedPublishingOptions.TokenServiceUrl, --endpoint) " +
            "and the audience it expects (NuGetTrustedPublishingOptions.Audience, --audience); OidcToken names no gallery, so both must be given. " +
            "Take them from the NuGet gallery's trusted publishing documentation. (Parameter 'options')";
        Assert.Equal(expected, noUrl.Message);
        Assert.Equal(expected, noAudience.Message);
        Assert.Equal(0, _github.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task A_missing_user_is_an_ArgumentException()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.User = " ")));

        Assert.StartsWith("NuGetTrustedPublishingOptions.User is required: the gallery profile name of the user who created the trusted publishing policy (--user).", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_wrong_user_is_refused_with_the_gallerys_message_claims_and_fix()
    {
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.User = "package-owner")));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Equal(401, ex.StatusCode);
        Assert.Contains("No matching federated credential trust policy owned by user 'package-owner' was found.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the token had sub 'repo:", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"aud '{Audience}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("created the trusted publishing policy", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _gallery.RequestCount);
        _github.AssertNoSecrets(ex);
    }

    [Fact]
    public async Task The_wrong_audience_is_refused()
    {
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Audience = "other")));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("The bearer token could not be validated.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("aud 'other'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reused_token_is_refused_as_the_gallery_does()
    {
        var token = _github.Issuer.IssueToken(Audience);
        var fixedSource = IdTokenSources.FromToken(token);
        await NuGetTrustedPublishing.ExchangeAsync(fixedSource, Options());

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NuGetTrustedPublishing.ExchangeAsync(fixedSource, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains(MockNuGetTokenService.ReplayMessage, ex.Message, StringComparison.Ordinal);
        Assert.Contains("fresh token", ex.Message, StringComparison.Ordinal);
        _github.AssertNoSecrets(ex, token);
    }

    [Fact]
    public async Task A_server_error_is_retried_with_a_new_GitHub_token_each_attempt()
    {
        _gallery.FailNextRequests(2, MockNuGetTokenService.Error(503, "Service Unavailable"));

        var key = await NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options());

        Assert.True(_gallery.IsValidKey(key.RevealToken()));
        Assert.Equal(3, _gallery.RequestCount);
        Assert.Equal(3, _github.Issuer.TokenRequestCount);
        Assert.Equal(3, _gallery.Requests.Select(r => r.TokenId).Distinct().Count());
    }

    [Fact]
    public async Task A_network_error_is_retried_with_a_new_GitHub_token()
    {
        _gallery.FailNextRequests(1, MockHttpTargetFault.ConnectionReset());

        await NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options());

        Assert.Equal(2, _github.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Retries_are_bounded_and_end_in_ExchangeFailed()
    {
        _gallery.FailNextRequests(10, MockHttpTargetFault.Status(500));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.MaxAttempts = 2)));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(4, ex.ExitCode);
        Assert.Equal(2, ex.Attempts);
        Assert.Equal(2, _gallery.RequestCount);
        Assert.Equal(2, _github.Issuer.TokenRequestCount);
    }

    [Theory]
    [InlineData(401, "This bearer token has already been used. A new bearer token must be used for each request.")]
    [InlineData(401, "The policy 'release' has expired. Temporary policies must be used within 7 days.")]
    [InlineData(400, "The username property in the request body is required.")]
    [InlineData(415, "The request content type must be application/json.")]
    [InlineData(404, "Not found.")]
    public async Task Documented_refusals_are_not_retried_and_show_the_gallerys_message(int status, string message)
    {
        _gallery.FailNextRequests(1, MockNuGetTokenService.Error(status, message));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Equal(status, ex.StatusCode);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains("the token had sub", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _gallery.RequestCount);
        Assert.Equal(1, _github.Issuer.TokenRequestCount);
    }

    [Theory]
    [InlineData("<html>maintenance</html>")]
    [InlineData("{\"tokenType\":\"ApiKey\"}")]
    [InlineData("{\"apiKey\":\"oy2abc\",\"expires\":\"not a time\"}")]
    public async Task An_unusable_answer_is_ExchangeResponseInvalid_without_echoing_the_body(string body)
    {
        _gallery.FailNextRequests(1, MockHttpTargetFault.Status(200, body));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
        Assert.DoesNotContain("oy2abc", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("maintenance", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_echoed_in_an_error_is_scrubbed()
    {
        // A gallery that echoed the bearer token back would otherwise leak it into the message.
        var token = _github.Issuer.IssueToken(Audience);
        _gallery.FailNextRequests(1, MockNuGetTokenService.Error(401, "bad token " + token));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NuGetTrustedPublishing.ExchangeAsync(IdTokenSources.FromToken(token), Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("[redacted]", ex.Message, StringComparison.Ordinal);
        _github.AssertNoSecrets(ex, token);
    }

    [Fact]
    public async Task A_redirect_is_refused_and_not_followed()
    {
        using var elsewhere = MockNuGetTokenService.Start(Audience);
        _gallery.FailNextRequests(1, MockHttpTargetFault.Redirect(elsewhere.TokenServiceUrl));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Contains("was not followed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, elsewhere.RequestCount);
        Assert.Equal(1, _gallery.RequestCount);
    }

    [Theory]
    [InlineData("http://gallery.example/api/v2/token")]
    [InlineData("ftp://127.0.0.1/api/v2/token")]
    public async Task Non_https_remote_urls_are_refused(string url)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => NuGetTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.TokenServiceUrl = new Uri(url))));

        Assert.Contains("NuGetTrustedPublishingOptions.TokenServiceUrl", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be used", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _github.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task An_unreachable_service_is_ExchangeFailed()
    {
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NuGetTrustedPublishing.ExchangeAsync(
            _github.Source, Options(o => o.TokenServiceUrl = new Uri(IssuerHarness.ClosedPortUrl(), "api/v2/token"))));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        _github.AssertNoSecrets(ex);
    }
}
