using System.Text.Json.Nodes;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Attacks;

/// <summary>Correctly signed tokens whose lifetime, issuer, audience or claims are wrong (offline validator, clock fixed at <see cref="AttackKit.Now"/>).</summary>
public sealed class ClaimAttackTests
{
    [Fact]
    public async Task Control_correct_claims_are_accepted()
    {
        using var validator = Validator();
        AssertAccepted(await validator.ValidateAsync(ValidToken()));
    }

    [Fact]
    public async Task Control_expired_within_the_clock_skew_is_accepted()
    {
        using var validator = Validator();
        var t = Now.ToUnixTimeSeconds();
        AssertAccepted(await validator.ValidateAsync(Token(c => { c["exp"] = t - 30; c["iat"] = t - 330; })));
    }

    [Theory]
    [InlineData(61)]
    [InlineData(3600)]
    [InlineData(1_000_000_000)]
    public async Task Expired_token_is_refused(long secondsAgo)
    {
        using var validator = Validator();
        var t = Now.ToUnixTimeSeconds();
        var token = Token(c => { c["exp"] = t - secondsAgo; c["iat"] = t - secondsAgo - 300; c["nbf"] = t - secondsAgo - 600; });
        var result = await validator.ValidateAsync(token);
        AssertRejected(result, GitHubOidcValidationFailure.Expired, token);
    }

