using OidcToken.Exchange.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Exchange.Tests.Crates;

public sealed class CratesTrustedPublishingTests : IDisposable
{
    private readonly IssuerHarness _github = new();
    private readonly MockCratesRegistry _registry = MockCratesRegistry.Start();

    public void Dispose()
    {
        _registry.Dispose();
        _github.Dispose();
    }

    private CratesTrustedPublishingOptions Options(Action<CratesTrustedPublishingOptions>? change = null)
    {
        var options = _github.Fast(new CratesTrustedPublishingOptions { RegistryUrl = _registry.RegistryUrl });
        change?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Exchange_uses_the_registry_url_without_scheme_as_audience()
    {
        var token = await CratesTrustedPublishing.ExchangeAsync(_github.Source, Options());

        Assert.True(_registry.IsActive(token.RevealToken()));
        Assert.Equal("crates.io", token.Registry);
        var request = Assert.Single(_registry.Requests);
        Assert.Equal("/api/v1/trusted_publishing/tokens", request.Path);
        Assert.Equal(_registry.Audience, request.Audience);
        Assert.Equal($"127.0.0.1:{_registry.BaseAddress.Port}", request.Audience);
        _github.AssertNoSecrets(_github.Logs.Text, token.RevealToken());
        _github.AssertNoSecrets(token.ToString(), token.RevealToken());
    }

    [Theory]
    [InlineData("https://registry.example", "registry.example")]
    [InlineData("https://registry.example/", "registry.example")]
    [InlineData("https://registry.example:8443/sub/", "registry.example:8443/sub")]
    public void The_audience_is_the_url_without_scheme(string url, string audience) =>
        Assert.Equal(audience, CratesTrustedPublishing.AudienceOf(new Uri(url)));

    [Fact]
    public async Task Revoke_deletes_the_token_and_a_second_revoke_is_refused()
    {
        var options = Options();
        var token = await CratesTrustedPublishing.ExchangeAsync(_github.Source, options);

        await CratesTrustedPublishing.RevokeAsync(token.RevealToken(), options);

        Assert.True(_registry.IsRevoked(token.RevealToken()));
        Assert.Equal(1, _registry.RevokedTokenCount);
        Assert.Equal("DELETE", _registry.Requests[^1].Method);
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => CratesTrustedPublishing.RevokeAsync(token.RevealToken(), options));
        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("authentication failed", ex.Message, StringComparison.Ordinal);
        _github.AssertNoSecrets(ex, token.RevealToken());
    }

    [Fact]
    public async Task A_reused_token_is_refused()
    {
        var jwt = _github.Issuer.IssueToken(_registry.Audience);
        await CratesTrustedPublishing.ExchangeAsync(IdTokenSources.FromToken(jwt), Options());

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => CratesTrustedPublishing.ExchangeAsync(IdTokenSources.FromToken(jwt), Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("JWT has already been used", ex.Message, StringComparison.Ordinal);
        _github.AssertNoSecrets(ex, jwt);
    }

    [Fact]
    public async Task No_matching_config_is_refused_with_the_detail_and_claims()
    {
        _registry.PublisherRepository = "octo-org/other";

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => CratesTrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("No matching Trusted Publishing config found", ex.Message, StringComparison.Ordinal);
        Assert.Contains("repository 'octo-org/octo-repo'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _registry.RequestCount);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_new_tokens_and_bounded()
    {
        _registry.FailNextRequests(10, MockCratesRegistry.Error(500, "Internal Server Error"));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => CratesTrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(3, ex.Attempts);
        Assert.Equal(3, _registry.RequestCount);
        Assert.Equal(3, _github.Issuer.TokenRequestCount);
        Assert.Contains("Internal Server Error", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_answer_is_ExchangeResponseInvalid()
    {
        _registry.FailNextRequests(1, MockHttpTargetFault.Status(200, "[]"));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => CratesTrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
    }

    [Fact]
    public async Task An_oversized_answer_is_ExchangeResponseInvalid()
    {
        _registry.FailNextRequests(1, MockHttpTargetFault.Status(200, "{\"token\":\"" + new string('a', 70 * 1024) + "\"}"));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => CratesTrustedPublishing.ExchangeAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
        Assert.Contains("64 KiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_registry_url_is_an_ArgumentException_with_the_exact_message()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => CratesTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.RegistryUrl = null)));

        Assert.Equal(
            "crates.io trusted publishing needs the registry's URL (CratesTrustedPublishingOptions.RegistryUrl, --endpoint); OidcToken names no " +
            "registry, so it must be given. Take it from the crates.io trusted publishing documentation. (Parameter 'CratesTrustedPublishingOptions.RegistryUrl')",
            ex.Message);
    }

    [Fact]
    public async Task Options_out_of_range_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CratesTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.MaxAttempts = 0)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CratesTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Deadline = TimeSpan.Zero)));
        await Assert.ThrowsAsync<ArgumentException>(() => CratesTrustedPublishing.ExchangeAsync(_github.Source, Options(o => o.Audience = " ")));
    }

    [Fact]
    public async Task An_unreachable_registry_is_ExchangeFailed_and_revoke_too()
    {
        var options = Options(o => o.RegistryUrl = IssuerHarness.ClosedPortUrl());

        var exchange = await Assert.ThrowsAsync<OidcTokenException>(() => CratesTrustedPublishing.ExchangeAsync(_github.Source, options));
        var revoke = await Assert.ThrowsAsync<OidcTokenException>(() => CratesTrustedPublishing.RevokeAsync("cio-some-token", options));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, exchange.ErrorCode);
        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, revoke.ErrorCode);
        Assert.DoesNotContain("cio-some-token", revoke.Message, StringComparison.Ordinal);
    }
}
