namespace OidcToken.Validation.Tests.RealTokens;

public sealed class RealTokenTests
{
    public static TheoryData<string, string, string, string, string, bool> ValidCases => new()
    {
        // token, jwks, audience, repository_id, an instant inside the window, default audience
        { RealFixtures.TokenA, RealFixtures.JwksA, "https://github.com/varunsh-coder", "433903792", "2022-08-05T01:30:00Z", true },
        { RealFixtures.TokenB, RealFixtures.JwksB, "https://example.com", "957014466", "2025-03-29T12:00:00Z", false },
        { RealFixtures.TokenB, RealFixtures.JwksC, "https://example.com", "957014466", "2025-03-29T17:03:00Z", false },
        { RealFixtures.TokenC, RealFixtures.JwksC, "demo", "1217768983", "2026-04-22T07:55:30Z", false },
        { RealFixtures.TokenC, RealFixtures.JwksB, "demo", "1217768983", "2026-04-22T07:50:00Z", false },
    };

    [Theory]
    [MemberData(nameof(ValidCases))]
    public async Task Real_token_is_valid_with_its_jwks_inside_its_window(string token, string jwks, string audience, string repositoryId, string at, bool defaultAudience)
    {
        using var validator = new GitHubOidcTokenValidator(RealFixtures.Options(jwks, audience, repositoryId, RealFixtures.At(at), defaultAudience));

        var result = await validator.ValidateAsync(RealFixtures.Read(token));

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(GitHubOidcValidationFailure.None, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.None, result.Kind);
        Assert.Null(result.Message);
        Assert.Equal(GitHubIssuers.GitHubCom, result.Claims.Issuer);
        Assert.Equal(repositoryId, result.Claims.RepositoryId);
        Assert.Equal(audience, result.Claims.Audience);
        Assert.NotNull(result.KeyId);
    }

    [Theory]
    [InlineData(RealFixtures.TokenA, RealFixtures.JwksA, "https://github.com/varunsh-coder", "433903792", "2022-08-05T01:36:00Z", "2022-08-05T01:34:53Z")]
    [InlineData(RealFixtures.TokenB, RealFixtures.JwksB, "https://example.com", "957014466", "2025-03-29T17:05:00Z", "2025-03-29T17:03:47Z")]
    [InlineData(RealFixtures.TokenC, RealFixtures.JwksC, "demo", "1217768983", "2026-04-22T08:01:00Z", "2026-04-22T07:59:53Z")]
    public async Task Real_token_after_its_window_is_expired(string token, string jwks, string audience, string repositoryId, string at, string exp)
    {
        using var validator = new GitHubOidcTokenValidator(RealFixtures.Options(jwks, audience, repositoryId, RealFixtures.At(at), allowDefaultAudience: true));

        var result = await validator.ValidateAsync(RealFixtures.Read(token));

        Assert.False(result.IsValid);
        Assert.Equal(GitHubOidcValidationFailure.Expired, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.Invalid, result.Kind);
        Assert.Equal($"the token expired at {exp}, now is {at}, clock skew 60 s: request a fresh token (they live about 5 minutes)", result.Message);
        Assert.Null(result.Claims);
    }

