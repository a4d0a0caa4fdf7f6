using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.IdentityModel.Protocols;
using OidcToken.Http;

namespace OidcToken.Validation;

/// <summary>
/// Fetches discovery and JWKS documents for one issuer: only from the issuer's own host (https, or http for a
/// loopback issuer), never following redirects, bodies capped at 64 KiB. Every failure is a <see cref="KeyFetchException"/>
/// whose message is also kept in <see cref="LastProblem"/> (ConfigurationManager swallows exceptions of background refreshes).
/// <see cref="DiscoveryValidator"/> records its refusals there too, and a successful fetch clears it, so it always
/// names the cause of the latest attempt.
/// </summary>
internal sealed class GuardedDocumentRetriever(HttpClient client, Uri issuer) : IDocumentRetriever
{
    internal const int MaxBodyBytes = 64 * 1024;

    private string? _lastProblem;

    public string? LastProblem
    {
        get => Volatile.Read(ref _lastProblem);
        set => Volatile.Write(ref _lastProblem, value);
    }

    public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            throw Fail($"the address '{Text.Quote(address)}' is not an absolute URL");
        }

        if (!IssuerAddress.IsSameOriginAllowed(uri, issuer, out var problem))
        {
            throw Fail($"refused to fetch {problem}");
        }

        var where = uri.GetLeftPart(UriPartial.Path);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.ParseAdd("application/json");

        // HttpClient.Timeout ends at the headers when they are read first (ResponseHeadersRead); the body must be bounded
        // too, or a server trickling its JWKS a byte at a time holds every validation waiting on the fetch for as long as it likes.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (client.Timeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(client.Timeout);
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Fail($"{where} could not be reached ({ex.HttpRequestError}: {ex.Message})", ex);
        }
        catch (OperationCanceledException ex) when (!cancel.IsCancellationRequested)
        {
            throw Fail($"{where} did not answer in time ({Text.Seconds(client.Timeout)} timeout)", ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                throw Fail($"{where} answered with a redirect (HTTP {status.ToString(CultureInfo.InvariantCulture)}); redirects are not followed: configure the issuer's real address");
            }

            // A caller's HttpClient may follow redirects itself: keys are taken only from the address asked for.
            if (!SafeHttp.ComesFrom(response, uri))
            {
                throw Fail($"{where} was answered from another address ({Text.Quote(response.RequestMessage!.RequestUri!.GetLeftPart(UriPartial.Path))}): the HttpClient followed a redirect, and keys are only taken from the issuer's own address; give the validator an HttpClient that does not follow redirects");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Fail($"{where} answered HTTP {status.ToString(CultureInfo.InvariantCulture)} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength > MaxBodyBytes)
            {
                throw Fail($"{where} sent a body larger than 64 KiB");
            }

            try
            {
                using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                var buffer = new byte[MaxBodyBytes + 1];
                var total = 0;
                int read;
                while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), timeout.Token).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                if (total > MaxBodyBytes)
                {
                    throw Fail($"{where} sent a body larger than 64 KiB");
                }

                LastProblem = null;
                return Encoding.UTF8.GetString(buffer, 0, total);
            }
            catch (HttpRequestException ex)
            {
                throw Fail($"reading the answer of {where} failed ({ex.Message})", ex);
            }
            catch (IOException ex) when (ex is not KeyFetchException)
            {
                throw Fail($"reading the answer of {where} failed ({ex.Message})", ex);
            }
            catch (OperationCanceledException ex) when (!cancel.IsCancellationRequested)
            {
                throw Fail($"{where} did not finish its answer within the {Text.Seconds(client.Timeout)} timeout", ex);
            }
        }
    }

    private KeyFetchException Fail(string message, Exception? inner = null)
    {
        LastProblem = message;
        return new KeyFetchException(message, inner);
    }

    internal static HttpClient CreateOwnClient()
    {
        var handler = SafeHttp.CreateHandler();
        handler.AutomaticDecompression = DecompressionMethods.All;
        return new(handler)
        {
            Timeout = TimeSpan.FromSeconds(20),
            MaxResponseContentBufferSize = MaxBodyBytes,
        };
    }
}
