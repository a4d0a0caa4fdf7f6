using System.Buffers.Text;
using System.Net;
using System.Text.RegularExpressions;
using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.Issuer;

public sealed partial class StartupTests
{
    [GeneratedRegex(@"^http://127\.0\.0\.1:(\d+)/\d+//idtoken/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\?api-version=2\.0$")]
    private static partial Regex RequestUrlShape();

    [Fact]
    public void Request_url_has_githubs_newest_shape_and_keeps_the_empty_segment()
    {
        using var issuer = MockGitHubOidcIssuer.Start();

        foreach (var text in new[] { issuer.RequestUrl.ToString(), issuer.RequestUrl.AbsoluteUri, issuer.GetEnvironment()["ACTIONS_ID_TOKEN_REQUEST_URL"] })
        {
            var match = RequestUrlShape().Match(text);
            Assert.True(match.Success, $"Unexpected request URL shape: {text}");
            Assert.Equal(issuer.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), match.Groups[1].Value);
        }

        Assert.Contains("//idtoken/", issuer.RequestUrl.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal("?api-version=2.0", issuer.RequestUrl.Query);
    }

    [Fact]
    public async Task The_path_with_the_empty_segment_collapsed_is_not_the_token_endpoint()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        var collapsed = new Uri(issuer.RequestUrl.ToString().Replace("//idtoken", "/idtoken", StringComparison.Ordinal));

