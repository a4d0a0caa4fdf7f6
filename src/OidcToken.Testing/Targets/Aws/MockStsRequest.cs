namespace OidcToken.Testing;

/// <summary>
/// One request <see cref="MockAwsSts"/> received, as recorded in <see cref="MockAwsSts.Requests"/>. It never holds the
/// web identity token: only whether one was sent and the claims a trust policy compares.
/// </summary>
public sealed class MockStsRequest
{
    internal MockStsRequest(
        string? action,
        string? roleArn,
        string? roleSessionName,
        int? durationSeconds,
        string? policy,
        IReadOnlyList<string> policyArns,
        bool hadWebIdentityToken,
        string? tokenSubject,
        string? tokenAudience,
        int statusCode,
        string? errorCode,
        DateTimeOffset receivedAt)
    {
        Action = action;
        RoleArn = roleArn;
        RoleSessionName = roleSessionName;
        DurationSeconds = durationSeconds;
        Policy = policy;
        PolicyArns = policyArns;
        HadWebIdentityToken = hadWebIdentityToken;
        TokenSubject = tokenSubject;
        TokenAudience = tokenAudience;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        ReceivedAt = receivedAt;
    }

    /// <summary>The form field <c>Action</c>, for example <c>AssumeRoleWithWebIdentity</c>.</summary>
    public string? Action { get; }

    /// <summary>The form field <c>RoleArn</c>.</summary>
    public string? RoleArn { get; }

    /// <summary>The form field <c>RoleSessionName</c>.</summary>
    public string? RoleSessionName { get; }

    /// <summary>The form field <c>DurationSeconds</c>; <see langword="null"/> when absent or not a number.</summary>
    public int? DurationSeconds { get; }

    /// <summary>The form field <c>Policy</c> (an inline session policy).</summary>
    public string? Policy { get; }

    /// <summary>The <c>PolicyArns.member.N.arn</c> fields, in order.</summary>
    public IReadOnlyList<string> PolicyArns { get; }

    /// <summary>Whether a non-empty <c>WebIdentityToken</c> was sent (the token itself is never kept).</summary>
    public bool HadWebIdentityToken { get; }

    /// <summary>The <c>sub</c> of the web identity token, when it could be decoded.</summary>
    public string? TokenSubject { get; }

    /// <summary>The <c>aud</c> of the web identity token, when it could be decoded (the first one when it is an array).</summary>
    public string? TokenAudience { get; }

    /// <summary>The HTTP status the mock answered with.</summary>
    public int StatusCode { get; }

    /// <summary>The STS error code the mock answered with (for example <c>AccessDenied</c>); <see langword="null"/> on success.</summary>
    public string? ErrorCode { get; }

    /// <summary>When the request arrived, by the mock's clock.</summary>
    public DateTimeOffset ReceivedAt { get; }
}
