using Microsoft.AspNetCore.Http;
using WireMock;
using WireMock.ResponseProviders;
using WireMock.Settings;

namespace OidcToken.Testing;

/// <summary>A WireMock.Net response provider that hands the request (and its raw <see cref="HttpContext"/>) to a delegate.</summary>
internal sealed class DelegateResponseProvider : IResponseProvider
{
    private readonly Func<HttpContext, IRequestMessage, Task<IResponseMessage>> _respond;

    public DelegateResponseProvider(Func<HttpContext, IRequestMessage, Task<IResponseMessage>> respond) => _respond = respond;

    public async Task<(IResponseMessage Message, IMapping? Mapping)> ProvideResponseAsync(
        IMapping mapping, HttpContext context, IRequestMessage requestMessage, WireMockServerSettings settings) =>
        (await _respond(context, requestMessage).ConfigureAwait(false), null);
}
