using System.Text.Json;

namespace OidcToken.Testing;

/// <summary>What <see cref="MockEntraId"/> accepts: the tenant, the app and its one federated identity credential.</summary>
public sealed class MockEntraIdOptions
{
    /// <summary>The tenant id (or domain) accepted in the token path; any other tenant gets AADSTS90002.</summary>
    /// <value>Default <c>00000000-0000-0000-0000-0000000000aa</c>.</value>
    public string TenantId { get; set; } = "00000000-0000-0000-0000-0000000000aa";

    /// <summary>The app's (client) id; any other <c>client_id</c> gets AADSTS700016.</summary>
    /// <value>Default <c>00000000-0000-0000-0000-0000000000bb</c>.</value>
    public string ClientId { get; set; } = "00000000-0000-0000-0000-0000000000bb";

    /// <summary>
    /// The authority host the mock answers for (scheme and host only); requests to any other host are answered
    /// with 404 and counted in <see cref="MockEntraId.UnexpectedRequestCount"/>.
    /// </summary>
    /// <value>Default <c>https://login.microsoftonline.com/</c> (the public cloud).</value>
    public Uri AuthorityHost { get; set; } = new("https://login.microsoftonline.com/");

    /// <summary>The federated credential's issuer; <see langword="null"/> accepts any issuer. A mismatch gets AADSTS700211.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? ExpectedIssuer { get; set; }

    /// <summary>
    /// The federated credential's subject, compared exactly (case-sensitive, like Entra); <see langword="null"/> accepts
    /// any subject. A mismatch gets AADSTS700213, or AADSTS7002138 when it differs only in case.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? ExpectedSubject { get; set; }

    /// <summary>The federated credential's audience; a token without it in <c>aud</c> gets AADSTS700212.</summary>
    /// <value>Default <c>api://AzureADTokenExchange</c>.</value>
    public string ExpectedAudience { get; set; } = "api://AzureADTokenExchange";

    /// <summary>
    /// The <c>expires_in</c> of issued access tokens. MSAL treats a token that expires within 5 minutes as expired,
    /// so a lifetime of 5 minutes or less makes every call ask again (useful to prove refresh).
    /// </summary>
    /// <value>Default 3599 seconds, like Entra's sample. Range 1 second to 1 day.</value>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromSeconds(3599);

    /// <summary>
    /// Sets <see cref="ExpectedIssuer"/>, <see cref="ExpectedSubject"/> and <see cref="ExpectedAudience"/> from a federated
    /// identity credential as <c>az ad app federated-credential create --parameters</c> takes it (what
    /// <c>oidc-token doctor --trust azure</c> prints): <c>{"name","issuer","subject","audiences":[one audience],…}</c>.
    /// </summary>
    /// <param name="parametersJson">The credential's JSON.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException">It is not a JSON object with string <c>issuer</c> and <c>subject</c> and exactly one audience, as Entra requires.</exception>
    public MockEntraIdOptions UseFederatedCredential(string parametersJson)
    {
        ArgumentNullException.ThrowIfNull(parametersJson);
        try
        {
            using var document = JsonDocument.Parse(parametersJson);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("issuer", out var issuer) || issuer.ValueKind != JsonValueKind.String ||
                !root.TryGetProperty("subject", out var subject) || subject.ValueKind != JsonValueKind.String ||
                !root.TryGetProperty("audiences", out var audiences) || audiences.ValueKind != JsonValueKind.Array ||
                audiences.GetArrayLength() != 1 || audiences[0].ValueKind != JsonValueKind.String)
            {
                throw new ArgumentException("A federated identity credential needs string issuer and subject and exactly one audience in audiences.", nameof(parametersJson));
            }

            ExpectedIssuer = issuer.GetString();
            ExpectedSubject = subject.GetString();
            ExpectedAudience = audiences[0].GetString()!;
            return this;
        }
        catch (JsonException exception)
        {
            throw new ArgumentException("The federated identity credential is not valid JSON: " + exception.Message, nameof(parametersJson), exception);
        }
    }

    /// <summary>The clock used for assertion lifetime checks (AADSTS700024) and token expiry.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
