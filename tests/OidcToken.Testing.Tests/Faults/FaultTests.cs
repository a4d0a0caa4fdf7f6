using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OidcToken.Testing.Tests.Support;

namespace OidcToken.Testing.Tests.Faults;

public sealed class FaultTests
{
    [Fact]
    public async Task Status_fault_sends_status_body_and_retry_after_then_recovers()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(2, MockHttpTargetFault.Status(503, "{\"message\":\"busy\"}", TimeSpan.FromSeconds(2.5)));

        for (var i = 0; i < 2; i++)
        {
            using var failed = await client.RequestAsync("aud");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal("{\"message\":\"busy\"}", await failed.Content.ReadAsStringAsync());
            Assert.Equal("application/json", failed.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(3), failed.Headers.RetryAfter?.Delta);
        }

        using var recovered = await client.RequestAsync("aud");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(3, issuer.TokenRequestCount);
    }

    [Fact]
    public async Task Random_fault_hits_about_its_rate_after_queued_faults_and_stops_at_probability_zero()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockHttpTargetFault.Status(500));
        issuer.FailTokenRequestsRandomly(0.3, MockHttpTargetFault.Status(503), seed: 7);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 201; i++)
        {
            using var response = await client.RequestAsync("aud");
            statuses.Add(response.StatusCode);
        }

        issuer.FailTokenRequestsRandomly(0, MockHttpTargetFault.Status(503));
        using var after = await client.RequestAsync("aud");

        Assert.Equal(HttpStatusCode.InternalServerError, statuses[0]);
        var failed = statuses.Skip(1).Count(s => s == HttpStatusCode.ServiceUnavailable);
        Assert.InRange(failed, 30, 90);
        Assert.All(statuses.Skip(1), s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, s.ToString()));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(failed, issuer.TokenRequests.Count(r => r.StatusCode == 503));
        Assert.Throws<ArgumentOutOfRangeException>(() => issuer.FailTokenRequestsRandomly(double.NaN, MockHttpTargetFault.Status(503)));
        Assert.Throws<ArgumentOutOfRangeException>(() => issuer.FailTokenRequestsRandomly(1.5, MockHttpTargetFault.Status(503)));
    }

    [Fact]
    public async Task Status_fault_with_text_or_no_body()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockHttpTargetFault.Status(500, "oops"));
        issuer.FailNextRequests(1, MockHttpTargetFault.Status(429));

        using var text = await client.RequestAsync("aud");
        using var empty = await client.RequestAsync("aud");

        Assert.Equal(HttpStatusCode.InternalServerError, text.StatusCode);
        Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
        Assert.Equal("oops", await text.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, empty.StatusCode);
        Assert.Empty(await empty.Content.ReadAsByteArrayAsync());
        Assert.Null(empty.Headers.RetryAfter);
    }

    [Theory]
    [InlineData("Pending")]
    [InlineData("Delayed")]
    [InlineData("Completed")]
    public async Task Job_state_faults_are_403_with_githubs_vss_body(string state)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, state switch
        {
            "Pending" => MockGitHubOidcIssuer.JobPending(),
            "Delayed" => MockGitHubOidcIssuer.JobDelayed(),
            _ => MockGitHubOidcIssuer.JobCompleted(),
        });

        using var response = await client.RequestAsync("aud");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal($"Can't issue ID_TOKEN for job in '{state}' state.", body.RootElement.GetProperty("message").GetString());
        Assert.Equal("CannotGenerateIdTokenException", body.RootElement.GetProperty("typeKey").GetString());
    }

    [Fact]
    public async Task Job_completed_body_is_byte_identical_to_the_real_one()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        var real = File.ReadAllText(RepoPaths.Fixture("token-endpoint-error-job-state.vss-style.json")).TrimEnd('\n', '\r');
        issuer.FailNextRequests(1, MockGitHubOidcIssuer.JobCompleted());

        using var response = await client.RequestAsync("aud");

        Assert.Equal(real, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Audience_refused_names_the_requested_audience()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockGitHubOidcIssuer.AudienceRefused());

        using var response = await client.RequestAsync("sts.amazonaws.com");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "{\"source\":\"actions-run-service\",\"statusCode\":400,\"errorMessage\":\"Can't issue ID_TOKEN for audience 'sts.amazonaws.com'\"}",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Delay_answers_successfully_but_late()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockHttpTargetFault.Delay(TimeSpan.FromMilliseconds(400)));

        var stopwatch = Stopwatch.StartNew();
        var token = await client.GetTokenAsync("aud");
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(350), $"Answered after {stopwatch.Elapsed}.");
        Assert.True((await client.VerifyAsync(token, "aud")).IsValid);
    }

    [Fact]
    public async Task Delay_lets_a_client_time_out_and_ends_on_dispose()
    {
        var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockHttpTargetFault.Delay(TimeSpan.FromMinutes(5)));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var request = new HttpRequestMessage(HttpMethod.Get, client.TokenUrl("aud"));
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + issuer.RequestToken);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Http.SendAsync(request, timeout.Token));

        var stopwatch = Stopwatch.StartNew();
        issuer.Dispose();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"Dispose took {stopwatch.Elapsed}.");
    }

    [Fact]
    public async Task Empty_response_is_200_with_no_body()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockHttpTargetFault.EmptyResponse());

        using var response = await client.RequestAsync("aud");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Malformed_chunk_is_not_json()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockHttpTargetFault.MalformedChunk());

        using var response = await client.RequestAsync("aud");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(body);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body).Dispose());
    }

    [Fact]
    public async Task Html_is_a_200_web_page()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockHttpTargetFault.Html());

        using var response = await client.RequestAsync("aud");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_without_value_is_valid_json_lacking_value()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockGitHubOidcIssuer.JsonWithoutValue());

        using var response = await client.RequestAsync("aud");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        Assert.False(json.RootElement.TryGetProperty("value", out _));
    }

    [Fact]
    public async Task Truncated_json_stops_inside_the_token()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockHttpTargetFault.TruncatedBody());

        using var response = await client.RequestAsync("aud");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("{\"value\":\"eyJ", body, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body).Dispose());
    }

    [Theory]
    [InlineData(302)]
    [InlineData(307)]
    public async Task Redirect_points_elsewhere(int status)
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        var target = new Uri("http://127.0.0.2:9/steal");
        issuer.FailNextRequests(1, MockHttpTargetFault.Redirect(target, status));

        using var response = await client.RequestAsync("aud");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(target, response.Headers.Location);
    }

    [Fact]
    public async Task Oversized_body_has_exactly_the_requested_length_and_a_valid_token()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockHttpTargetFault.OversizedBody(200_000));

        using var response = await client.RequestAsync("aud");
        var body = await response.Content.ReadAsByteArrayAsync();
        using var json = JsonDocument.Parse(body);

        Assert.Equal(200_000, body.Length);
        Assert.True((await client.VerifyAsync(json.RootElement.GetProperty("value").GetString()!, "aud")).IsValid);
    }

    [Fact]
    public async Task Queued_faults_apply_in_order_then_requests_succeed()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(2, MockGitHubOidcIssuer.JobPending());
        issuer.FailNextRequests(1, MockHttpTargetFault.Status(502));

        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.RequestAsync("aud");
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([403, 403, 502, 200, 200], statuses);
        Assert.Equal(["JobPending()", "JobPending()", "Status(502)", null, null], issuer.TokenRequests.Select(r => r.Fault?.ToString()));
    }

    [Fact]
    public async Task A_queued_fault_applies_whatever_the_bearer()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(1, MockHttpTargetFault.Status(503));

        using var response = await client.RequestAsync("aud", scheme: null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Concurrent_requests_consume_exactly_count_faults()
    {
        using var issuer = MockGitHubOidcIssuer.Start();
        using var client = new IssuerClient(issuer);
        issuer.FailNextRequests(10, MockHttpTargetFault.Status(503));

        var statuses = await Task.WhenAll(Enumerable.Range(0, 30).Select(async _ =>
        {
            using var response = await client.RequestAsync("aud");
            return (int)response.StatusCode;
        }));

        Assert.Equal(10, statuses.Count(s => s == 503));
        Assert.Equal(20, statuses.Count(s => s == 200));
        Assert.Equal(30, issuer.TokenRequestCount);
    }
}