        using var response = await client.RequestAsync(url: collapsed);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, issuer.TokenRequestCount);
    }

    [Fact]
    public void Base_address_is_loopback_and_port_is_real()
    {
        using var issuer = MockGitHubOidcIssuer.Start();

        Assert.Equal("127.0.0.1", issuer.BaseAddress.Host);
        Assert.InRange(issuer.BaseAddress.Port, 1, 65535);
        Assert.Equal("/", issuer.BaseAddress.AbsolutePath);
        Assert.Equal(issuer.BaseAddress.ToString().TrimEnd('/'), issuer.Issuer);
    }

    [Fact]
    public async Task Listens_on_the_requested_port()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions { Port = port });
        using var client = new IssuerClient(issuer);

        Assert.Equal(port, issuer.BaseAddress.Port);
        Assert.False(string.IsNullOrEmpty(await client.GetTokenAsync()));
    }

    [Fact]
    public void Request_token_is_32_random_bytes_in_base64url_and_new_per_instance()
    {
        using var first = MockGitHubOidcIssuer.Start();
        using var second = MockGitHubOidcIssuer.Start();

        Assert.Equal(32, Base64Url.DecodeFromChars(first.RequestToken).Length);
        Assert.DoesNotContain('=', first.RequestToken);
        Assert.DoesNotContain('+', first.RequestToken);
        Assert.DoesNotContain('/', first.RequestToken);
        Assert.False(first.RequestToken == second.RequestToken, "Two instances share a request token.");
        Assert.NotEqual(first.RequestUrl, second.RequestUrl);
    }

    [Fact]
    public async Task Environment_is_what_a_runner_sets_and_matches_the_claims()
    {
        using var issuer = MockGitHubOidcIssuer.Start(new MockGitHubOidcIssuerOptions
        {
            Owner = "acme",
            Repository = "rockets",
            Ref = "refs/tags/v1.2.3",
            EventName = "release",
            Actor = "wile",
            RunnerEnvironment = "self-hosted",
        });
        using var client = new IssuerClient(issuer);
        var environment = issuer.GetEnvironment();
        var claims = Jwt.Payload(await client.GetTokenAsync());

        Assert.Equal(issuer.RequestUrl.ToString(), environment["ACTIONS_ID_TOKEN_REQUEST_URL"]);
        Assert.True(environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] == issuer.RequestToken, "The request token variable is not the request token.");
        Assert.Equal("true", environment["GITHUB_ACTIONS"]);
        Assert.Equal("https://github.com", environment["GITHUB_SERVER_URL"]);
        Assert.Equal(issuer.Issuer, environment["OIDC_ISSUER"]);
        Assert.Equal("acme/rockets", environment["GITHUB_REPOSITORY"]);
        Assert.Equal(claims.GetProperty("repository").GetString(), environment["GITHUB_REPOSITORY"]);
        Assert.Equal(claims.GetProperty("repository_owner").GetString(), environment["GITHUB_REPOSITORY_OWNER"]);
        Assert.Equal(claims.GetProperty("repository_id").GetString(), environment["GITHUB_REPOSITORY_ID"]);
        Assert.Equal(claims.GetProperty("actor").GetString(), environment["GITHUB_ACTOR"]);
        Assert.Equal(claims.GetProperty("event_name").GetString(), environment["GITHUB_EVENT_NAME"]);
        Assert.Equal(claims.GetProperty("ref").GetString(), environment["GITHUB_REF"]);
        Assert.Equal("v1.2.3", environment["GITHUB_REF_NAME"]);
        Assert.Equal("tag", environment["GITHUB_REF_TYPE"]);
        Assert.Equal(claims.GetProperty("sha").GetString(), environment["GITHUB_SHA"]);
        Assert.Equal(claims.GetProperty("run_id").GetString(), environment["GITHUB_RUN_ID"]);
        Assert.Equal("self-hosted", environment["RUNNER_ENVIRONMENT"]);
        Assert.Equal(claims.GetProperty("runner_environment").GetString(), environment["RUNNER_ENVIRONMENT"]);
    }

    [Fact]
    public void Environment_is_a_copy()
    {
        using var issuer = MockGitHubOidcIssuer.Start();

        Assert.NotSame(issuer.GetEnvironment(), issuer.GetEnvironment());
        Assert.Throws<NotSupportedException>(() => ((IDictionary<string, string>)issuer.GetEnvironment())["GITHUB_ACTIONS"] = "false");
    }

    [Fact]
    public async Task Options_are_copied_at_start()
    {
        var options = new MockGitHubOidcIssuerOptions { Owner = "before" };
        using var issuer = MockGitHubOidcIssuer.Start(options);
        options.Owner = "after";
        options.AdditionalClaims["late"] = "x";

        var claims = Jwt.Payload(issuer.IssueToken());

        Assert.Equal("before", claims.GetProperty("repository_owner").GetString());
        Assert.False(claims.TryGetProperty("late", out _));
        using var client = new IssuerClient(issuer);
        Assert.Equal("https://github.com/before", Jwt.Payload(await client.GetTokenAsync()).GetProperty("aud").GetString());
    }

    public static TheoryData<string> InvalidOptions() =>
    [
        "port", "owner-slash", "repo-empty", "lifetime", "backdate", "slug-missing", "slug-bad", "reserved-exp", "reserved-aud", "kind",
    ];

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_caller_bugs(string which)
    {
        var options = new MockGitHubOidcIssuerOptions();
        switch (which)
        {
            case "port": options.Port = 70000; break;
            case "owner-slash": options.Owner = "a/b"; break;
            case "repo-empty": options.Repository = string.Empty; break;
            case "lifetime": options.TokenLifetime = TimeSpan.Zero; break;
            case "backdate": options.NotBeforeBackdate = TimeSpan.FromSeconds(-1); break;
            case "slug-missing": options.IssuerKind = MockIssuerKind.EnterpriseSlug; break;
            case "slug-bad": options.IssuerKind = MockIssuerKind.EnterpriseSlug; options.EnterpriseSlug = "a/b"; break;
            case "reserved-exp": options.AdditionalClaims["exp"] = "1"; break;
            case "reserved-aud": options.AdditionalClaims["aud"] = "x"; break;
            case "kind": options.IssuerKind = (MockIssuerKind)42; break;
            default: throw new ArgumentOutOfRangeException(nameof(which));
        }

        Assert.ThrowsAny<ArgumentException>(() => MockGitHubOidcIssuer.Start(options).Dispose());
    }

    [Fact]
    public void Caller_bugs_in_calls_are_argument_exceptions()
    {
        using var issuer = MockGitHubOidcIssuer.Start();

        Assert.Throws<ArgumentOutOfRangeException>(() => issuer.FailNextRequests(0, MockHttpTargetFault.Html()));
        Assert.Throws<ArgumentNullException>(() => issuer.FailNextRequests(1, null!));
        Assert.Throws<ArgumentException>(() => issuer.IssueToken("x", new Dictionary<string, string> { ["nbf"] = "0" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => MockHttpTargetFault.Status(99));
        Assert.Throws<ArgumentOutOfRangeException>(() => MockHttpTargetFault.Status(503, retryAfter: TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => MockHttpTargetFault.Redirect(new Uri("http://127.0.0.1/"), 200));
        Assert.Throws<ArgumentNullException>(() => MockHttpTargetFault.Redirect(null!, 302));
        Assert.Throws<ArgumentOutOfRangeException>(() => MockHttpTargetFault.OversizedBody(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MockHttpTargetFault.Delay(TimeSpan.FromMilliseconds(-1)));
    }

    [Fact]
    public async Task Dispose_stops_listening_and_is_idempotent()
    {
        var issuer = MockGitHubOidcIssuer.Start();
        var issuerName = issuer.Issuer;
        var url = issuer.RequestUrl;
        var requestToken = issuer.RequestToken;
        using (var before = new HttpRequestMessage(HttpMethod.Get, url))
        using (var http = new HttpClient())
        {
            before.Headers.Authorization = new("Bearer", requestToken);
            using var answer = await http.SendAsync(before);
            Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        }

        issuer.Dispose();
        issuer.Dispose();

        // Nothing answers for this issuer any more: the connection is refused, or, when a server another test started in
        // parallel has taken the freed port in the meantime, that server does not know this issuer's request token.
        using var after = new HttpRequestMessage(HttpMethod.Get, url);
        after.Headers.Authorization = new("Bearer", requestToken);
        using var client = new HttpClient();
        try
        {
            using var response = await client.SendAsync(after);
            if (response.StatusCode == System.Net.HttpStatusCode.OK)
            {
                // Another test's server on the reused port may answer 200 to anything; it must not be a token of this issuer.
                Assert.NotEqual(issuerName, IssuerOfAnswer(await response.Content.ReadAsStringAsync()));
            }
        }
        catch (HttpRequestException)
        {
            // Refused: nothing listens on the port.
        }

        Assert.Throws<ObjectDisposedException>(() => issuer.IssueToken());
        Assert.Throws<ObjectDisposedException>(() => issuer.RotateSigningKey());
    }

    /// <summary>The <c>iss</c> of the token in a token-endpoint answer (<c>{"value": "&lt;jwt&gt;"}</c>), or null for anything else.</summary>
    private static string? IssuerOfAnswer(string body)
    {
        try
        {
            using var answer = System.Text.Json.JsonDocument.Parse(body);
            if (answer.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object
                || !answer.RootElement.TryGetProperty("value", out var value) || value.GetString() is not { } jwt
                || jwt.Split('.') is not { Length: 3 } parts)
            {
                return null;
            }

            using var payload = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
            return payload.RootElement.TryGetProperty("iss", out var iss) ? iss.GetString() : null;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