    [Theory]
    [InlineData(RealFixtures.TokenA, RealFixtures.JwksA, "https://github.com/varunsh-coder", "433903792", "2022-08-05T01:18:00Z")]
    [InlineData(RealFixtures.TokenB, RealFixtures.JwksB, "https://example.com", "957014466", "2025-03-29T10:57:00Z")]
    [InlineData(RealFixtures.TokenC, RealFixtures.JwksC, "demo", "1217768983", "2026-04-22T07:48:00Z")]
    public async Task Real_token_before_its_window_is_not_yet_valid(string token, string jwks, string audience, string repositoryId, string at)
    {
        using var validator = new GitHubOidcTokenValidator(RealFixtures.Options(jwks, audience, repositoryId, RealFixtures.At(at), allowDefaultAudience: true));

        var result = await validator.ValidateAsync(RealFixtures.Read(token));

        Assert.Equal(GitHubOidcValidationFailure.NotYetValid, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.Invalid, result.Kind);
        Assert.StartsWith("the token is not valid before ", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clock_skew_extends_the_window_by_exactly_its_length()
    {
        // exp of token C is 07:59:53Z; with 60 s skew it is still valid at 08:00:53Z and expired one second later.
        var time = RealFixtures.At("2026-04-22T08:00:53Z");
        using var validator = new GitHubOidcTokenValidator(RealFixtures.Options(RealFixtures.JwksC, "demo", "1217768983", time));
        Assert.True((await validator.ValidateAsync(RealFixtures.Read(RealFixtures.TokenC))).IsValid);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(GitHubOidcValidationFailure.Expired, (await validator.ValidateAsync(RealFixtures.Read(RealFixtures.TokenC))).Failure);
    }

    [Fact]
    public async Task Request_token_is_not_an_id_token_and_fails_on_audience()
    {
        var options = RealFixtures.Options(RealFixtures.JwksB, "https://example.com", "957014466", RealFixtures.At("2025-03-06T18:00:00Z"));
        using var validator = new GitHubOidcTokenValidator(options);

        var result = await validator.ValidateAsync(RealFixtures.Read(RealFixtures.TokenD));

        Assert.Equal(GitHubOidcValidationFailure.InvalidAudience, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.Invalid, result.Kind);
        Assert.StartsWith("audience was 'vso:41206c13-3753-48d7-9536-aa5f7bc1e88b', expected 'https://example.com'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_token_with_its_own_audience_still_fails_the_policy()
    {
        var options = RealFixtures.Options(RealFixtures.JwksB, "vso:41206c13-3753-48d7-9536-aa5f7bc1e88b", "957014466", RealFixtures.At("2025-03-06T18:00:00Z"));
        using var validator = new GitHubOidcTokenValidator(options);

        var result = await validator.ValidateAsync(RealFixtures.Read(RealFixtures.TokenD));

        Assert.Equal(GitHubOidcValidationFailure.PolicyViolation, result.Failure);
        Assert.Equal("repository_id was missing, expected '957014466'", result.Message);
    }

    [Fact]
    public async Task Token_C_against_JWKS_A_is_an_unknown_key()
    {
        using var validator = new GitHubOidcTokenValidator(RealFixtures.Options(RealFixtures.JwksA, "demo", "1217768983", RealFixtures.At("2026-04-22T07:55:30Z")));

        var result = await validator.ValidateAsync(RealFixtures.Read(RealFixtures.TokenC));

        Assert.Equal(GitHubOidcValidationFailure.UnknownKey, result.Failure);
        Assert.Equal(GitHubOidcFailureKind.Invalid, result.Kind);
        Assert.Equal("38826b17-6a30-5f9b-b169-8beb8202f723", result.KeyId);
        Assert.Contains("38826b17-6a30-5f9b-b169-8beb8202f723", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_A_against_JWKS_C_is_an_unknown_key()
    {
        using var validator = new GitHubOidcTokenValidator(RealFixtures.Options(RealFixtures.JwksC, "https://github.com/varunsh-coder", "433903792", RealFixtures.At("2022-08-05T01:30:00Z"), allowDefaultAudience: true));

        Assert.Equal(GitHubOidcValidationFailure.UnknownKey, (await validator.ValidateAsync(RealFixtures.Read(RealFixtures.TokenA))).Failure);
    }

    [Fact]
    public async Task One_changed_payload_character_breaks_the_real_signature()
    {
        var token = RealFixtures.Read(RealFixtures.TokenC);
        var parts = token.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        var tampered = payload.Replace("\"workflow_dispatch\"", "\"workflow_dispatcH\"", StringComparison.Ordinal);
        Assert.NotEqual(payload, tampered);
        var forged = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(tampered)) + "." + parts[2];
        using var validator = new GitHubOidcTokenValidator(RealFixtures.Options(RealFixtures.JwksC, "demo", "1217768983", RealFixtures.At("2026-04-22T07:55:30Z")));

        var result = await validator.ValidateAsync(forged);

        Assert.Equal(GitHubOidcValidationFailure.InvalidSignature, result.Failure);
        Assert.DoesNotContain(parts[2], result.Message!, StringComparison.Ordinal);
        Assert.DoesNotContain(parts[2], result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_audience_of_token_A_is_refused_at_construction_unless_opted_in()
    {
        var options = RealFixtures.Options(RealFixtures.JwksA, "https://github.com/varunsh-coder", "433903792", RealFixtures.At("2022-08-05T01:30:00Z"));

        var error = Assert.ThrowsAny<ArgumentException>(() => new GitHubOidcTokenValidator(options));

        Assert.Contains("'https://github.com/varunsh-coder', GitHub's default audience", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowDefaultAudience", error.Message, StringComparison.Ordinal);
        options.AllowDefaultAudience = true;
        using var validator = new GitHubOidcTokenValidator(options);
        Assert.True((await validator.ValidateAsync(RealFixtures.Read(RealFixtures.TokenA))).IsValid);
    }

    [Fact]
    public async Task Real_claims_are_typed_from_the_verified_payload()
    {
        using var validator = new GitHubOidcTokenValidator(RealFixtures.Options(RealFixtures.JwksC, "demo", "1217768983", RealFixtures.At("2026-04-22T07:55:30Z")));

        var result = await validator.ValidateAsync(RealFixtures.Read(RealFixtures.TokenC));

        Assert.True(result.IsValid);
        Assert.Equal("repo:marchenko1985/github_oidc_token_demo:ref:refs/heads/main", result.Claims.Subject);
        Assert.Equal("88868", result.Claims.RepositoryOwnerId);
        Assert.Equal("workflow_dispatch", result.Claims.EventName);
        Assert.False(result.Claims.RefProtected);
        Assert.Equal(DateTimeOffset.Parse("2026-04-22T07:59:53Z", System.Globalization.CultureInfo.InvariantCulture), result.Claims.ExpiresAt);
        Assert.DoesNotContain(RealFixtures.Read(RealFixtures.TokenC), result.ToString(), StringComparison.Ordinal);
    }
}
