namespace OidcToken.Failures;

/// <summary>
/// The likely cause and the fix of a refusal by Google's Security Token Service or IAM Credentials API, from Google's
/// error code and description. One rule for the two packages that talk to Google: <c>OidcToken.Google</c> (through
/// Google.Apis.Auth) and <c>OidcToken.Exchange</c> (over plain HTTP, for the AOT-compiled CLI).
/// </summary>
internal static class GoogleRefusals
{
    /// <summary>Explains one refusal.</summary>
    /// <param name="error">Google's code: the OAuth <c>error</c> (STS) or the API <c>status</c> (IAM Credentials).</param>
    /// <param name="description">Google's <c>error_description</c> or <c>message</c>.</param>
    /// <param name="fromIam">True when IAM Credentials (impersonation) refused, false for STS.</param>
    /// <param name="provider">The provider's name, <c>projects/&lt;number&gt;/locations/global/workloadIdentityPools/…</c>.</param>
    /// <param name="serviceAccount">The service account being impersonated, or null.</param>
    /// <param name="audienceSetting">How the caller sets the GitHub token's audience (an option or flag name).</param>
    /// <returns>The cause and the fix, each a sentence.</returns>
    public static (string Cause, string Fix) Explain(string error, string description, bool fromIam, string provider, string? serviceAccount, string audienceSetting)
    {
        if (description.Contains("Invalid value for \"audience\"", StringComparison.OrdinalIgnoreCase)
            || description.Contains("Invalid value for audience", StringComparison.OrdinalIgnoreCase))
        {
            return (
                "the STS audience is not the full resource name of an existing provider.",
                "the STS audience must be '//iam.googleapis.com/projects/<project NUMBER>/locations/global/workloadIdentityPools/<pool>/providers/<provider>' "
                + "(no https:, the project number not its id); check the names with 'gcloud iam workload-identity-pools providers describe'.");
        }

        if (error.Equals("invalid_target", StringComparison.OrdinalIgnoreCase))
        {
            return (
                "the pool or provider does not exist, is disabled or deleted, or was created less than about 5 minutes ago.",
                "check the provider name '" + provider + "' (project NUMBER, pool and provider ids) and that it is enabled; wait a few minutes after creating it.");
        }

        if (description.Contains("attribute condition", StringComparison.OrdinalIgnoreCase))
        {
            return (
                "the provider's attribute condition did not accept this job's token.",
                "compare the provider's attribute condition (gcloud iam workload-identity-pools providers describe … --format='value(attributeCondition)') with the claims below; "
                + "conditions on assertion.repository_id / assertion.repository_owner_id are the robust ones.");
        }

        if (!fromIam && description.Contains("audience", StringComparison.OrdinalIgnoreCase))
        {
            return (
                "the GitHub token's aud is not one the provider accepts.",
                "without allowed audiences the provider accepts 'https://iam.googleapis.com/" + provider
                + "'; otherwise set " + audienceSetting + " to one of the provider's allowed audiences.");
        }

        if (description.Contains("expired", StringComparison.OrdinalIgnoreCase) || description.Contains("stale", StringComparison.OrdinalIgnoreCase))
        {
            return (
                "the GitHub token had expired (they live about 5 minutes) or the clocks disagree.",
                "let the credential fetch a fresh token (do not pass a stored one) and check the runner's clock.");
        }

        if (description.Contains("mapped attribute", StringComparison.OrdinalIgnoreCase))
        {
            return (
                "an attribute mapping produces a value longer than Google's limit (127 bytes).",
                "map a shorter claim (for example assertion.repository_id instead of assertion.sub, or google.subject=assertion.sub only when it fits).");
        }

        if (fromIam && description.Contains("lifetime", StringComparison.OrdinalIgnoreCase))
        {
            return (
                "the requested access-token lifetime is longer than the service account may issue.",
                "ask for at most 3600 seconds, or allow up to 12 hours with the organization policy constraints/iam.allowServiceAccountCredentialLifetimeExtension for '"
                + serviceAccount + "'.");
        }

        if (fromIam
            && (description.Contains("Permission", StringComparison.OrdinalIgnoreCase) || error.Contains("PERMISSION_DENIED", StringComparison.OrdinalIgnoreCase)
                || error.Contains("403", StringComparison.Ordinal) || error.Equals("Forbidden", StringComparison.OrdinalIgnoreCase)))
        {
            return (
                "the federated identity may not impersonate the service account, or the account does not exist.",
                "grant roles/iam.workloadIdentityUser on '" + serviceAccount + "' to principalSet://iam.googleapis.com/projects/<NUMBER>/locations/global/workloadIdentityPools/<pool>/attribute.repository_id/<repository id> "
                + "(bindings take up to 5 minutes to apply), and check the account's email.");
        }

        return (
            "Google's trust configuration does not match this job's token, or the request.",
            "compare the provider's attribute mapping and condition, and the IAM bindings, with the claims below.");
    }
}
