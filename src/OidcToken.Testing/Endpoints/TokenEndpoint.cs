using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using WireMock;

namespace OidcToken.Testing;

/// <summary>
/// GitHub's token endpoint: <c>GET &lt;ACTIONS_ID_TOKEN_REQUEST_URL&gt;&amp;audience=…</c> with
/// <c>Authorization: Bearer &lt;ACTIONS_ID_TOKEN_REQUEST_TOKEN&gt;</c> answers <c>{"value":"&lt;jwt&gt;"}</c>.
/// Queued faults take precedence over everything else, including the bearer check.
/// </summary>
internal sealed class TokenEndpoint
{
    private readonly byte[] _requestToken;
    private readonly TokenMinter _minter;
    private readonly string _defaultAudience;
    private readonly string _owner;
    private readonly string _repository;
    private readonly FaultQueue _faults;
    private readonly RequestLogStore _log;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationToken _disposed;

    public TokenEndpoint(
        string requestToken,
        TokenMinter minter,
        string defaultAudience,
        string owner,
        string repository,
        FaultQueue faults,
        RequestLogStore log,
        TimeProvider timeProvider,
        CancellationToken disposed)
    {
        _requestToken = Encoding.UTF8.GetBytes(requestToken);
        _minter = minter;
        _defaultAudience = defaultAudience;
        _owner = owner;
        _repository = repository;
        _faults = faults;
        _log = log;
        _timeProvider = timeProvider;
        _disposed = disposed;
    }

    /// <summary>Told of every request, without secrets (<see cref="MockGitHubOidcIssuerOptions.RequestObserver"/>).</summary>
    public Action<MockIssuerRequest>? Observer { get; init; }

    public async Task<IResponseMessage> RespondAsync(HttpContext context, string path, Uri baseAddress)
    {
        if (_disposed.IsCancellationRequested)
        {
            // The web host may still take a request while it stops (WireMock's Stop does not wait for it): a disposed
            // issuer issues nothing.
            return await TargetAnswer.Json(503, "{\"message\":\"the mock issuer was disposed\"}").SendAsync(context, CancellationToken.None).ConfigureAwait(false);
        }

        var http = context.Request;
        var receivedAt = _timeProvider.GetUtcNow();
        var rawQuery = http.QueryString.Value ?? string.Empty;
        var requestedAudience = QueryString.First(rawQuery, "audience");
        var audience = string.IsNullOrEmpty(requestedAudience) ? _defaultAudience : requestedAudience;
        var hasAuthorization = http.Headers.ContainsKey("Authorization");
        var validBearer = IsValidBearer(http.Headers.Authorization);

        // The call's Audience is the audience the request asked for (or the default): what GitHub's refusal names.
        var call = new TargetCall(http.Method, path, http.Headers, string.Empty, receivedAt, baseAddress, null, c => _faults.TakeNext(c.Path))
        {
            Audience = audience,
        };
        var fault = call.TakeFault();
        var answer = fault switch
        {
            null => Serve(validBearer, audience),
            { ReplacesAnswer: true } => TargetAnswer.FromFault(fault, call),
            { Shape: MockHttpTargetFault.FaultShape.Delay } => TargetAnswer.FromFault(fault, call, Serve(validBearer, audience)),
            { Shape: MockHttpTargetFault.FaultShape.EmptyResponse } => TargetAnswer.FromFault(fault, call),

            // Faults that garble a successful answer take precedence over the bearer check and the audience rule.
            _ => TargetAnswer.FromFault(fault, call, TargetAnswer.Json(200, ValueBody(_minter.Mint(audience)))),
        };

        _log.AddToken(new MockTokenRequest(
            http.Method,
            rawQuery,
            requestedAudience,
            hasAuthorization,
            validBearer,
            HeaderOrNull(http.Headers.UserAgent),
            HeaderOrNull(http.Headers.Accept),
            answer.Reset ? 0 : answer.StatusCode,
            fault,
            receivedAt));
        Observer?.Invoke(new MockIssuerRequest(MockIssuerEndpoint.Token, http.Method, path, requestedAudience, answer.Reset ? 0 : answer.StatusCode));

        return await answer.SendAsync(context, _disposed).ConfigureAwait(false);
    }

    internal static string AudienceRefusedBody(string audience) =>
        JsonText.WriteString(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("source", "actions-run-service");
            writer.WriteNumber("statusCode", 400);
            writer.WriteString("errorMessage", "Can't issue ID_TOKEN for audience '" + audience + "'");
            writer.WriteEndObject();
        });

    private static string? HeaderOrNull(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 0 ? null : values.ToString();

    private static string ValueBody(string token) =>
        JsonText.WriteString(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("value", token);
            writer.WriteEndObject();
        });

    private TargetAnswer Serve(bool validBearer, string audience)
    {
        if (!validBearer)
        {
            return TargetAnswer.Empty(401);
        }

        if (!AudiencePolicy.IsAllowed(audience, _owner, _repository))
        {
            return TargetAnswer.Json(400, AudienceRefusedBody(audience));
        }

        return TargetAnswer.Json(200, ValueBody(_minter.Mint(audience)));
    }

    private bool IsValidBearer(Microsoft.Extensions.Primitives.StringValues header)
    {
        if (header.Count != 1 || header[0] is not { } value)
        {
            return false;
        }

        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !value.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(value[(space + 1)..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _requestToken);
    }
}
