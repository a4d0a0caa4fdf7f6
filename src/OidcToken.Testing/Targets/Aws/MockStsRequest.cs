namespace OidcToken.Testing;

/// <summary>
/// One request <see cref="MockAwsSts"/> received, as recorded in <see cref="MockHttpTarget{TRequest}.Requests"/>. It never holds the
/// web identity token: only whether one was sent and the claims a trust policy compares.
/// </summary>
public sealed class MockStsRequest : MockHttpTargetRequest
{
    internal MockStsRequest(
        MockHttpTargetRequest facts,
        string? action,
        string? roleArn,
        string? roleSessionName,
        int? durationSeconds,
        string? policy,
        IReadOnlyList<string> policyArns,
        bool hadWebIdentityToken,
        string? tokenSubject,
        string? tokenAudience,
        string? errorCode)
        : base(facts)
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
        ErrorCode = errorCode;
    }

    /// <summary>The form field <c>Action</c>: <c>AssumeRoleWithWebIdentity</c> or <c>GetCallerIdentity</c>.</summary>
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

    /// <summary>The STS error code the mock answered with (for example <c>AccessDenied</c>); <see langword="null"/> on success.</summary>
    public string? ErrorCode { get; }
}
