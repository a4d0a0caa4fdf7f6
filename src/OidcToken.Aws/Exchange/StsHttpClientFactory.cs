using System.Net;
using Amazon.Runtime;
using OidcToken.Http;

namespace OidcToken.Aws.Exchange;

/// <summary>
/// Gives the STS client an <see cref="HttpClient"/> that OidcToken configures itself: redirects off (the request carries
/// the GitHub token) and response bodies capped at 64 KiB. The SDK caches the client per STS client and disposes it
/// with that client.
/// </summary>
internal sealed class StsHttpClientFactory : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new CappedResponseHandler(SafeHttp.CreateHandler()), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;

    /// <summary>Reads each response body into memory, refusing more than <see cref="MaxBodyBytes"/>.</summary>
    internal sealed class CappedResponseHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        internal const int MaxBodyBytes = 64 * 1024;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                var status = (int)response.StatusCode;
                response.Dispose();
                throw new StsRedirectException(status);
            }

            if (response.Content.Headers.ContentLength > MaxBodyBytes)
            {
                response.Dispose();
                throw new StsResponseTooLargeException();
            }

            var original = response.Content;
            using var buffer = new MemoryStream();
            var stream = await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var chunk = new byte[8192];
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxBodyBytes)
                    {
                        response.Dispose();
                        throw new StsResponseTooLargeException();
                    }

                    buffer.Write(chunk, 0, read);
                }
            }

            var copy = new ByteArrayContent(buffer.ToArray());
            foreach (var header in original.Headers)
            {
                if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            response.Content = copy;
            original.Dispose();
            return response;
        }
    }
}

/// <summary>STS answered with a body larger than 64 KiB.</summary>
internal sealed class StsResponseTooLargeException : HttpRequestException
{
    public StsResponseTooLargeException()
        : base("The STS response body is larger than 64 KiB.", null, HttpStatusCode.OK)
    {
    }
}

/// <summary>STS (or something in front of it) answered with a redirect, which is never followed for a request that carries a token.</summary>
internal sealed class StsRedirectException : HttpRequestException
{
    public StsRedirectException(int status)
        : base("The STS endpoint answered with a redirect (HTTP " + status + ").", null, (HttpStatusCode)status)
    {
        Status = status;
    }

    public int Status { get; }
}
