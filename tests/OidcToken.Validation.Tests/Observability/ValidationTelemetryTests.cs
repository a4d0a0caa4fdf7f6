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
}
