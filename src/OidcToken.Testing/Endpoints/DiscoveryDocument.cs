namespace OidcToken.Testing;

/// <summary>The OpenID discovery document, with the same members as GitHub's (fixture 2026-04).</summary>
internal static class DiscoveryDocument
{
    private static readonly string[] ClaimsSupported =
    [
        "sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "sha", "repository", "repository_id",
        "repository_owner", "repository_owner_id", "enterprise", "enterprise_id", "run_id", "run_number",
        "run_attempt", "actor", "actor_id", "workflow", "workflow_ref", "workflow_sha", "head_ref", "base_ref",
        "event_name", "ref_type", "ref_protected", "environment", "environment_node_id", "job_workflow_ref",
        "job_workflow_sha", "repository_visibility", "runner_environment", "issuer_scope", "check_run_id",
    ];

    public static string Build(string issuer, string jwksUri) =>
        JsonText.WriteString(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("issuer", issuer);
            writer.WriteString("jwks_uri", jwksUri);
            WriteArray(writer, "subject_types_supported", ["public", "pairwise"]);
            WriteArray(writer, "response_types_supported", ["id_token"]);
            WriteArray(writer, "claims_supported", ClaimsSupported);
            WriteArray(writer, "id_token_signing_alg_values_supported", ["RS256"]);
            WriteArray(writer, "scopes_supported", ["openid"]);
            writer.WriteEndObject();
        });

    private static void WriteArray(System.Text.Json.Utf8JsonWriter writer, string name, string[] values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
