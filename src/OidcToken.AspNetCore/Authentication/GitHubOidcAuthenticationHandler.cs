using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OidcToken.Validation;

namespace OidcToken.AspNetCore;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;GitHub ID token&gt;</c> with the scheme's validator and answers as RFC 6750
/// says: no token → 401 <c>WWW-Authenticate: Bearer</c>; a refused token → 401 with <c>error="invalid_token"</c> and the
/// client-safe reason as <c>error_description</c> (the operator's message, which names the configuration, goes only to
/// the log); keys or replay store unavailable → 503 with <c>Retry-After</c> (the token was not judged); a valid token
/// that an endpoint's policy refuses → 403. Bodies are ProblemDetails when the application registered them.
/// </summary>
internal sealed class GitHubOidcAuthenticationHandler(
    IOptionsMonitor<GitHubOidcAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    GitHubOidcValidators validators)
    : AuthenticationHandler<GitHubOidcAuthenticationOptions>(options, logger, encoder)
{
    private GitHubOidcValidationResult? _refused;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!BearerToken.TryRead(Request, out var token))
        {
            return AuthenticateResult.NoResult();
        }

        var result = await validators.Get(Scheme.Name).ValidateAsync(token, Context.RequestAborted).ConfigureAwait(false);
        if (result.IsValid)
        {
            var principal = new ClaimsPrincipal(new GitHubOidcIdentity(result.Claims, Scheme.Name));
            return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
        }

        _refused = result;
        AnswerLog.Refused(Logger, Scheme.Name, result.Failure, result.Message);
        return AuthenticateResult.Fail(result.Reason!);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_refused is { Kind: GitHubOidcFailureKind.KeysUnavailable or GitHubOidcFailureKind.ReplayStoreUnavailable } unavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = ((long)Math.Ceiling(Options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await ProblemAsync("Service Unavailable", unavailable.Reason).ConfigureAwait(false);
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(
            HeaderNames.WWWAuthenticate,
            _refused is null ? "Bearer" : $"Bearer error=\"invalid_token\", error_description=\"{BearerToken.QuotedStringContent(_refused.Reason!)}\"");
        await ProblemAsync("Unauthorized", _refused?.Reason ?? "a GitHub Actions ID token is required (Authorization: Bearer)").ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await ProblemAsync("Forbidden", "the token is valid, but this endpoint's policy does not allow it").ConfigureAwait(false);
    }

    private async Task ProblemAsync(string title, string? detail)
    {
        if (Context.RequestServices.GetService<IProblemDetailsService>() is { } problems)
        {
            await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = new ProblemDetails { Status = Response.StatusCode, Title = title, Detail = detail },
            }).ConfigureAwait(false);
        }
    }
}
