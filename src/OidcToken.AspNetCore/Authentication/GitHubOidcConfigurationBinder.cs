using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OidcToken.Validation;

namespace OidcToken.AspNetCore;

/// <summary>
/// Binds a scheme's options from <c>Authentication:Schemes:&lt;scheme&gt;</c>, before the application's own delegate runs.
/// Read by hand (no reflection binder, so trimming and NativeAOT keep working): the scalar settings by their option
/// names (time spans as <c>hh:mm:ss</c>), <c>Audiences</c> as an array, and a <c>Policy</c> section whose keys are the
/// rules of <see cref="GitHubClaimPolicyBuilder"/> (<c>RepositoryId</c>, <c>OwnerId</c>, <c>Repository</c>, <c>Owner</c>,
/// <c>Ref</c>, <c>RequireProtectedRef</c>, <c>Environment</c>, <c>AllowEvents</c>, <c>DenyEvents</c>,
/// <c>JobWorkflowRef</c>, <c>WorkflowRef</c>, <c>RunnerEnvironment</c>, <c>Subjects</c>, <c>AllowAnyRepository</c>).
/// </summary>
internal sealed class GitHubOidcConfigurationBinder(IAuthenticationConfigurationProvider configuration) : IConfigureNamedOptions<GitHubOidcAuthenticationOptions>
{
    public void Configure(GitHubOidcAuthenticationOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, GitHubOidcAuthenticationOptions options)
    {
        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        var section = configuration.GetSchemeConfiguration(name);
        if (!section.GetChildren().Any())
        {
            return;
        }

        var where = "Authentication:Schemes:" + name;
        options.Issuer = section["Issuer"] ?? options.Issuer;
        options.AcceptEnterpriseSlugIssuer = Bool(section, "AcceptEnterpriseSlugIssuer", where) ?? options.AcceptEnterpriseSlugIssuer;
        options.AllowDefaultAudience = Bool(section, "AllowDefaultAudience", where) ?? options.AllowDefaultAudience;
        if (List(section, "Audiences") is { } audiences)
        {
            options.Audiences = audiences;
        }

        options.ClockSkew = Span(section, "ClockSkew", where) ?? options.ClockSkew;
        options.MaxTokenAge = Span(section, "MaxTokenAge", where) ?? options.MaxTokenAge;
        options.RefreshInterval = Span(section, "RefreshInterval", where) ?? options.RefreshInterval;
        options.AutomaticRefreshInterval = Span(section, "AutomaticRefreshInterval", where) ?? options.AutomaticRefreshInterval;
        options.RetryAfter = Span(section, "RetryAfter", where) ?? options.RetryAfter;
        if (section["MaxTokenLength"] is { } length)
        {
            options.MaxTokenLength = int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Bad(where, "MaxTokenLength", length, "a whole number such as 16384");
        }

        var policy = section.GetSection("Policy");
        if (policy.GetChildren().Any())
        {
            options.Policy = BuildPolicy(policy, where + ":Policy");
        }
    }

    private static GitHubClaimPolicy BuildPolicy(IConfigurationSection section, string where)
    {
        var builder = GitHubClaimPolicy.CreateBuilder();
        Text(section, "RepositoryId", v => builder.RepositoryId(v));
        Text(section, "OwnerId", v => builder.OwnerId(v));
        Text(section, "Repository", v => builder.Repository(v));
        Text(section, "Owner", v => builder.Owner(v));
        Text(section, "Ref", v => builder.Ref(v));
        Text(section, "Environment", v => builder.Environment(v));
        Text(section, "JobWorkflowRef", v => builder.JobWorkflowRef(v));
        Text(section, "WorkflowRef", v => builder.WorkflowRef(v));
        Text(section, "RunnerEnvironment", v => builder.RunnerEnvironment(v));
        if (List(section, "AllowEvents") is { Count: > 0 } allowed)
        {
            builder.AllowEvents([.. allowed]);
        }

        if (List(section, "DenyEvents") is { Count: > 0 } denied)
        {
            builder.DenyEvents([.. denied]);
        }

        foreach (var subject in List(section, "Subjects") ?? [])
        {
            builder.Subject(subject);
        }

        if (Bool(section, "RequireProtectedRef", where) == true)
        {
            builder.RequireProtectedRef();
        }

        if (Bool(section, "AllowAnyRepository", where) == true)
        {
            builder.AllowAnyRepository();
        }

        return builder.Build();
    }

    private static void Text(IConfigurationSection section, string key, Action<string> apply)
    {
        if (section[key] is { } value)
        {
            apply(value);
        }
    }

    private static List<string>? List(IConfiguration section, string key)
    {
        var child = section.GetSection(key);
        if (child.Value is { } single)
        {
            return [single];
        }

        var items = child.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        return items.Count == 0 ? null : items;
    }

    private static bool? Bool(IConfiguration section, string key, string where) =>
        section[key] is not { } text ? null
        : bool.TryParse(text, out var value) ? value
        : throw Bad(where, key, text, "true or false");

    private static TimeSpan? Span(IConfiguration section, string key, string where) =>
        section[key] is not { } text ? null
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
        : throw Bad(where, key, text, "a time span such as 00:01:00");

    private static InvalidOperationException Bad(string where, string key, string value, string expected) =>
        new($"Configuration {where}:{key} is '{value}': use {expected}.");
}
