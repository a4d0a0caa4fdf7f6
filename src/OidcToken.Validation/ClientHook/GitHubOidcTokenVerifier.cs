namespace OidcToken.Validation;

/// <summary>
/// Plugs a <see cref="GitHubOidcTokenValidator"/> into <c>GitHubOidcClientOptions.Verifier</c>, so the client checks each
/// token it receives (signature, audience, claim policy) before returning or caching it, like <c>@actions/attest</c>'s self-check.
/// </summary>
public sealed class GitHubOidcTokenVerifier : IdTokenVerifier, IDisposable
{
    private readonly GitHubOidcTokenValidator _validator;
    private readonly bool _ownsValidator;

    /// <summary>Wraps a validator. The verifier does not own it: disposing the verifier does not dispose <paramref name="validator"/>.</summary>
    /// <param name="validator">The validator to run on every token.</param>
    /// <exception cref="ArgumentNullException"><paramref name="validator"/> is null.</exception>
    public GitHubOidcTokenVerifier(GitHubOidcTokenValidator validator)
        : this(validator ?? throw new ArgumentNullException(nameof(validator)), ownsValidator: false)
    {
    }

    private GitHubOidcTokenVerifier(GitHubOidcTokenValidator validator, bool ownsValidator)
    {
        _validator = validator;
        _ownsValidator = ownsValidator;
    }

    /// <summary>
    /// A verifier for use inside a job: the issuer is <see cref="GitHubIssuers.ForJob"/>'s — from <c>GITHUB_SERVER_URL</c>
    /// (github.com, GHE.com or GitHub Enterprise Server; github.com when unset), or the local mock's <c>OIDC_ISSUER</c> when
    /// the runner's request URL is a loopback address —, enterprise-slug issuers are accepted, and tokens must carry
    /// <paramref name="audience"/> and satisfy <paramref name="policy"/>. The verifier owns the validator it creates.
    /// </summary>
    /// <param name="audience">The audience requested from the runner.</param>
    /// <param name="policy">The claim policy the token must satisfy.</param>
    /// <param name="environment">Reads an environment variable; null reads the process environment.</param>
    /// <returns>The verifier.</returns>
    /// <exception cref="ArgumentException">The audience is empty or GitHub's default audience, or <c>GITHUB_SERVER_URL</c> is not a URL.</exception>
    public static GitHubOidcTokenVerifier ForRunner(string audience, GitHubClaimPolicy policy, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(audience);
        ArgumentNullException.ThrowIfNull(policy);
        environment ??= System.Environment.GetEnvironmentVariable;
        var issuer = GitHubIssuers.ForJob(environment);
        if (issuer is null)
        {
            throw new ArgumentException(
                $"GITHUB_SERVER_URL is '{Text.Quote(environment("GITHUB_SERVER_URL"))}', which is not an http(s) URL: unset it or set it to the GitHub server's URL (e.g. https://github.com).",
                nameof(environment));
        }

        var validator = new GitHubOidcTokenValidator(new GitHubOidcValidationOptions
        {
            Issuer = issuer,
            AcceptEnterpriseSlugIssuer = true,
            Audiences = [audience],
            Policy = policy,
        });
        return new GitHubOidcTokenVerifier(validator, ownsValidator: true) { Issuer = issuer };
    }

    /// <summary>The issuer tokens must carry, when this verifier was made by <see cref="ForRunner"/>; otherwise null (the wrapped validator's options say).</summary>
    public string? Issuer { get; private init; }

    /// <summary>Validates the token; completes normally when it is acceptable.</summary>
    /// <param name="token">The token just received.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the token is accepted.</returns>
    /// <exception cref="OidcTokenException">
    /// <see cref="OidcTokenErrorCode.TokenVerificationFailed"/> when the token is invalid (the message says which check failed);
    /// <see cref="OidcTokenErrorCode.VerificationKeysUnavailable"/> when the issuer's keys could not be fetched.
    /// </exception>
    public override async ValueTask VerifyAsync(IdToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var result = await _validator.ValidateAsync(token.Reveal(), cancellationToken).ConfigureAwait(false);
        switch (result.Kind)
        {
            case GitHubOidcFailureKind.None:
                return;
            case GitHubOidcFailureKind.KeysUnavailable:
                throw new OidcTokenException(
                    OidcTokenErrorCode.VerificationKeysUnavailable,
                    "The ID token could not be verified because the issuer's signing keys are unavailable: " + result.Message);
            default:
                // The message already names the claim, the value seen and the value expected.
                throw new OidcTokenException(OidcTokenErrorCode.TokenVerificationFailed, result.Message!);
        }
    }

    /// <summary>Disposes the validator when this verifier created it (<see cref="ForRunner"/>).</summary>
    public void Dispose()
    {
        if (_ownsValidator)
        {
            _validator.Dispose();
        }
    }
}
