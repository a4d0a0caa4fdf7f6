using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace OidcToken.Testing;

/// <summary>
/// A test double of the npm registry's trusted publishing exchange on 127.0.0.1:
/// <c>POST /-/npm/v1/oidc/token/exchange/package/{escaped name}</c> with <c>Authorization: Bearer &lt;GitHub JWT&gt;</c> and no
/// body, answering <c>201 {"token"}</c>; refusals use npm's <c>{"message"}</c> (404 <c>OIDC token exchange error - package not found</c>,
/// 403 <c>OIDC permission denied for this action</c>). The audience must be <c>npm:127.0.0.1</c>. Presented tokens are
/// decoded, not signature-checked.
/// </summary>
public sealed class MockNpmRegistry : MockHttpTarget<MockHttpTargetRequest>
{
    private const string ExchangePrefix = "/-/npm/v1/oidc/token/exchange/package/";
    private readonly ConcurrentDictionary<string, byte> _packages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);

    private MockNpmRegistry()
    {
    }

    /// <summary>The registry URL to give an exchange: <see cref="MockHttpTarget.BaseAddress"/>.</summary>
    public Uri RegistryUrl => BaseAddress;

    /// <summary>The audience npm derives from this registry: <c>npm:127.0.0.1</c>.</summary>
    public string Audience => "npm:" + BaseAddress.Host;

    /// <summary>The trusted publisher's repository (<c>owner/repo</c>); null (default) accepts any.</summary>
    public string? PublisherRepository { get; set; }

    /// <summary>How many tokens were issued.</summary>
    public int IssuedTokenCount => _tokens.Count;

    /// <summary>Starts the mock registry on 127.0.0.1 with packages that have a trusted publisher.</summary>
    /// <param name="packages">Package names as in package.json (<c>name</c> or <c>@scope/name</c>).</param>
    /// <returns>The running mock; dispose it to stop.</returns>
    [RequiresUnreferencedCode("WireMock.Net uses reflection that trimming can break.")]
    [RequiresDynamicCode("WireMock.Net needs run-time code generation.")]
    public static MockNpmRegistry Start(params string[] packages) => Start(0, null, packages);

    /// <summary>Starts the mock registry on 127.0.0.1 on a given port and clock.</summary>
    /// <param name="port">The port; 0 picks a free one.</param>
    /// <param name="timeProvider">The clock for expiry checks; null for the system clock.</param>
    /// <param name="packages">Package names as in package.json.</param>
    /// <returns>The running mock; dispose it to stop.</returns>
    [RequiresUnreferencedCode("WireMock.Net uses reflection that trimming can break.")]
    [RequiresDynamicCode("WireMock.Net needs run-time code generation.")]
    public static MockNpmRegistry Start(int port, TimeProvider? timeProvider, params string[] packages)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var mock = new MockNpmRegistry();
        foreach (var package in packages)
        {
            mock._packages[package] = 0;
        }

        mock.Host = HttpTargetHost.Start(port, timeProvider, mock.Handle);
        return mock;
    }

    /// <summary>npm's error shape: <paramref name="statusCode"/> with <c>{"message":"…"}</c>.</summary>
    /// <param name="statusCode">The status.</param>
    /// <param name="message">The message.</param>
    /// <returns>A fault for <see cref="MockHttpTarget.FailNextRequests"/>.</returns>
    public static MockHttpTargetFault Error(int statusCode, string message) => MockHttpTargetFault.Status(statusCode, ErrorBody(message));

    /// <summary>Which package <paramref name="token"/> was issued for, or null when this mock did not issue it.</summary>
    /// <param name="token">An npm token.</param>
    /// <returns>The package name.</returns>
    public string? PackageOf(string token) => _tokens.TryGetValue(token, out var package) ? package : null;

    private static string ErrorBody(string message) => HttpTargetHost.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("message", message);
        w.WriteEndObject();
    });

    private TargetAnswer Handle(TargetCall call)
    {
        if (call.Method != "POST" || !call.Path.StartsWith(ExchangePrefix, StringComparison.Ordinal))
        {
            return TargetAnswer.Json(404, ErrorBody("Not Found"));
        }

        var presented = call.ReadToken(call.Bearer());
        if (presented is null || presented.IsExpired(call.Now) || presented.Audience != Audience)
        {
            return TargetAnswer.Json(401, ErrorBody("OIDC token exchange error - invalid token"));
        }

        var escaped = call.Path[ExchangePrefix.Length..];
        var package = Uri.UnescapeDataString(escaped);
        if (escaped.Contains('/', StringComparison.Ordinal) || !_packages.ContainsKey(package))
        {
            return TargetAnswer.Json(404, ErrorBody("OIDC token exchange error - package not found"));
        }

        if (PublisherRepository is { } repository && !string.Equals(presented.Repository, repository, StringComparison.OrdinalIgnoreCase))
        {
            return TargetAnswer.Json(403, ErrorBody("OIDC permission denied for this action"));
        }

        var token = HttpTargetHost.NewSecret("npm_", 36);
        _tokens[token] = package;
        return TargetAnswer.Json(201, HttpTargetHost.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("token", token);
            w.WriteEndObject();
        }));
    }
}