    [Fact]
    public async Task Token_expires_when_the_fake_clock_moves_past_exp_plus_skew()
    {
        var clock = Clock();
        using var validator = Validator(o => o.TimeProvider = clock);
        var token = ValidToken(); // exp = Now + 295 s
        AssertAccepted(await validator.ValidateAsync(token));
        clock.Advance(TimeSpan.FromSeconds(295 + 60 + 1));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.Expired, token);
    }

    [Theory]
    [InlineData(61)]
    [InlineData(86_400)]
    public async Task Not_yet_valid_token_is_refused(long secondsAhead)
    {
        using var validator = Validator();
        var t = Now.ToUnixTimeSeconds();
        var token = Token(c => { c["nbf"] = t + secondsAhead; c["iat"] = t + secondsAhead; c["exp"] = t + secondsAhead + 300; });
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.NotYetValid, token);
    }

    [Fact]
    public async Task Control_not_before_within_the_clock_skew_is_accepted()
    {
        using var validator = Validator();
        var t = Now.ToUnixTimeSeconds();
        AssertAccepted(await validator.ValidateAsync(Token(c => { c["nbf"] = t + 30; c["iat"] = t + 30; c["exp"] = t + 330; })));
    }

    [Fact]
    public async Task Missing_exp_is_refused()
    {
        using var validator = Validator();
        var token = Token(c => c.Remove("exp"));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.MissingExpiration, token);
    }

    [Theory]
    [InlineData("https://token.actions.githubusercontent.com/")]
    [InlineData("https://token.actions.githubusercontent.com.attacker.example")]
    [InlineData("https://token.actions.githubusercontent.comx")]
    [InlineData("https://token.actions.githubusercontent.com/octo-enterprise")]
    [InlineData("https://token.actions.githubusercontent.com:443")]
    [InlineData("https://token.actions.githubusercontent.com#")]
    [InlineData("https://token.actions.githubusercontent.com?x")]
    [InlineData(" https://token.actions.githubusercontent.com")]
    [InlineData("https://token.actions.githubusercontent.com ")]
    [InlineData("http://token.actions.githubusercontent.com")]
    [InlineData("HTTPS://TOKEN.ACTIONS.GITHUBUSERCONTENT.COM")]
    [InlineData("https://token.actions.githubusercontent.com\u0000")]
    [InlineData("https://attacker.example")]
    [InlineData("")]
    public async Task Wrong_issuer_is_refused(string iss)
    {
        using var validator = Validator();
        var token = Token(c => c["iss"] = iss);
        var result = await validator.ValidateAsync(token);
        AssertRejected(result, GitHubOidcValidationFailure.InvalidIssuer, token);
        Assert.Contains(GitHubIssuers.GitHubCom, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_issuer_is_refused()
    {
        using var validator = Validator();
        var token = Token(c => c.Remove("iss"));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidIssuer, token);
    }

    [Fact]
    public async Task Enterprise_slug_issuer_is_refused_without_the_opt_in_and_accepted_with_it()
    {
        var token = Token(c => c["iss"] = GitHubIssuers.GitHubCom + "/octo-enterprise");
        using (var strict = Validator())
        {
            AssertRejected(await strict.ValidateAsync(token), GitHubOidcValidationFailure.InvalidIssuer, token);
        }

        using var slugs = Validator(o => o.AcceptEnterpriseSlugIssuer = true);
        AssertAccepted(await slugs.ValidateAsync(token));
        AssertAccepted(await slugs.ValidateAsync(ValidToken()));

        // Only ONE extra segment of [A-Za-z0-9-]: nothing else rides on the opt-in.
        foreach (var iss in new[]
        {
            GitHubIssuers.GitHubCom + "/octo-enterprise/",
            GitHubIssuers.GitHubCom + "/a/b",
            GitHubIssuers.GitHubCom + "/",
            GitHubIssuers.GitHubCom + "/octo_enterprise",
            GitHubIssuers.GitHubCom + "/octo.enterprise",
            GitHubIssuers.GitHubCom + "/..",
            GitHubIssuers.GitHubCom + "octo-enterprise",
            GitHubIssuers.GitHubCom + ".attacker.example/octo-enterprise",
        })
        {
            var bad = Token(c => c["iss"] = iss);
            AssertRejected(await slugs.ValidateAsync(bad), GitHubOidcValidationFailure.InvalidIssuer, bad);
        }
    }

    [Theory]
    [InlineData("https://vault.example.com/")]
    [InlineData("https://VAULT.example.com")]
    [InlineData("https://vault.example.com.attacker.example")]
    [InlineData("https://vault.example")]
    [InlineData("https://github.com/octo-org")]
    [InlineData("")]
    public async Task Wrong_audience_is_refused(string aud)
    {
        using var validator = Validator();
        var token = Token(c => c["aud"] = aud);
        var result = await validator.ValidateAsync(token);
        AssertRejected(result, GitHubOidcValidationFailure.InvalidAudience, token);
        Assert.Contains(Audience, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audience_array_without_ours_is_refused()
    {
        using var validator = Validator();
        var token = Token(c => c["aud"] = new JsonArray("https://a.example", "https://b.example"));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidAudience, token);
    }

    [Fact]
    public async Task Missing_audience_is_refused()
    {
        using var validator = Validator();
        var token = Token(c => c.Remove("aud"));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.InvalidAudience, token);
    }

    [Theory]
    [InlineData("repository_id", "456780")]
    [InlineData("repository_id", "0456789")]
    [InlineData("repository_id", "456789 ")]
    [InlineData("repository_id", "")]
    public async Task Claim_outside_the_policy_is_refused(string claim, string value)
    {
        using var validator = Validator();
        var token = Token(c => c[claim] = value);
        var result = await validator.ValidateAsync(token);
        AssertRejected(result, GitHubOidcValidationFailure.PolicyViolation, token);
        Assert.Contains(claim, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Numeric_repository_id_is_refused_because_GitHub_sends_strings()
    {
        using var validator = Validator();
        var token = Token(c => c["repository_id"] = 456789);
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.PolicyViolation, token);
    }

    [Fact]
    public async Task Missing_policy_claim_is_refused()
    {
        using var validator = Validator();
        var token = Token(c => c.Remove("repository_id"));
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.PolicyViolation, token);
    }

    [Fact]
    public async Task Token_older_than_MaxTokenAge_is_refused_and_a_fresh_one_accepted()
    {
        using var validator = Validator(o => o.MaxTokenAge = TimeSpan.FromMinutes(2));
        var t = Now.ToUnixTimeSeconds();
        var old = Token(c => { c["iat"] = t - 181 - 60; c["nbf"] = t - 241; c["exp"] = t + 100; });
        AssertRejected(await validator.ValidateAsync(old), GitHubOidcValidationFailure.TooOld, old);
        AssertAccepted(await validator.ValidateAsync(ValidToken()));
    }

    [Fact]
    public async Task Iat_a_day_in_the_future_is_refused_as_not_yet_valid_with_MaxTokenAge()
    {
        using var validator = Validator(o => o.MaxTokenAge = TimeSpan.FromMinutes(5));
        var token = Token(c => c["iat"] = Now.ToUnixTimeSeconds() + 86_400);
        var result = await validator.ValidateAsync(token);
        AssertRejected(result, GitHubOidcValidationFailure.NotYetValid, token);
        Assert.Contains("in the future", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Iat_and_exp_at_the_end_of_year_9999_are_refused_with_MaxTokenAge()
    {
        using var validator = Validator(o => o.MaxTokenAge = TimeSpan.FromMinutes(5));
        var token = Token(c => { c["iat"] = 253402300799L; c["exp"] = 253402300799L; });
        AssertRejected(await validator.ValidateAsync(token), GitHubOidcValidationFailure.NotYetValid, token);
    }

    [Theory]
    [InlineData(60, true)]
    [InlineData(61, false)]
    public async Task Iat_ahead_of_the_clock_is_accepted_within_the_clock_skew_only_with_MaxTokenAge(long secondsAhead, bool accepted)
    {
        using var validator = Validator(o => o.MaxTokenAge = TimeSpan.FromMinutes(5));
        var token = Token(c => c["iat"] = Now.ToUnixTimeSeconds() + secondsAhead);
        var result = await validator.ValidateAsync(token);
        if (accepted)
        {
            AssertAccepted(result);
        }
        else
        {
            AssertRejected(result, GitHubOidcValidationFailure.NotYetValid, token);
        }
    }

    [Fact]
    public async Task Without_MaxTokenAge_iat_is_not_checked_so_a_future_iat_is_accepted()
    {
        // iat only matters for the token's age: without MaxTokenAge exp and nbf alone decide, even for an iat after exp.
        using var validator = Validator();
        AssertAccepted(await validator.ValidateAsync(Token(c => c["iat"] = Now.ToUnixTimeSeconds() + 86_400)));
        AssertAccepted(await validator.ValidateAsync(Token(c => { c["iat"] = 253402300799L; c["exp"] = 253402300799L; })));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[\"octo-org\"]")]
    [InlineData("{\"azp\":\"octo-org\"}")]
    public async Task Azp_of_another_JSON_type_than_string_is_malformed(string json)
    {
        using var validator = Validator();
        var token = Token(c => c["azp"] = JsonNode.Parse(json));
        var result = await validator.ValidateAsync(token);
        AssertRejected(result, GitHubOidcValidationFailure.Malformed, token);
        Assert.Contains("'azp'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_azp_as_a_string_is_accepted()
    {
        using var validator = Validator();
        AssertAccepted(await validator.ValidateAsync(Token(c => c["azp"] = "octo-org")));
    }
}
