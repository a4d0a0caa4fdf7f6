using System.Text.Json;

namespace OidcToken.Testing;

/// <summary>
/// A role trust policy document, evaluated as IAM evaluates one for <c>sts:AssumeRoleWithWebIdentity</c> with a GitHub
/// token: a statement applies when its <c>Action</c> covers the call and its <c>Principal.Federated</c> names the OIDC
/// provider of the token's issuer (<c>arn:aws:iam::&lt;role's account&gt;:oidc-provider/&lt;issuer without scheme&gt;</c>)
/// and all its conditions hold; an applicable <c>Deny</c> refuses, otherwise an applicable <c>Allow</c> admits. Conditions
/// understood: <c>StringEquals</c>, <c>StringLike</c>, <c>StringNotEquals</c>, <c>StringNotLike</c> on the keys
/// <c>&lt;issuer without scheme&gt;:aud</c> and <c>:sub</c>, each value a string or a list (any of them). A condition on
/// another key, or another operator, never holds, as for a key absent from the request context.
/// </summary>
internal sealed class AwsTrustPolicy
{
    private readonly List<Statement> _statements;

    private AwsTrustPolicy(List<Statement> statements) => _statements = statements;

    /// <summary>Parses <paramref name="json"/>.</summary>
    /// <exception cref="ArgumentException">It is not a policy document with a <c>Statement</c>.</exception>
    internal static AwsTrustPolicy Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Statement", out var statementsElement))
            {
                throw new ArgumentException("TrustPolicy must be a JSON policy document with a Statement.", nameof(json));
            }

            var statements = new List<Statement>();
            foreach (var statement in statementsElement.ValueKind == JsonValueKind.Array ? statementsElement.EnumerateArray().ToArray() : [statementsElement])
            {
                var effect = statement.TryGetProperty("Effect", out var e) ? e.GetString() : null;
                var actions = Strings(statement, "Action");
                var federated = statement.TryGetProperty("Principal", out var principal) && principal.ValueKind == JsonValueKind.Object
                    ? Strings(principal, "Federated")
                    : [];
                var conditions = new List<(string Operator, string Key, string[] Values)>();
                if (statement.TryGetProperty("Condition", out var condition) && condition.ValueKind == JsonValueKind.Object)
                {
                    foreach (var op in condition.EnumerateObject())
                    {
                        foreach (var key in op.Value.EnumerateObject())
                        {
                            conditions.Add((op.Name, key.Name, Values(key.Value)));
                        }
                    }
                }

                statements.Add(new Statement(effect ?? string.Empty, actions, federated, conditions));
            }

            return new AwsTrustPolicy(statements);
        }
        catch (JsonException exception)
        {
            throw new ArgumentException("TrustPolicy is not valid JSON: " + exception.Message, nameof(json), exception);
        }
        catch (InvalidOperationException exception)
        {
            throw new ArgumentException("TrustPolicy has an unexpected shape: " + exception.Message, nameof(json), exception);
        }

        static string[] Strings(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var value) ? Values(value) : [];

        static string[] Values(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => value.EnumerateArray().Select(v => v.GetString()!).ToArray(),
            _ => throw new InvalidOperationException("a condition value or principal is neither a string nor a list of strings"),
        };
    }

    /// <summary>Whether the policy lets a token with these claims assume a role of <paramref name="account"/>.</summary>
    internal bool Admits(string account, string? issuer, string? subject, IReadOnlyList<string> audiences)
    {
        if (issuer is null)
        {
            return false;
        }

        var provider = issuer;
        foreach (var scheme in (ReadOnlySpan<string>)["https://", "http://"])
        {
            if (provider.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                provider = provider[scheme.Length..];
                break;
            }
        }

        provider = provider.TrimEnd('/');
        var providerArn = "arn:aws:iam::" + account + ":oidc-provider/" + provider;
        var applicable = _statements
            .Where(s => s.Actions.Any(a => a is "sts:AssumeRoleWithWebIdentity" or "sts:*" or "*"))
            .Where(s => s.Federated.Contains(providerArn, StringComparer.Ordinal))
            .Where(s => s.Conditions.All(c => Holds(c.Operator, c.Key, c.Values)))
            .ToList();
        return !applicable.Any(s => s.Effect == "Deny") && applicable.Any(s => s.Effect == "Allow");

        bool Holds(string op, string key, string[] values)
        {
            IReadOnlyList<string>? context = key == provider + ":sub" ? (subject is null ? [] : [subject])
                : key == provider + ":aud" ? audiences
                : null;
            if (context is null || context.Count == 0)
            {
                return false;
            }

            return op switch
            {
                "StringEquals" => context.Any(v => values.Contains(v, StringComparer.Ordinal)),
                "StringLike" => context.Any(v => values.Any(p => MockAwsSts.StringLike(p, v))),
                "StringNotEquals" => context.All(v => !values.Contains(v, StringComparer.Ordinal)),
                "StringNotLike" => context.All(v => !values.Any(p => MockAwsSts.StringLike(p, v))),
                _ => false,
            };
        }
    }

    private sealed record Statement(string Effect, string[] Actions, string[] Federated, List<(string Operator, string Key, string[] Values)> Conditions);
}
