using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OidcToken.Testing.Tests.Support;

/// <summary>Talks to a mock issuer over real HTTP the way a runner client and a relying party would.</summary>
internal sealed class IssuerClient : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer;

    public IssuerClient(MockGitHubOidcIssuer issuer)
    {
        _issuer = issuer;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public HttpClient Http { get; }

    /// <summary>The request URL with <c>&amp;audience=</c> appended like @actions/core (encoded), or unchanged for null.</summary>
    public Uri TokenUrl(string? audience) =>
        audience is null ? _issuer.RequestUrl : new Uri(_issuer.RequestUrl + "&audience=" + Uri.EscapeDataString(audience));

    public Task<HttpResponseMessage> RequestAsync(string? audience = null, string? scheme = "Bearer", string? token = null, Uri? url = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url ?? TokenUrl(audience));
        if (scheme is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", scheme + " " + (token ?? _issuer.RequestToken));
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.ParseAdd("oidc-token-tests/1.0");
        return Http.SendAsync(request);
    }

    /// <summary>Fetches a token and returns the <c>value</c> member, asserting a 200.</summary>
    public async Task<string> GetTokenAsync(string? audience = null)
    {
        using var response = await RequestAsync(audience);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Token request answered {(int)response.StatusCode}.");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("value").GetString()!;
    }

    public async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await Http.GetAsync(new Uri(url));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    /// <summary>Relying-party flow: issuer → discovery → jwks_uri → verify (RS256, issuer, audience).</summary>
    public async Task<TokenValidationResult> VerifyAsync(string token, string audience, TimeProvider? timeProvider = null)
    {
        var discovery = await GetJsonAsync(_issuer.Issuer + "/.well-known/openid-configuration");
        Assert.Equal(_issuer.Issuer, discovery.GetProperty("issuer").GetString());
        var jwksUri = discovery.GetProperty("jwks_uri").GetString()!;
        using var jwksResponse = await Http.GetAsync(new Uri(jwksUri));
        Assert.Equal(System.Net.HttpStatusCode.OK, jwksResponse.StatusCode);
        var keys = new JsonWebKeySet(await jwksResponse.Content.ReadAsStringAsync());

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = _issuer.Issuer,
            ValidAudience = audience,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.Zero,
            TryAllIssuerSigningKeys = false,
        };
        if (timeProvider is not null)
        {
            // Judge nbf/exp at the fake clock's instant instead of the machine's.
            parameters.LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = timeProvider.GetUtcNow().UtcDateTime;
                return expires is { } exp && now < exp && (notBefore is not { } nbf || nbf <= now);
            };
        }

        return await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
    }

    public void Dispose() => Http.Dispose();
}
