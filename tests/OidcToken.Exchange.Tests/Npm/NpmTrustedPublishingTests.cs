using OidcToken.Exchange.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Exchange.Tests.Npm;

public sealed class NpmTrustedPublishingTests : IDisposable
{
    private readonly IssuerHarness _github = new();
    private readonly MockNpmRegistry _registry = MockNpmRegistry.Start("@octo/widget", "plain-package");

    public void Dispose()
    {
        _registry.Dispose();
        _github.Dispose();
    }

    private NpmTrustedPublishingOptions Options(Action<NpmTrustedPublishingOptions>? change = null)
    {
        var options = _github.Fast(new NpmTrustedPublishingOptions { RegistryUrl = _registry.RegistryUrl, Package = "@octo/widget" });
        change?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Exchange_escapes_a_scoped_name_and_uses_the_npm_audience()
    {
        var token = await NpmTrustedPublishing.ExchangeAsync(_github.Source, Options());

        Assert.Equal("@octo/widget", _registry.PackageOf(token.RevealToken()));
        Assert.Equal("npm", token.Registry);
        Assert.Null(token.ExpiresAt);
        var request = Assert.Single(_registry.Requests);
        Assert.Equal("/-/npm/v1/oidc/token/exchange/package/@octo%2fwidget", request.Path);
        Assert.Equal("npm:127.0.0.1", request.Audience);
        Assert.Equal(_registry.Audience, request.Audience);
        Assert.Null(request.ContentType);
        _github.AssertNoSecrets(_github.Logs.Text, token.RevealToken());
        _github.AssertNoSecrets(token.ToString(), token.RevealToken());
    }

    [Fact]
    public async Task An_unscoped_name_is_sent_as_is()
    {
        await NpmTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Package = "plain-package"));

        Assert.Equal("/-/npm/v1/oidc/token/exchange/package/plain-package", Assert.Single(_registry.Requests).Path);
    }

    [Fact]
    public async Task An_unknown_package_is_refused_with_npms_message_and_the_claims()
    {
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NpmTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Package = "@octo/missing")));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Equal(404, ex.StatusCode);
        Assert.Contains("OIDC token exchange error - package not found", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the token had sub 'repo:octo-org/octo-repo", ex.Message, StringComparison.Ordinal);
        Assert.Contains("must already exist", ex.Message, StringComparison.Ordinal);
        _github.AssertNoSecrets(ex);
    }

    [Fact]
    public async Task A_publisher_mismatch_is_refused_with_permission_denied()
    {
        _registry.PublisherRepository = "octo-org/other";

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NpmTrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("OIDC permission denied for this action", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _registry.RequestCount);
    }

    [Fact]
    public async Task A_wrong_audience_is_refused()
    {
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NpmTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Audience = "npm:elsewhere")));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("aud 'npm:elsewhere'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_is_retried_with_a_new_GitHub_token()
    {
        _registry.FailNextRequests(1, MockNpmRegistry.Error(500, "Internal Server Error"));

        var token = await NpmTrustedPublishing.ExchangeAsync(_github.Source, Options());

        Assert.NotNull(_registry.PackageOf(token.RevealToken()));
        Assert.Equal(2, _github.Issuer.TokenRequestCount);
        Assert.Equal(2, _registry.RequestCount);
    }

    [Fact]
    public async Task A_429_honours_Retry_After_and_is_retried()
    {
        _registry.FailNextRequests(1, MockHttpTargetFault.Status(429, "{\"message\":\"slow down\"}", TimeSpan.Zero));

        await NpmTrustedPublishing.ExchangeAsync(_github.Source, Options());

        Assert.Equal(2, _registry.RequestCount);
    }

    [Fact]
    public async Task An_unusable_answer_is_ExchangeResponseInvalid()
    {
        _registry.FailNextRequests(1, MockHttpTargetFault.Status(201, "{\"token\":42}"));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NpmTrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
        Assert.Contains("\"token\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_registry_url_is_an_ArgumentException_with_the_exact_message()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => NpmTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.RegistryUrl = null)));

        Assert.Equal(
            "npm trusted publishing needs the registry's URL (NpmTrustedPublishingOptions.RegistryUrl, --endpoint); OidcToken names no " +
            "registry, so it must be given. Take it from the npm trusted publishing documentation. (Parameter 'NpmTrustedPublishingOptions.RegistryUrl')",
            ex.Message);
    }

    [Theory]
    [InlineData(null, "NpmTrustedPublishingOptions.Package is required")]
    [InlineData("@scope/name/extra", "is not a valid npm package name")]
    [InlineData("../etc/passwd", "is not a valid npm package name")]
    [InlineData("name with space", "is not a valid npm package name")]
    public async Task A_missing_or_invalid_package_is_an_ArgumentException(string? package, string expected)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => NpmTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Package = package)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _registry.RequestCount);
    }

    [Fact]
    public async Task A_redirect_is_refused_and_not_followed()
    {
        using var elsewhere = MockNpmRegistry.Start("@octo/widget");
        _registry.FailNextRequests(1, MockHttpTargetFault.Redirect(elsewhere.RegistryUrl));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => NpmTrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(0, elsewhere.RequestCount);
    }
}
