using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OidcToken.Testing;

namespace OidcToken.Validation.Tests.Observability;

public sealed class ValidationTelemetryTests : IDisposable
{
    private readonly MockGitHubOidcIssuer _issuer = MockGitHubOidcIssuer.Start();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task ValidateAsync_TagsAnActivityAndCountsTheOutcome_WithoutTheToken()
    {
        var activities = new ConcurrentQueue<Activity>();
        var outcomes = new ConcurrentQueue<string>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "OidcToken",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "OidcToken" && instrument.Name == "oidctoken.validation.results")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcomes.Enqueue((string)tag.Value!);
                }
            }
        });
        meterListener.Start();
        using var validator = new GitHubOidcTokenValidator(new GitHubOidcValidationOptions
        {
            Issuer = _issuer.Issuer,
            Audiences = { "telemetry-audience" },
            Policy = GitHubClaimPolicy.CreateBuilder().AllowAnyRepository().Build(),
        });
        var good = _issuer.IssueToken("telemetry-audience");
        var wrongAudience = _issuer.IssueToken("another-audience");

        Assert.True((await validator.ValidateAsync(good)).IsValid);
        Assert.False((await validator.ValidateAsync(wrongAudience)).IsValid);

        Assert.Contains("valid", outcomes);
        Assert.Contains("InvalidAudience", outcomes);
        var mine = activities.Where(a => a.OperationName == "ValidateGitHubToken").ToList();
        Assert.Contains(mine, a => (string?)a.GetTagItem("oidctoken.validation.outcome") == "valid");
        Assert.Contains(mine, a => (string?)a.GetTagItem("oidctoken.validation.outcome") == "InvalidAudience" && a.Status == ActivityStatusCode.Error);
        foreach (var activity in mine)
        {
            foreach (var tag in activity.TagObjects)
            {
                Assert.DoesNotContain(good.Split('.')[2], tag.Value?.ToString() ?? string.Empty, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Kid_trace_tag_carries_the_escaped_and_capped_KeyId_never_the_raw_kid()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "OidcToken",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);
        using var validator = new GitHubOidcTokenValidator(new GitHubOidcValidationOptions
        {
            Issuer = _issuer.Issuer,
            Audiences = { "telemetry-audience" },
            Policy = GitHubClaimPolicy.CreateBuilder().AllowAnyRepository().Build(),
            MaxTokenLength = 32 * 1024,
        });
        var marker = "telemetry-" + Guid.NewGuid().ToString("N") + "-";
        var kid = Attacks.HostileTextAttackTests.HostileText(marker);
        var token = KeySources.AttackFreeForgery.WithKeyId(_issuer.IssueToken("telemetry-audience"), kid);

        var result = await validator.ValidateAsync(token);

        Assert.Equal(GitHubOidcValidationFailure.UnknownKey, result.Failure);
        var activity = Assert.Single(activities, a => a.OperationName == "ValidateGitHubToken"
            && ((string?)a.GetTagItem("oidctoken.validation.kid"))?.StartsWith(marker, StringComparison.Ordinal) == true);
        var tag = (string)activity.GetTagItem("oidctoken.validation.kid")!;
        Assert.Equal(result.KeyId, tag);
        Assert.DoesNotContain(tag, c => Verifying.TextQuoteTests.Hostile.Contains(c));
        Assert.Contains("\\u202e", tag, StringComparison.Ordinal);
        Assert.True(tag.Length < 2 * 1024, $"the kid tag is {tag.Length} characters long");
        Assert.Equal("UnknownKey", activity.GetTagItem("oidctoken.validation.outcome"));
    }
}
