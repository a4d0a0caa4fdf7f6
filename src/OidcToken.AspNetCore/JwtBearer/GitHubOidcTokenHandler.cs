using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OidcToken.Validation;

namespace OidcToken.AspNetCore;

/// <summary>
/// The JwtBearer bridge's token handler: every token goes through a <see cref="GitHubOidcTokenValidator"/> (signature
/// with the issuer's keys and their rate-limited refetch, RS256 only, issuer, audiences, lifetime with skew, then the
/// claim policy and the replay guard), so a token JwtBearer accepts is exactly a token <c>AddGitHubOidc</c> accepts.
/// </summary>
internal sealed class GitHubOidcTokenHandler(GitHubOidcTokenValidator validator, string authenticationType) : TokenHandler
{
    public override SecurityToken ReadToken(string token) => new JsonWebToken(token);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var result = await validator.ValidateAsync(token).ConfigureAwait(false);
        if (result.IsValid)
        {
            return new TokenValidationResult
            {
                IsValid = true,
                ClaimsIdentity = new GitHubOidcIdentity(result.Claims, authenticationType),
                SecurityToken = new JsonWebToken(token),
                Issuer = result.Claims.Issuer,
            };
        }

        return new TokenValidationResult { IsValid = false, Exception = new GitHubOidcTokenRefusedException(result) };
    }

    public override Task<TokenValidationResult> ValidateTokenAsync(SecurityToken token, TokenValidationParameters validationParameters) =>
        token is JsonWebToken { EncodedToken: { } encoded }
            ? ValidateTokenAsync(encoded, validationParameters)
            : Task.FromResult(new TokenValidationResult { IsValid = false, Exception = new SecurityTokenArgumentException("a GitHub ID token is a compact JWS") });
}

/// <summary>A token the bridge's validator refused; carries the result (the message is the client-safe reason).</summary>
internal sealed class GitHubOidcTokenRefusedException : SecurityTokenValidationException
{
    public GitHubOidcTokenRefusedException(GitHubOidcValidationResult result)
        : base(result.Reason)
    {
        Result = result;
    }

    public GitHubOidcValidationResult Result { get; }
}
