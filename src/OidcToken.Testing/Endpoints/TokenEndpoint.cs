using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using WireMock;
using WireMock.ResponseBuilders;

namespace OidcToken.Testing;

/// <summary>
/// GitHub's token endpoint: <c>GET &lt;ACTIONS_ID_TOKEN_REQUEST_URL&gt;&amp;audience=…</c> with
/// <c>Authorization: Bearer &lt;ACTIONS_ID_TOKEN_REQUEST_TOKEN&gt;</c> answers <c>{"value":"&lt;jwt&gt;"}</c>.
/// Queued faults take precedence over everything else, including the bearer check.
/// </summary>
internal sealed class TokenEndpoint
{
    private const string HtmlPage =
        "<!DOCTYPE html>\n<html><head><title>Authentication required</title></head>"
        + "<body><h1>Proxy authentication required</h1><p>Sign in to continue.</p></body></html>\n";

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

    public async Task<IResponseMessage> RespondAsync(HttpContext context)
    {
        var http = context.Request;
        var receivedAt = _timeProvider.GetUtcNow();
        var rawQuery = http.QueryString.Value ?? string.Empty;
        var requestedAudience = QueryString.First(rawQuery, "audience");
        var audience = string.IsNullOrEmpty(requestedAudience) ? _defaultAudience : requestedAudience;
        var hasAuthorization = http.Headers.ContainsKey("Authorization");
        var validBearer = IsValidBearer(http.Headers.Authorization);

        var fault = _faults.TakeNext();
        var response = fault is null ? Serve(validBearer, audience) : ApplyFault(fault, validBearer, audience);

        _log.AddToken(new MockTokenRequest(
            http.Method,
            rawQuery,
            requestedAudience,
            hasAuthorization,
            validBearer,
            HeaderOrNull(http.Headers.UserAgent),
            HeaderOrNull(http.Headers.Accept),
            (int)response.StatusCode!,
            fault,
            receivedAt));

        if (fault is { Kind: FaultKind.Delay })
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _disposed);
            try
            {
                await Task.Delay(fault.Wait, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client went away or the issuer is shutting down; nobody reads this answer.
                return Responses.Empty(503);
            }
        }

        return response;
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

    private ResponseMessage Serve(bool validBearer, string audience)
    {
        if (!validBearer)
        {
            return Responses.Empty(401);
        }

        if (!AudiencePolicy.IsAllowed(audience, _owner, _repository))
        {
            return Responses.Text(400, AudienceRefusedBody(audience), Responses.Json);
        }

        return Responses.Text(200, ValueBody(_minter.Mint(audience)), Responses.Json);
    }

    private ResponseMessage ApplyFault(MockTokenFault fault, bool validBearer, string audience)
    {
        switch (fault.Kind)
        {
            case FaultKind.Status:
                var status = Responses.Text(fault.StatusCode, fault.Body, LooksLikeJson(fault.Body) ? Responses.Json : "text/plain; charset=utf-8");
                if (fault.RetryAfter is { } retryAfter)
                {
                    status.AddHeader("Retry-After", ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                return status;
            case FaultKind.AudienceRefused:
                return Responses.Text(400, AudienceRefusedBody(audience), Responses.Json);
            case FaultKind.Delay:
                return Serve(validBearer, audience);
            case FaultKind.EmptyResponse:
                return Responses.Text(200, string.Empty, Responses.Json, FaultType.EMPTY_RESPONSE);
            case FaultKind.MalformedChunk:
                return Responses.Text(200, ValueBody(_minter.Mint(audience)), Responses.Json, FaultType.MALFORMED_RESPONSE_CHUNK);
            case FaultKind.Html:
                return Responses.Text(200, HtmlPage, "text/html; charset=utf-8");
            case FaultKind.JsonWithoutValue:
                return Responses.Text(200, "{\"count\":1,\"message\":\"OK\"}", Responses.Json);
            case FaultKind.TruncatedJson:
                var whole = ValueBody(_minter.Mint(audience));
                return Responses.Text(200, whole[..(whole.Length / 2)], Responses.Json);
            case FaultKind.Redirect:
                var redirect = Responses.Empty(fault.StatusCode);
                redirect.AddHeader("Location", fault.Location!.OriginalString);
                return redirect;
            case FaultKind.OversizedBody:
                return Responses.Bytes(200, Oversized(_minter.Mint(audience), fault.Size), Responses.Json);
            default:
                throw new InvalidOperationException($"Unknown fault kind {fault.Kind}.");
        }
    }

    private static byte[] Oversized(string token, int size)
    {
        var prefix = "{\"value\":\"" + token + "\",\"padding\":\"";
        const string Suffix = "\"}";
        var padding = Math.Max(0, size - prefix.Length - Suffix.Length);
        return Encoding.ASCII.GetBytes(prefix + new string('a', padding) + Suffix);
    }

    private static bool LooksLikeJson(string? body)
    {
        var trimmed = body.AsSpan().TrimStart();
        return trimmed.Length > 0 && trimmed[0] is '{' or '[';
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
