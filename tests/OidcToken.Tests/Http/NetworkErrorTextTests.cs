using System.Net.Sockets;
using System.Security.Authentication;
using OidcToken.Http;

namespace OidcToken.Tests.Http;

public sealed class NetworkErrorTextTests
{
    [Fact]
    public void A_tls_failure_shows_the_inner_cause_instead_of_the_pointer_to_it()
    {
        var ex = new HttpRequestException(
            HttpRequestError.SecureConnectionError,
            "The SSL connection could not be established, see inner exception.",
            new AuthenticationException("Received an unexpected EOF or 0 bytes from the transport stream."));

        Assert.Equal(
            "The SSL connection could not be established ← Received an unexpected EOF or 0 bytes from the transport stream.",
            NetworkErrorText.Describe(ex));
    }

    [Fact]
    public void An_inner_message_the_outer_one_already_holds_is_not_repeated()
    {
        var ex = new HttpRequestException("Connection refused (127.0.0.1:9)", new SocketException((int)SocketError.ConnectionRefused));

        Assert.Equal("Connection refused (127.0.0.1:9)", NetworkErrorText.Describe(ex));
    }

    [Fact]
    public void At_most_four_levels_are_shown_and_an_exception_without_text_is_named()
    {
        Exception ex = new IOException("level 5");
        for (var level = 4; level >= 1; level--)
        {
            ex = new IOException("level " + level, ex);
        }

        Assert.Equal("level 1 ← level 2 ← level 3 ← level 4", NetworkErrorText.Describe(ex));
        Assert.Equal(nameof(TimeoutException), NetworkErrorText.Describe(new TimeoutException(" ")));
    }
}
