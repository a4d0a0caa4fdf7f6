namespace OidcToken.Testing;

/// <summary>
/// Mints GitHub-shaped ID tokens: every custom claim a JSON string, <c>exp</c>/<c>iat</c>/<c>nbf</c> numbers,
/// members in alphabetical order like GitHub's tokens since 2025.
/// </summary>
internal sealed class TokenMinter
{
    private static readonly string[] ReservedClaims = ["aud", "exp", "iat", "nbf"];

    private readonly SortedDictionary<string, string> _template;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _lifetime;
    private readonly TimeSpan _notBeforeBackdate;
    private readonly SigningKeyRing _keys;

    public TokenMinter(IReadOnlyDictionary<string, string> claims, TimeProvider timeProvider, TimeSpan lifetime, TimeSpan notBeforeBackdate, SigningKeyRing keys)
    {
        _template = new SortedDictionary<string, string>(claims.ToDictionary(), StringComparer.Ordinal);
        _timeProvider = timeProvider;
        _lifetime = lifetime;
        _notBeforeBackdate = notBeforeBackdate;
        _keys = keys;
    }

    public IReadOnlyDictionary<string, string> Template => _template;

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="claims"/> tries to set a claim that is not a free string.</summary>
    public static void ThrowIfReserved(IEnumerable<KeyValuePair<string, string>> claims, string parameterName)
    {
        foreach (var (name, value) in claims)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("A claim name must not be empty.", parameterName);
            }

            if (value is null)
            {
                throw new ArgumentException($"The value of claim '{name}' must not be null.", parameterName);
            }

            if (ReservedClaims.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentException(
                    $"The claim '{name}' cannot be overridden: 'aud' comes from the requested audience and 'exp', 'iat' and 'nbf' from the TimeProvider and lifetimes.",
                    parameterName);
            }
        }
    }

    public string Mint(string audience, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var claims = new SortedDictionary<string, string>(_template, StringComparer.Ordinal)
        {
            ["aud"] = audience,
        };
        claims.TryAdd("jti", Guid.NewGuid().ToString("D"));

        if (overrides is not null)
        {
            foreach (var (name, value) in overrides)
            {
                claims[name] = value;
            }
        }

        var issuedAt = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var expires = issuedAt + (long)Math.Ceiling(_lifetime.TotalSeconds);
        var notBefore = issuedAt - (long)Math.Floor(_notBeforeBackdate.TotalSeconds);
        var numbers = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            ["exp"] = expires,
            ["iat"] = issuedAt,
            ["nbf"] = notBefore,
        };

        var payload = JsonText.Write(writer =>
        {
            writer.WriteStartObject();
            foreach (var name in claims.Keys.Concat(numbers.Keys).Order(StringComparer.Ordinal))
            {
                if (numbers.TryGetValue(name, out var number))
                {
                    writer.WriteNumber(name, number);
                }
                else
                {
                    writer.WriteString(name, claims[name]);
                }
            }

            writer.WriteEndObject();
        });
        var jwt = _keys.SignJwt(payload);
        SecretLedger.Register(jwt, "GitHub ID token");
        return jwt;
    }

    /// <summary>The claims a job described by <paramref name="options"/> gets, before per-token values.</summary>
    public static Dictionary<string, string> BuildTemplate(MockGitHubOidcIssuerOptions options, string issuer)
    {
        var owner = options.Owner;
        var repository = owner + "/" + options.Repository;
        var isPullRequest = string.Equals(options.EventName, "pull_request", StringComparison.Ordinal)
            || string.Equals(options.EventName, "pull_request_target", StringComparison.Ordinal);
        var workflowRef = repository + "/.github/workflows/" + options.WorkflowFile + "@" + options.Ref;
        var refType = options.RefType ?? DeriveRefType(options.Ref);

        var claims = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["iss"] = issuer,
            ["sub"] = SubjectBuilder.Build(owner, options.Repository, options.Environment, options.EventName, options.Ref),
            ["actor"] = options.Actor,
            ["actor_id"] = "583231",
            ["base_ref"] = isPullRequest ? "main" : string.Empty,
            ["check_run_id"] = "10000000001",
            ["event_name"] = options.EventName,
            ["head_ref"] = isPullRequest ? "feature" : string.Empty,
            ["job_workflow_ref"] = workflowRef,
            ["job_workflow_sha"] = options.Sha,
            ["ref"] = options.Ref,
            ["ref_protected"] = "false",
            ["ref_type"] = refType,
            ["repository"] = repository,
            ["repository_id"] = options.RepositoryId,
            ["repository_owner"] = owner,
            ["repository_owner_id"] = options.OwnerId,
            ["repository_visibility"] = options.Visibility,
            ["run_attempt"] = "1",
            ["run_id"] = "9876543210",
            ["run_number"] = "1",
            ["runner_environment"] = options.RunnerEnvironment,
            ["sha"] = options.Sha,
            ["workflow"] = "CI",
            ["workflow_ref"] = workflowRef,
            ["workflow_sha"] = options.Sha,
        };
        if (!string.IsNullOrEmpty(options.Environment))
        {
            claims["environment"] = options.Environment;
        }

        foreach (var (name, value) in options.AdditionalClaims)
        {
            claims[name] = value;
        }

        return claims;
    }

    private static string DeriveRefType(string gitRef) =>
        gitRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? "branch"
        : gitRef.StartsWith("refs/tags/", StringComparison.Ordinal) ? "tag"
        : string.Empty;
}
