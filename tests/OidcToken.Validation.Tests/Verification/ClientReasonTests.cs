using System.Security.Cryptography;
using System.Text.Json;
using OidcToken.Validation.Tests.Attacks;
using static OidcToken.Validation.Tests.Attacks.AttackKit;

namespace OidcToken.Validation.Tests.Verifying;

/// <summary>
/// <see cref="GitHubOidcValidationResult.Reason"/> is what a service may send back to the caller: present for every
/// failure, null when valid, and free of the service's configuration (issuer, audience, policy values) and of anything
/// the token carried.
/// </summary>
public sealed class ClientReasonTests
{
    private const string DistinctClaim = "reason-probe-claim-value";

    public static TheoryData<GitHubOidcValidationFailure> Failures() => [.. Enum.GetValues<GitHubOidcValidationFailure>()];

    /// <summary>A result with <paramref name="failure"/>, the token that produced it and the configured values of its validator.</summary>
    private static async Task<(GitHubOidcValidationResult Result, string Token, string[] Configured)> Produce(GitHubOidcValidationFailure failure)
    {
        var configured = new[] { Issuer, Audience, RepositoryId, "vault.example.com", "token.actions.githubusercontent.com" };
        var t = Now.ToUnixTimeSeconds();
        string Probe(Action<System.Text.Json.Nodes.JsonObject>? claims = null, Action<System.Text.Json.Nodes.JsonObject>? header = null, RSA? key = null) =>
            Token(
                c =>
                {
                    c["x-probe"] = DistinctClaim;
                    claims?.Invoke(c);
                },
                header,
                key);

        async Task<(GitHubOidcValidationResult, string, string[])> Offline(string token, Action<GitHubOidcValidationOptions>? configure = null)
        {
            using var validator = Validator(configure);
            return (await validator.ValidateAsync(token), token, configured);
        }

        switch (failure)
        {
            case GitHubOidcValidationFailure.None:
                return await Offline(Probe());
            case GitHubOidcValidationFailure.Malformed:
                return await Offline(Probe(c => c["azp"] = 42));
            case GitHubOidcValidationFailure.TooLarge:
                return await Offline(Probe(c => c["padding"] = new string('x', 16 * 1024)));
            case GitHubOidcValidationFailure.Encrypted:
                return await Offline(string.Join('.', B64("{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"" + DistinctClaim + "\"}"), string.Empty, B64(new byte[12]), B64(new byte[64]), B64(new byte[16])));
            case GitHubOidcValidationFailure.AlgorithmNotAllowed:
                return await Offline(Probe(header: h => h["alg"] = "HS256-" + DistinctClaim));
            case GitHubOidcValidationFailure.ForbiddenHeader:
                return await Offline(Probe(header: h => h["jku"] = "https://attacker.example/" + DistinctClaim));
            case GitHubOidcValidationFailure.MissingKeyId:
                return await Offline(Probe(header: h => h.Remove("kid")));
            case GitHubOidcValidationFailure.UnknownKey:
                return await Offline(Probe(header: h => h["kid"] = "kid-" + DistinctClaim));
            case GitHubOidcValidationFailure.InvalidSignature:
                return await Offline(Probe(key: OtherKey));
            case GitHubOidcValidationFailure.InvalidIssuer:
                return await Offline(Probe(c => c["iss"] = "https://issuer-" + DistinctClaim + ".example"));
            case GitHubOidcValidationFailure.InvalidAudience:
                return await Offline(Probe(c => c["aud"] = "https://audience-" + DistinctClaim + ".example"));
            case GitHubOidcValidationFailure.Expired:
                return await Offline(Probe(c => { c["exp"] = t - 3600; c["iat"] = t - 3900; c["nbf"] = t - 4200; }));
            case GitHubOidcValidationFailure.NotYetValid:
                return await Offline(Probe(c => { c["nbf"] = t + 3600; c["iat"] = t + 3600; c["exp"] = t + 3900; }));
            case GitHubOidcValidationFailure.MissingExpiration:
                return await Offline(Probe(c => c.Remove("exp")));
            case GitHubOidcValidationFailure.TooOld:
                return await Offline(Probe(c => c["iat"] = t - 3600), o => o.MaxTokenAge = TimeSpan.FromMinutes(2));
            case GitHubOidcValidationFailure.PolicyViolation:
                return await Offline(Probe(c => c["repository_id"] = "987654"));
            case GitHubOidcValidationFailure.Replayed:
            {
                var clock = Clock();
                using var validator = Validator(o =>
                {
                    o.TimeProvider = clock;
                    o.ReplayStore = new InMemoryJtiReplayStore(clock);
                });
                var token = Probe(c => c["jti"] = "jti-" + DistinctClaim);
                AssertAccepted(await validator.ValidateAsync(token));
                return (await validator.ValidateAsync(token), token, configured);
            }

            case GitHubOidcValidationFailure.KeysUnavailable:
            {
                var issuer = $"http://127.0.0.1:{DeadLoopbackPort()}";
                using var validator = new GitHubOidcTokenValidator(new GitHubOidcValidationOptions
                {
                    Issuer = issuer,
                    Audiences = [Audience],
                    Policy = Policy(),
                    TimeProvider = Clock(),
                });
                var token = Probe(c => c["iss"] = issuer);
                return (await validator.ValidateAsync(token), token, [.. configured, issuer, "127.0.0.1"]);
            }

            case GitHubOidcValidationFailure.NonCanonicalEncoding:
            {
                var s = Segments(SignatureAttackTests.CanonicalTokenWithUnusedBits());
                s[2] = NonCanonical(s[2]);
                return await Offline(string.Join('.', s));
            }

            case GitHubOidcValidationFailure.ReplayStoreUnavailable:
                return await Offline(Probe(), o => o.ReplayStore = new FailingReplayStore("TimeoutException", message: "store at redis-" + DistinctClaim));
            default:
                throw new InvalidOperationException($"no way to produce {failure} yet: add one here");
        }
    }

