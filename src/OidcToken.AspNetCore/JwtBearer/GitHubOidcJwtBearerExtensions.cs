using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OidcToken.Validation;

namespace OidcToken.AspNetCore;

/// <summary>The bridge for applications already on <c>AddJwtBearer</c>.</summary>
public static class GitHubOidcJwtBearerExtensions
{
    /// <summary>
    /// Configures these JwtBearer options for GitHub Actions ID tokens: the token is validated by a
    /// <see cref="GitHubOidcTokenValidator"/> built from <paramref name="configure"/> (RS256 only, the issuer, the
    /// audiences, the clock skew, the issuer's keys with their rate-limited refetch, then the claim policy and the replay
    /// guard), the principal carries GitHub's claim names (<c>MapInboundClaims</c> off) and
    /// <c>GetGitHubActionsClaims()</c> works as with <c>AddGitHubOidc</c>. A token the validator could not judge (keys or
    /// replay store unavailable) is answered 503 with <c>Retry-After</c>; a refused one 401 with the client-safe reason.
    /// Call it last when configuring the options: it replaces <c>TokenHandlers</c> and wraps <c>Events.OnChallenge</c>.
    /// </summary>
    /// <param name="options">The JwtBearer options being configured.</param>
    /// <param name="configure">Sets the validator options (at least <c>Audiences</c> and <c>Policy</c>).</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="configure"/> is null.</exception>
    /// <exception cref="GitHubOidcSettingsException">The validator options are not valid (every problem listed).</exception>
    public static JwtBearerOptions UseGitHubOidc(this JwtBearerOptions options, Action<GitHubOidcValidationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configure);
        var settings = new GitHubOidcValidationOptions { TimeProvider = options.TimeProvider };
        configure(settings);
        var validator = new GitHubOidcTokenValidator(settings);

        // What the validator enforces, stated on the parameters too for anything else that reads them.
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudiences = [.. settings.Audiences],
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ClockSkew = settings.ClockSkew,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            NameClaimType = "sub",
        };
        options.MapInboundClaims = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new GitHubOidcTokenHandler(validator, JwtBearerDefaults.AuthenticationScheme));

        options.Events ??= new JwtBearerEvents();
        var challenge = options.Events.OnChallenge;
        options.Events.OnChallenge = async context =>
        {
            if (context.AuthenticateFailure is GitHubOidcTokenRefusedException { Result: var result })
            {
                if (context.HttpContext.RequestServices.GetService<ILoggerFactory>() is { } loggers)
                {
                    AnswerLog.Refused(loggers.CreateLogger("OidcToken.AspNetCore"), context.Scheme.Name, result.Failure, result.Message);
                }

                if (result.Kind is GitHubOidcFailureKind.KeysUnavailable or GitHubOidcFailureKind.ReplayStoreUnavailable)
                {
                    context.HandleResponse();
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    context.Response.Headers.RetryAfter = ((long)GitHubOidcAuthenticationOptions.DefaultRetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return;
                }

                context.Error = "invalid_token";
                context.ErrorDescription = BearerToken.QuotedStringContent(result.Reason!);
            }

            await challenge(context).ConfigureAwait(false);
        };

        return options;
    }
}
