using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OidcToken.Cli.Output;

namespace OidcToken.Cli.Diagnostics;

/// <summary>
/// One trust configuration written by <c>oidc-token doctor --trust</c>: the document (JSON, the only thing on stdout with
/// <c>--format json</c>), what it is, how to apply it, notes and warnings.
/// </summary>
/// <param name="Heading">What the document is, one line.</param>
/// <param name="FileName">The file name the apply commands read the document from.</param>
/// <param name="Document">The configuration, indented JSON without a final newline.</param>
/// <param name="Apply">Commands (and one-line remarks) that apply it, one per line.</param>
/// <param name="Notes">Advice: on stdout with the text format, on stderr with json.</param>
/// <param name="Warnings">What the configuration admits that the user may not expect; always on stderr.</param>
internal sealed record TrustConfiguration(
    string Heading, string FileName, string Document, IReadOnlyList<string> Apply, IReadOnlyList<string> Notes, IReadOnlyList<string> Warnings);

/// <summary>
/// Writes the trust configuration that admits one job (<see cref="TrustJob"/>) and no other, for each target: conditions on
/// the repository's and owner's ids wherever the target can compare them, on the exact <c>sub</c> where it compares only
/// that (AWS, Entra).
/// </summary>
internal static class TrustConfigurations
{
    /// <summary>The placeholder for the AWS account when <c>--account-id</c> is not given (IAM refuses it, so it cannot be applied by mistake).</summary>
    internal const string AccountPlaceholder = "<ACCOUNT_ID>";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,

        // Not HTML: keep '<', '>', '&', '+' and quotes in ARNs, CEL and URLs readable; control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The configuration for <paramref name="target"/>.</summary>
    /// <param name="target">The target.</param>
    /// <param name="job">The job's facts.</param>
    /// <param name="accountId">The AWS account (12 digits), or null for <see cref="AccountPlaceholder"/>.</param>
    /// <param name="workloadIdentityProvider">The Google provider's normalised resource name, or null for placeholders.</param>
    internal static TrustConfiguration For(TrustTarget target, TrustJob job, string? accountId, string? workloadIdentityProvider) => target switch
    {
        TrustTarget.Aws => Aws(job, accountId),
        TrustTarget.Azure => Azure(job),
        TrustTarget.Gcp => Gcp(job, workloadIdentityProvider),
        _ => Vault(job),
    };