    /// <summary>Every string and number in the token's payload, and its kid (what the caller or an attacker chose).</summary>
    private static IEnumerable<string> TokenValues(string token)
    {
        var values = new List<string>();
        var segments = Segments(token);
        for (var i = 0; i < Math.Min(2, segments.Length); i++)
        {
            if (LenientDecode(segments[i]) is not { } bytes)
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(bytes);
                if (i == 1)
                {
                    Collect(document.RootElement, values);
                }
                else if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("kid", out var kid))
                {
                    Collect(kid, values);
                }
            }
            catch (JsonException)
            {
            }
        }

        return values.Where(v => v.Length > 0);

        static void Collect(JsonElement element, List<string> into)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        Collect(property.Value, into);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item, into);
                    }

                    break;
                case JsonValueKind.String:
                    into.Add(element.GetString()!);
                    break;
                case JsonValueKind.Number:
                    into.Add(element.GetRawText());
                    break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Reason_exists_for_each_failure_and_names_neither_the_configuration_nor_the_token(GitHubOidcValidationFailure failure)
    {
        var (result, token, configured) = await Produce(failure);

        Assert.Equal(failure, result.Failure);
        if (failure == GitHubOidcValidationFailure.None)
        {
            Assert.True(result.IsValid);
            Assert.Null(result.Reason);
            return;
        }

        var reason = result.Reason;
        Assert.NotNull(reason);
        Assert.False(string.IsNullOrWhiteSpace(reason), $"{failure} has no client-safe reason");
        Assert.NotEqual(result.Message, reason);
        foreach (var value in configured.Concat(TokenValues(token)).Append(DistinctClaim))
        {
            Assert.DoesNotContain(value, reason, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(reason, c => char.IsControl(c) || char.IsDigit(c));
    }

    [Fact]
    public async Task Reason_depends_only_on_the_failure()
    {
        using var validator = Validator();
        var first = await validator.ValidateAsync(Token(c => c["aud"] = "https://one.example"));
        var second = await validator.ValidateAsync(Token(c => c["aud"] = new System.Text.Json.Nodes.JsonArray("https://two.example", "https://three.example")));

        Assert.Equal(GitHubOidcValidationFailure.InvalidAudience, first.Failure);
        Assert.Equal(first.Reason, second.Reason);
        Assert.NotEqual(first.Message, second.Message);
    }
}
