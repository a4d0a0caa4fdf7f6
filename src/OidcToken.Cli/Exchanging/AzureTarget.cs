using System.CommandLine;
using Azure.Identity;
using OidcToken.Azure;

namespace OidcToken.Cli.Exchanging;

/// <summary>
/// <c>oidc-token exchange azure --tenant-id T --client-id C [--subscription-id S] [--scope S]</c>: a Microsoft Entra access
/// token through workload identity federation (OidcToken.Azure on Azure.Identity). Prints AZURE_ACCESS_TOKEN with
/// AZURE_CLIENT_ID, AZURE_TENANT_ID and (when given) AZURE_SUBSCRIPTION_ID, the variables Azure SDKs and the Azure CLI read.
/// </summary>
internal static class AzureTarget
{
    /// <summary>The default scope: Azure Resource Manager, as azure/login uses.</summary>
    internal const string DefaultScope = "https://management.azure.com/.default";

    internal static Command Create(CliContext context)
    {
        var tenantId = new Option<string?>("--tenant-id")
        {
            Description = "The Microsoft Entra tenant (directory) id. Required; default: AZURE_TENANT_ID.",
        };
        var clientId = new Option<string?>("--client-id")
        {
            Description = "The application (client) id, or user-assigned managed identity client id, holding the federated credential. Required; default: AZURE_CLIENT_ID.",
        };
        var subscriptionId = new Option<string?>("--subscription-id")
        {
            Description = "The Azure subscription id (a GUID) exported as AZURE_SUBSCRIPTION_ID for the steps that follow; not sent to Entra. Default: AZURE_SUBSCRIPTION_ID, else none.",
        };
        var scope = new Option<string?>("--scope")
        {
            Description = "The scope of the access token, one resource's /.default. Default: " + DefaultScope + ".",
        };

        return ExchangeCommand.CreateTarget(
            "azure",
            "A Microsoft Entra access token through workload identity federation: exports AZURE_ACCESS_TOKEN (a bearer token for the --scope resource; it expires in about an hour) " +
            "with AZURE_CLIENT_ID, AZURE_TENANT_ID and, when given, AZURE_SUBSCRIPTION_ID, where Azure SDKs and the Azure CLI look for them.",
            context,
            "The Entra authority host for a sovereign or private cloud, e.g. https://login.microsoftonline.us/ (https only: Azure.Identity refuses anything else). Default: the public cloud.",
            "The aud of the GitHub token; it must equal the federated credential's audience. Default: api://AzureADTokenExchange (the sovereign clouds' own for their authority hosts).",
            [tenantId, clientId, subscriptionId, scope],
            (parseResult, inputs) =>
            {
                var environment = inputs.Context.Environment;
                var tenant = NonEmpty(parseResult.GetValue(tenantId)) ?? NonEmpty(environment("AZURE_TENANT_ID"));
                var client = NonEmpty(parseResult.GetValue(clientId)) ?? NonEmpty(environment("AZURE_CLIENT_ID"));
                if (tenant is null)
                {
                    inputs.Problems.Add("--tenant-id is required (or AZURE_TENANT_ID): the Microsoft Entra tenant that holds the app registration.");
                }

                if (client is null)
                {
                    inputs.Problems.Add("--client-id is required (or AZURE_CLIENT_ID): the app (client) id whose federated credential trusts this repository.");
                }

                var subscription = NonEmpty(parseResult.GetValue(subscriptionId));
                var subscriptionFlag = subscription is not null;
                subscription ??= NonEmpty(environment("AZURE_SUBSCRIPTION_ID"));
                if (subscription is not null && !Guid.TryParseExact(subscription, "D", out _))
                {
                    inputs.Problems.Add((subscriptionFlag ? "--subscription-id '" : "AZURE_SUBSCRIPTION_ID '") + Output.TextFormat.Safe(subscription) +
                                        "' is not a subscription id: give the GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) shown by 'az account show --query id' " +
                                        "or on the subscription's page in the Azure portal.");
                }

                var scopeValue = parseResult.GetValue(scope);
                if (scopeValue is not null && string.IsNullOrWhiteSpace(scopeValue))
                {
                    inputs.Problems.Add("--scope must not be empty; omit it for " + DefaultScope + ".");
                }

                if (inputs.Endpoint is { } authority && authority.Scheme != Uri.UriSchemeHttps)
                {
                    inputs.Problems.Add("--endpoint must be an https authority host: Azure.Identity accepts no other, not even on loopback.");
                }

                if (tenant is null || client is null || inputs.Problems.Count > 0)
                {
                    return null;
                }

                var options = new GitHubActionsCredentialOptions { TenantId = tenant, ClientId = client };
                if (inputs.Endpoint is { } host)
                {
                    options.AuthorityHost = host;

                    // MSAL discovers only the well-known clouds' instances; any other authority (Azure Stack, a private
                    // cloud) must skip instance discovery or every request fails before reaching it.
                    options.DisableInstanceDiscovery = !IsWellKnown(host);
                }

                if (inputs.Audience is { } audience)
                {
                    options.Audience = audience;
                }

                if (inputs.Context.AzureTransport is { } transport)
                {
                    options.Transport = transport;
                }

                var scopes = new[] { scopeValue?.Trim() ?? DefaultScope };
                return async (source, cancellationToken) =>
                {
                    var token = await GitHubActionsCredential.GetTokenAsync(source, options, scopes, cancellationToken).ConfigureAwait(false);
                    List<OutputVariable> variables =
                    [
                        new("AZURE_ACCESS_TOKEN", token.RevealToken(), secret: true),
                        new("AZURE_CLIENT_ID", token.ClientId, secret: false),
                        new("AZURE_TENANT_ID", token.TenantId, secret: false),
                    ];
                    List<StepOutput> outputs =
                    [
                        new("azure-client-id", token.ClientId),
                        new("azure-tenant-id", token.TenantId),
                    ];
                    if (subscription is not null)
                    {
                        variables.Add(new("AZURE_SUBSCRIPTION_ID", subscription, secret: false));
                        outputs.Add(new("azure-subscription-id", subscription));
                    }

                    outputs.Add(new("azure-expiration", ExchangeCommand.Instant(token.ExpiresOn)));
                    return new ExchangeOutcome(
                        variables,
                        json =>
                        {
                            json.WriteString("token_type", token.TokenType);
                            json.WriteString("expires_at", ExchangeCommand.Instant(token.ExpiresOn));
                            if (token.RefreshOn is { } refresh)
                            {
                                json.WriteString("refresh_at", ExchangeCommand.Instant(refresh));
                            }

                            json.WriteStartArray("scopes");
                            foreach (var item in token.Scopes)
                            {
                                json.WriteStringValue(item);
                            }

                            json.WriteEndArray();
                            json.WriteString("tenant_id", token.TenantId);
                            json.WriteString("client_id", token.ClientId);
                            if (subscription is not null)
                            {
                                json.WriteString("subscription_id", subscription);
                            }
                        },
                        outputs: outputs);
                };
            });
    }

    private static bool IsWellKnown(Uri host) =>
        new[] { AzureAuthorityHosts.AzurePublicCloud, AzureAuthorityHosts.AzureGovernment, AzureAuthorityHosts.AzureChina }
            .Any(known => string.Equals(known.Host, host.Host, StringComparison.OrdinalIgnoreCase));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
