using OidcToken.Rules;

namespace OidcToken.Tests.Rules;

/// <summary>The one loopback and secure-URL rule that every package compiles (src/OidcToken/Shared/Rules).</summary>
public sealed class UrlRulesTests
{
    [Theory]
    [InlineData("http://127.0.0.1", true)]
    [InlineData("http://127.42.0.9:81/x", true)]
    [InlineData("http://127.255.255.254", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://LOCALHOST", true)]
    [InlineData("https://LocalHost/", true)]
    [InlineData("http://128.0.0.1", false)]
    [InlineData("http://126.255.255.255", false)]
    [InlineData("http://[::ffff:127.0.0.1]", false)]
    [InlineData("http://[::2]", false)]
    [InlineData("http://[0:0:0:0:0:0:0:1]", true)]
    [InlineData("http://localhost.", false)]
    [InlineData("http://foo.localhost", false)]
    [InlineData("http://127.0.0.1.nip.io", false)]
    [InlineData("http://0.0.0.0", false)]
    public void Loopback_is_127_slash_8_the_IPv6_loopback_and_localhost_only(string url, bool expected) =>
        Assert.Equal(expected, UrlRules.IsLoopbackHost(new Uri(url)));

    [Fact]
    public void A_host_that_is_not_valid_IDN_is_not_loopback_and_does_not_throw()
    {
        // Found by the environment fuzz campaign: Uri.IdnHost throws for a lone surrogate in the host.
        var uri = new Uri("http://127\ud800.0.0.1:46443/token");

        Assert.False(UrlRules.IsLoopbackHost(uri));
        Assert.NotNull(UrlRules.CheckSecureUrl(uri.OriginalString, out _));
    }

    [Theory]
    [InlineData("https://example.test/token", null)]
    [InlineData("http://127.0.0.1:8080/token", null)]
    [InlineData("http://[::1]/token", null)]
    [InlineData("http://example.test/token", "it uses plain http to a host that is not loopback (http is accepted only for 127.0.0.0/8, ::1 and localhost)")]
    [InlineData("http://[::ffff:127.0.0.1]/token", "it uses plain http to a host that is not loopback (http is accepted only for 127.0.0.0/8, ::1 and localhost)")]
    [InlineData("ftp://example.test/token", "its scheme is 'ftp', not https")]
    [InlineData("/relative", "it is not an absolute URL")]
    [InlineData("not a url", "it is not an absolute URL")]
    public void Secure_url_is_https_or_http_to_loopback(string url, string? problem)
    {
        Assert.Equal(problem, UrlRules.CheckSecureUrl(url, out var uri));
        Assert.Equal(problem is null, uri is not null);
    }
}
