using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OidcToken.MockIssuer.Tests.CommandLine;

/// <summary>Asks a running <c>oidc-token-mock</c> for a token over real HTTP, as a runner client would.</summary>
internal static class MockClient
{
    /// <summary>Requests a token for <paramref name="audience"/> and returns the compact JWT.</summary>
    public static async Task<string> GetTokenAsync(IReadOnlyDictionary<string, string> variables, string audience)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, variables["ACTIONS_ID_TOKEN_REQUEST_URL"] + "&audience=" + Uri.EscapeDataString(audience));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", variables["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("value").GetString()!;
    }

    /// <summary>The payload of a compact JWT (unverified: the tests read what the mock put in).</summary>
    public static JsonElement Claims(string jwt)
    {
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]));
        return claims.RootElement.Clone();
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes (no fixed sleeps as synchronization).</summary>
    public static async Task<bool> PollAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