    /// <summary>
    /// <paramref name="value"/> as one POSIX shell word: bare when it holds only characters no shell treats specially,
    /// otherwise in single quotes (inside which nothing is expanded), a quote given as <c>'\''</c>.
    /// </summary>
    internal static string ShellQuote(string value)
    {
        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "_./:=,@+-%".Contains(c, StringComparison.Ordinal)))
        {
            return value;
        }

        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>The text format: heading, the job's facts, the document, how to apply it, notes. Token values are shown terminal-safe.</summary>
    internal static string Text(TrustConfiguration configuration, TrustJob job)
    {
        var text = new StringBuilder();
        text.Append(configuration.Heading).Append('\n');
        Fact("issuer", job.Issuer);
        Fact("audience", job.Audience);
        Fact("subject", job.Subject);
        Fact("repository", job.Claims.Repository is { } repository ? repository + (job.Claims.RepositoryId is { } id ? " (id " + id + ")" : string.Empty) : null);
        Fact("owner", job.Claims.RepositoryOwner is { } owner ? owner + (job.Claims.RepositoryOwnerId is { } ownerId ? " (id " + ownerId + ")" : string.Empty) : null);
        Fact("ref", job.Claims.Ref);
        Fact("environment", job.Claims.Environment);
        Fact("event", job.Claims.EventName);
        if (job.IsReusableWorkflow)
        {
            Fact("workflow_ref", job.Claims.WorkflowRef);
            Fact("job_workflow_ref", job.Claims.JobWorkflowRef);
        }

        text.Append('\n').Append(configuration.FileName).Append(":\n");
        text.Append(configuration.Document).Append('\n');
        text.Append("\nApply:\n");
        foreach (var line in configuration.Apply)
        {
            text.Append("  ").Append(TextFormat.Safe(line)).Append('\n');
        }

        if (configuration.Notes.Count > 0)
        {
            text.Append("\nNotes:\n");
            foreach (var note in configuration.Notes)
            {
                text.Append("  - ").Append(TextFormat.Safe(note)).Append('\n');
            }
        }

        return text.ToString();

        void Fact(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                text.Append("  ").Append(name.PadRight(17)).Append(TextFormat.Safe(value)).Append('\n');
            }
        }
    }

    private static TrustConfiguration Aws(TrustJob job, string? accountId)
    {
        var provider = "arn:aws:iam::" + (accountId ?? AccountPlaceholder) + ":oidc-provider/" + job.IssuerHostPath;
        var document = Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("Version", "2012-10-17");
            json.WriteStartArray("Statement");
            json.WriteStartObject();
            json.WriteString("Effect", "Allow");
            json.WriteStartObject("Principal");
            json.WriteString("Federated", provider);
            json.WriteEndObject();
            json.WriteString("Action", "sts:AssumeRoleWithWebIdentity");
            json.WriteStartObject("Condition");
            json.WriteStartObject("StringEquals");
            json.WriteString(job.IssuerHostPath + ":aud", job.Audience);
            json.WriteString(job.IssuerHostPath + ":sub", job.Subject);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        });

        var notes = new List<string>();
        if (accountId is null)
        {
            notes.Add("Replace " + AccountPlaceholder + " with the role's 12-digit account id, or run again with --account-id.");
        }

        notes.Add("IAM conditions on GitHub's provider see only aud and sub, so the policy compares the exact sub (StringEquals, never StringLike with '*').");
        var warnings = new List<string>();
        SubjectOnlyAdvice(job, "the role", notes, warnings);
        return new TrustConfiguration(
            "AWS IAM role trust policy that admits this job and no other",
            "trust-policy.json",
            document,
            [
                "aws iam update-assume-role-policy --role-name ROLE_NAME --policy-document file://trust-policy.json",
                "(once per account) aws iam create-open-id-connect-provider --url " + ShellQuote(job.Issuer.TrimEnd('/')) + " --client-id-list " + ShellQuote(job.Audience),
            ],
            notes,
            warnings);
    }

    private static TrustConfiguration Azure(TrustJob job)
    {
        var name = CredentialName(job.Subject);
        var document = Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("issuer", job.Issuer);
            json.WriteString("subject", job.Subject);
            json.WriteString("description", "GitHub Actions: " + job.Subject);
            json.WriteStartArray("audiences");
            json.WriteStringValue(job.Audience);
            json.WriteEndArray();
            json.WriteEndObject();
        });

        var notes = new List<string>
        {
            "Entra compares issuer, subject and audience exactly (case-sensitive), so the credential admits only tokens with this sub.",
        };
        var warnings = new List<string>();
        SubjectOnlyAdvice(job, "the credential", notes, warnings);
        return new TrustConfiguration(
            "Entra ID federated identity credential that admits this job and no other",
            "credential.json",
            document,
            [
                "az ad app federated-credential create --id APP_CLIENT_ID --parameters credential.json",
                "(for a user-assigned managed identity) az identity federated-credential create --name " + ShellQuote(name) +
                " --identity-name IDENTITY --resource-group GROUP --issuer " + ShellQuote(job.Issuer) + " --subject " + ShellQuote(job.Subject) +
                " --audiences " + ShellQuote(job.Audience),
            ],
            notes,
            warnings);
    }

    private static TrustConfiguration Gcp(TrustJob job, string? workloadIdentityProvider)
    {
        var conditionClaims = job.ConditionClaims;
        var condition = string.Join(" && ", conditionClaims.Select(c => "assertion." + c.Claim + " == " + CelString(c.Value)));
        var mapping = new List<(string, string)>
        {
            ("google.subject", "assertion.sub"),
            ("attribute.repository_id", "assertion.repository_id"),
            ("attribute.repository_owner_id", "assertion.repository_owner_id"),
            ("attribute.repository", "assertion.repository"),
        };
        var defaultAudience = workloadIdentityProvider is null
            ? job.Audience.StartsWith("https://iam.googleapis.com/projects/", StringComparison.Ordinal)
            : job.Audience == "https://iam.googleapis.com/" + workloadIdentityProvider;
        var document = Json(json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("attributeMapping");
            foreach (var (attribute, expression) in mapping)
            {
                json.WriteString(attribute, expression);
            }

            json.WriteEndObject();
            json.WriteString("attributeCondition", condition);
            json.WriteStartObject("oidc");
            json.WriteString("issuerUri", job.Issuer);
            if (!defaultAudience)
            {
                json.WriteStartArray("allowedAudiences");
                json.WriteStringValue(job.Audience);
                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        });

        string project = "PROJECT_NUMBER", pool = "POOL", providerId = "PROVIDER";
        if (workloadIdentityProvider?.Split('/') is [_, var number, _, _, _, var poolId, _, var id])
        {
            (project, pool, providerId) = (number, poolId, id);
        }

        var principal = "principalSet://iam.googleapis.com/projects/" + project + "/locations/global/workloadIdentityPools/" + pool +
                        (job.HasIds ? "/attribute.repository_id/" + job.Claims.RepositoryId : "/attribute.repository/" + job.Claims.Repository);
        var create = "gcloud iam workload-identity-pools providers create-oidc " + ShellQuote(providerId) + " --project=" + ShellQuote(project) +
                     " --location=global --workload-identity-pool=" + ShellQuote(pool) +
                     " --issuer-uri=" + ShellQuote(job.Issuer) +
                     " --attribute-mapping=" + ShellQuote(string.Join(',', mapping.Select(m => m.Item1 + "=" + m.Item2))) +
                     " --attribute-condition=" + ShellQuote(condition) +
                     (defaultAudience ? string.Empty : " --allowed-audiences=" + ShellQuote(job.Audience));
        var notes = new List<string>
        {
            "The condition admits only tokens of this " + (job.HasIds ? "repository and owner, by id (a renamed or re-created repository does not match)" : "repository and owner, by name") +
            Narrowing(job) + ". Grant roles to the principal set " + principal + " (or to principal://…/subject/<sub> for this exact sub).",
        };
        if (Encoding.UTF8.GetByteCount(job.Subject) > 127)
        {
            notes.Add("sub is longer than the 127 bytes google.subject allows; map google.subject to a shorter claim (assertion.repository_id + ':' + assertion.ref) or shorten the subject template.");
        }

        var warnings = new List<string>();
        CommonWarnings(job, conditionsOnAnyClaim: true, warnings);
        return new TrustConfiguration(
            "Google workload identity provider (attribute mapping and condition) that admits this job and no other",
            "provider.json",
            document,
            [
                create,
                "(or update an existing provider) gcloud iam workload-identity-pools providers update-oidc with the same --attribute-mapping and --attribute-condition",
                "gcloud projects add-iam-policy-binding PROJECT_ID --role=ROLE --member=" + ShellQuote(principal),
            ],
            notes,
            warnings);
    }

    private static TrustConfiguration Vault(TrustJob job)
    {
        var conditionClaims = job.ConditionClaims;
        var userClaim = job.HasIds ? "repository_id" : "repository";
        var document = Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("role_type", "jwt");
            json.WriteString("user_claim", userClaim);
            json.WriteStartArray("bound_audiences");
            json.WriteStringValue(job.Audience);
            json.WriteEndArray();
            json.WriteString("bound_claims_type", "string");
            json.WriteStartObject("bound_claims");
            foreach (var (claim, value) in conditionClaims)
            {
                json.WriteString(claim, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        });

        var notes = new List<string>
        {
            "bound_claims admit only tokens of this " + (job.HasIds ? "repository and owner, by id" : "repository and owner, by name") + Narrowing(job) +
            "; bound_claims_type string compares exactly (glob would make '*' a wildcard).",
            "Add the role's token_policies (and token_ttl) to role.json before writing it.",
        };
        var warnings = new List<string>();
        CommonWarnings(job, conditionsOnAnyClaim: true, warnings);
        return new TrustConfiguration(
            "Vault JWT auth role that admits this job and no other",
            "role.json",
            document,
            [
                "vault write auth/jwt/config oidc_discovery_url=" + ShellQuote(job.Issuer) + " bound_issuer=" + ShellQuote(job.Issuer),
                "vault write auth/jwt/role/ROLE_NAME @role.json",
            ],
            notes,
            warnings);
    }

    /// <summary>What besides the repository the id-based conditions compare, for the notes.</summary>
    private static string Narrowing(TrustJob job)
    {
        var more = job.ConditionClaims.Where(c => c.Claim is "environment" or "ref" or "job_workflow_ref").Select(c => c.Claim + " " + c.Value).ToList();
        return more.Count == 0 ? string.Empty : ", and only with " + string.Join(" and ", more);
    }

    /// <summary>
    /// For targets that compare only <c>sub</c> (AWS, Entra): how to make it carry the ids when it names the repository
    /// by name only, and the warnings.
    /// </summary>
    private static void SubjectOnlyAdvice(TrustJob job, string what, List<string> notes, List<string> warnings)
    {
        // One subject template serves both fixes (ids, and job_workflow_ref for a reusable workflow), so the advice never conflicts.
        string[] keys = job.HasIds
            ? job.IsReusableWorkflow ? ["repository_owner_id", "repository_id", "context", "job_workflow_ref"] : ["repository_owner_id", "repository_id", "context"]
            : ["repo", "context", "job_workflow_ref"];
        if (job.HasIds && job.SubjectNamesRepository && !job.SubjectHasRepositoryId)
        {
            notes.Add(
                "sub names the repository by name only, so a repository created later under this name (after a rename or deletion) would match too. " +
                "To make sub carry the ids, set the repository's subject template, then run this command again for the new sub: " +
                job.SubjectTemplateCommand(keys) +
                " (sub then begins repository_owner_id:" + job.Claims.RepositoryOwnerId + ":repository_id:" + job.Claims.RepositoryId + ":).");
        }

        CommonWarnings(job, conditionsOnAnyClaim: false, warnings, what, keys);
    }

    private static void CommonWarnings(TrustJob job, bool conditionsOnAnyClaim, List<string> warnings, string what = "the configuration", string[]? templateKeys = null)
    {
        if (job.IsReusableWorkflow)
        {
            warnings.Add(
                "this job runs the reusable workflow " + job.Claims.JobWorkflowRef + ", called from " + job.Claims.WorkflowRef +
                ": sub (" + job.Subject + ") describes the caller, not the reusable workflow. " +
                (conditionsOnAnyClaim
                    ? "The configuration also compares job_workflow_ref, so only this reusable workflow at this ref is admitted."
                    : char.ToUpperInvariant(what[0]) + what[1..] + " admits every job of the caller with this sub, whatever workflow it runs; to admit only this reusable workflow, " +
                      "make sub carry job_workflow_ref (" + job.SubjectTemplateCommand(templateKeys ?? ["repo", "context", "job_workflow_ref"]) +
                      ") and run this command again: the condition then compares job_workflow_ref " + job.Claims.JobWorkflowRef + "."));
        }

        if (!conditionsOnAnyClaim && !job.SubjectNamesRepository)
        {
            warnings.Add(
                "sub (" + job.Subject + ") does not name this repository (a custom subject template without repo or repository_id): " +
                what + " admits every repository whose tokens carry the same sub, like a wildcard. Add repository_id to the subject template.");
        }

        if (!conditionsOnAnyClaim && (job.Subject.Contains('*', StringComparison.Ordinal) || job.Subject.Contains('?', StringComparison.Ordinal)))
        {
            warnings.Add(
                "sub contains '*' or '?', which StringLike and glob matching treat as wildcards: keep the exact comparison written here (StringEquals), " +
                "or the trust admits other subjects too.");
        }

        if (job.IsPullRequest && job.Claims.Environment is not { Length: > 0 })
        {
            warnings.Add(
                "the job runs on " + (job.Claims.EventName ?? "pull_request") + " without an environment: " +
                (conditionsOnAnyClaim ? "the condition cannot pin the ref (it changes with every pull request), so it" : "sub ends in :pull_request for every pull request, so " + what) +
                " admits every pull_request job of this repository, whatever its branch or author. " +
                "For deployments, give the job an environment with protection rules and run this again.");
        }

        if (!job.HasIds)
        {
            warnings.Add(
                "the token has no repository_id or repository_owner_id (GitHub Enterprise Server before 3.9): conditions use names, " +
                "which a renamed or re-created repository can take over.");
        }
    }

    /// <summary>A Entra credential name (3-120 characters of letters, digits, '-' and '_', starting with a letter or digit) from the subject.</summary>
    private static string CredentialName(string subject)
    {
        var name = new StringBuilder("github-");
        foreach (var c in subject)
        {
            var keep = char.IsAsciiLetterOrDigit(c) || c == '_';
            if (keep)
            {
                name.Append(c);
            }
            else if (name[^1] != '-')
            {
                name.Append('-');
            }
        }

        var text = name.ToString().TrimEnd('-');
        return text.Length > 120 ? text[..120].TrimEnd('-') : text;
    }

    /// <summary>A CEL string literal: single quotes, with backslash and quote escaped.</summary>
    private static string CelString(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
