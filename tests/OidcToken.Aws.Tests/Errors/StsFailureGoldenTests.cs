using OidcToken.Aws.Exchange;

namespace OidcToken.Aws.Tests.Errors;

/// <summary>
/// Golden wording of the AWS exchange's failures, one row per way it ends (each error code, and each kind of
/// ExchangeFailed): the whole message is pinned, and the exception's fields carry the same facts as its text. Update a
/// row on purpose only: the texts are a contract.
/// </summary>
public sealed class StsFailureGoldenTests
{
    private const string Role = "arn:aws:iam::123456789012:role/deploy";
    private const string Host = "sts.eu-west-1.amazonaws.com";
    private const string Facts = "role: " + Role + "; session name: GitHubActions; audience requested: 'sts.amazonaws.com'; attempts: 2; elapsed: 1.2 s";
    private static readonly TimeSpan Elapsed = TimeSpan.FromMilliseconds(1234);

    public static TheoryData<string, int, string> Rows() => new()
    {
        {
            "refused", 400,
            "AWS STS refused AssumeRoleWithWebIdentity for role '" + Role + "' (MalformedPolicyDocument: The policy is not valid).\n" +
            "The session policy is not a valid IAM policy. Fix: correct GitHubAwsCredentialsOptions.Policy.\n" +
            "(the token could not be decoded to show its claims; " + Facts + "; last status: 400; request id: req-1)"
        },
        {
            "temporary", 120,
            "AWS STS at " + Host + " kept failing with a temporary error (last: Throttling: Rate exceeded).\n" +
            "Fix: this is usually an AWS incident or throttling; re-run the job, or allow more attempts (MaxAttempts, Deadline).\n" +
            "(the token's claims are unknown; " + Facts + "; last status: 400; request id: req-1)"
        },
        {
            "network", 120,
            "Could not get an answer from AWS STS at " + Host + ": network error: ConnectionRefused.\n" +
            "Fix: check that this machine can reach " + Host + " (HTTPS_PROXY/NO_PROXY, egress rules; Region, Endpoint and AWS_ENDPOINT_URL_STS).\n" +
            "(the token's claims are unknown; " + Facts + ")"
        },
        {
            "redirect", 120,
            "AWS STS at " + Host + " could not be used: it answered with a redirect, which is never followed for a request that carries a token.\n" +
            "Fix: point Endpoint (or AWS_ENDPOINT_URL_STS) at the STS endpoint itself, without a redirecting proxy.\n" +
            "(the token's claims are unknown; " + Facts + "; last status: 302)"
        },
        {
            "deadline", 120,
            "No answer from AWS STS at " + Host + " within the deadline of 60 s (last: the attempt timed out).\n" +
            "Fix: check that " + Host + " answers promptly from this machine, or allow more time (GitHubAwsCredentialsOptions.Deadline, oidc-token --timeout).\n" +
            "(the token's claims are unknown; " + Facts + ")"
        },
        {
            "invalid", 210,
            "AWS STS at " + Host + " answered, but the response is not the XML STS sends.\n" +
            "Fix: make sure Endpoint (or AWS_ENDPOINT_URL_STS) points at STS or an STS-compatible service, and that no proxy rewrites the answer.\n" +
            "(" + Facts + "; last status: 200; request id: req-1)"
        },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void StsFailure_HasItsGoldenWording_AndFieldsMatchTheFacts(string row, int code, string expected)
    {
        var settings = StsSettings.From(new GitHubAwsCredentialsOptions { RoleArn = Role, Region = "eu-west-1" }, _ => null);
        StsFailure? failure = row switch
        {
            "refused" => new StsFailure(StsFailureKind.Refused, "MalformedPolicyDocument", "The policy is not valid", 400, "req-1", null),
            "temporary" => new StsFailure(StsFailureKind.Transient, "Throttling", "Rate exceeded", 400, "req-1", null),
            "network" => new StsFailure(StsFailureKind.Transient, null, "network error: ConnectionRefused", null, null, null),
            "redirect" => new StsFailure(StsFailureKind.Redirect, null, "it answered with a redirect, which is never followed for a request that carries a token", 302, null, null),
            "deadline" => new StsFailure(StsFailureKind.Transient, null, "the attempt timed out", null, null, null),
            _ => new StsFailure(StsFailureKind.Invalid, null, "the response is not the XML STS sends", 200, "req-1", null),
        };

        var error = row switch
        {
            "refused" => StsMessages.Refused(settings, failure, "not-a-jwt", 2, Elapsed),
            "temporary" or "network" => StsMessages.Failed(settings, Host, failure, null, 2, Elapsed, redirect: false),
            "redirect" => StsMessages.Failed(settings, Host, failure, null, 2, Elapsed, redirect: true),
            "deadline" => StsMessages.Timeout(settings, Host, failure, null, 2, Elapsed),
            _ => StsMessages.Invalid(settings, Host, failure, 2, Elapsed),
        };

        Assert.Equal((OidcTokenErrorCode)code, error.ErrorCode);
        Assert.Equal(expected, error.Message);
        Assert.Equal(failure.StatusCode, error.StatusCode);
        Assert.Equal(2, error.Attempts);
        Assert.Equal(Elapsed, error.Elapsed);
        Assert.Equal(failure.RequestId, error.RequestId);
    }
}
