using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Identity;
using OidcToken.Azure.Refusals;
using OidcToken.Resilience;

namespace OidcToken.Azure;

/// <summary>
/// An Azure <see cref="TokenCredential"/> for GitHub Actions: it trades a GitHub ID token for a Microsoft Entra access
/// token through workload identity federation, for every Azure SDK client (<c>new BlobServiceClient(uri, credential)</c>).
/// Built on Azure.Identity's <see cref="ClientAssertionCredential"/>: MSAL caches access tokens, and each time Entra must
/// be asked (first use, refresh, retry) the credential fetches a <b>fresh</b> GitHub token from
/// <see cref="GitHubActionsCredentialOptions.TokenSource"/>, so it never sends an expired 5-minute GitHub token.
/// </summary>
/// <remarks>
/// <para>
/// Failures follow Azure.Identity's conventions. When no GitHub token can be requested here (not in GitHub Actions,
/// no <c>id-token: write</c> permission, a fork…; <see cref="OidcTokenException.ErrorCode"/> below 100) it throws
/// <see cref="CredentialUnavailableException"/>, so a <see cref="ChainedTokenCredential"/> moves on to its next
/// credential. Every other failure is an <see cref="AuthenticationFailedException"/> whose message is OidcToken's
/// diagnosis (Entra's AADSTS code and description, the GitHub token's claims, and a fix) and whose
/// <see cref="Exception.InnerException"/> is an <see cref="OidcTokenException"/> with the same message
/// (<see cref="OidcTokenErrorCode.ExchangeRefused"/>, <see cref="OidcTokenErrorCode.ExchangeFailed"/>,
/// <see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/>, or the token source's own code).
/// Cancellation passes through as <see cref="OperationCanceledException"/>.
/// </para>
/// <para>Instances are thread-safe; keep one per tenant and app for the life of the process to share MSAL's cache.</para>
/// </remarks>
public sealed partial class GitHubActionsCredential : TokenCredential
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RetryAfterMargin = TimeSpan.FromMilliseconds(100);

    private readonly ClientAssertionCredential _inner;
    private readonly IdTokenSource _source;
    private readonly AsyncLocal<AttemptState?> _current = new();
    private readonly AttemptPolicy<EntraAttempt> _policy;

    /// <summary>Creates a credential for the tenant and app in <paramref name="options"/>.</summary>
    /// <param name="options">The tenant, app, audience, token source and Azure.Identity settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <see cref="GitHubActionsCredentialOptions.TenantId"/> is missing or not <c>[A-Za-z0-9.-]+</c>,
    /// <see cref="GitHubActionsCredentialOptions.ClientId"/> is missing, or the audience is blank.
    /// </exception>
    public GitHubActionsCredential(GitHubActionsCredentialOptions options)
        : this(options, source: null, TimeProvider.System)
    {
    }

    internal GitHubActionsCredential(GitHubActionsCredentialOptions options, IdTokenSource? source, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        TenantId = ValidateTenantId(options.TenantId);
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            throw new ArgumentException(
                "GitHubActionsCredentialOptions.ClientId is required: the application (client) id of the app registration, or the client id of the user-assigned managed identity, that holds the federated identity credential.",
                nameof(options));
        }

        ClientId = options.ClientId.Trim();
        Audience = options.Audience;
        if (string.IsNullOrWhiteSpace(Audience))
        {
            throw new ArgumentException("GitHubActionsCredentialOptions.Audience must not be blank.", nameof(options));
        }

        AuthorityHost = options.AuthorityHost;
        _source = source ?? options.TokenSource;
        _policy = BuildPolicy(options, time);
        _inner = new ClientAssertionCredential(TenantId, ClientId, GetAssertionAsync, options);
    }

    /// <summary>The Entra tenant asked for tokens.</summary>
    public string TenantId { get; }

    /// <summary>The app (client) id whose federated identity credential trusts the GitHub token.</summary>
    public string ClientId { get; }

    /// <summary>The audience requested for GitHub tokens (see <see cref="GitHubActionsCredentialOptions.Audience"/>).</summary>
    public string Audience { get; }

    /// <summary>The Entra authority host, e.g. <c>https://login.microsoftonline.com/</c>.</summary>
    public Uri AuthorityHost { get; }

    /// <summary>
    /// Gets an Entra access token once, for the command line and scripts: like the credential, but failures are thrown as
    /// <see cref="OidcTokenException"/> directly (<see cref="OidcTokenErrorCode.ExchangeRefused"/> when Entra refuses,
    /// <see cref="OidcTokenErrorCode.ExchangeFailed"/> when it cannot be reached or stays unavailable,
    /// <see cref="OidcTokenErrorCode.ExchangeResponseInvalid"/> for an unusable answer, or the token source's own code).
    /// </summary>
    /// <param name="source">Where the GitHub token comes from; used instead of <see cref="GitHubActionsCredentialOptions.TokenSource"/>.</param>
    /// <param name="options">The tenant, app, audience and Azure.Identity settings.</param>
    /// <param name="scopes">The scopes, normally one resource's <c>/.default</c>, e.g. <c>https://management.azure.com/.default</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The access token; its value only through <see cref="AzureAccessToken.RevealToken"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid (see the constructor), or <paramref name="scopes"/> is empty or has a blank entry.</exception>
    /// <exception cref="OidcTokenException">No token could be obtained; <see cref="OidcTokenException.ErrorCode"/> says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<AzureAccessToken> GetTokenAsync(
        IdTokenSource source, GitHubActionsCredentialOptions options, string[] scopes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scopes);
        if (scopes.Length == 0 || scopes.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("At least one scope is required, and none may be blank (e.g. https://management.azure.com/.default).", nameof(scopes));
        }

        var credential = new GitHubActionsCredential(options, source, TimeProvider.System);
        var copy = (string[])scopes.Clone();
        var token = await credential.AcquireAsync(new TokenRequestContext(copy), async: true, cancellationToken).ConfigureAwait(false);
        return new AzureAccessToken(token.Token, token.TokenType ?? "Bearer", token.ExpiresOn, token.RefreshOn, copy, credential.TenantId, credential.ClientId);
    }

    /// <inheritdoc/>
    /// <exception cref="CredentialUnavailableException">No GitHub token can be requested in this environment.</exception>
    /// <exception cref="AuthenticationFailedException">Entra refused or could not be reached; the inner exception is an <see cref="OidcTokenException"/>.</exception>
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return AcquireAsync(requestContext, async: false, cancellationToken).AsTask().GetAwaiter().GetResult();
        }
        catch (OidcTokenException ex)
        {
            throw ToAzureException(ex);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="CredentialUnavailableException">No GitHub token can be requested in this environment.</exception>
    /// <exception cref="AuthenticationFailedException">Entra refused or could not be reached; the inner exception is an <see cref="OidcTokenException"/>.</exception>
    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return await AcquireAsync(requestContext, async: true, cancellationToken).ConfigureAwait(false);
        }
        catch (OidcTokenException ex)
        {
            throw ToAzureException(ex);
        }
    }

    private static AuthenticationFailedException ToAzureException(OidcTokenException exception) =>
        (int)exception.ErrorCode < 100
            ? new CredentialUnavailableException(exception.Message, exception)
            : new AuthenticationFailedException(exception.Message, exception);

    private static string ValidateTenantId(string? tenantId)
    {
        if (string.IsNullOrWhiteSpace(tenantId))
        {
            throw new ArgumentException(
                "GitHubActionsCredentialOptions.TenantId is required: the Microsoft Entra tenant (directory) id, or a verified domain.", "options");
        }

        var trimmed = tenantId.Trim();
        if (trimmed.Length > 256 || !TenantIdPattern().IsMatch(trimmed))
        {
            throw new ArgumentException(
                "GitHubActionsCredentialOptions.TenantId is invalid: a tenant id may contain only letters, digits, '.' and '-' ([A-Za-z0-9.-]+), e.g. a directory id (GUID) or contoso.onmicrosoft.com.",
                "options");
        }

        return trimmed;
    }

    private async ValueTask<AccessToken> AcquireAsync(TokenRequestContext requestContext, bool async, CancellationToken cancellationToken)
    {
        var report = await _policy.RunAsync(
            static (request, token) => request.Credential.AttemptAsync(request.Context, request.Async, token),
            (Credential: this, Context: requestContext, Async: async),
            cancellationToken).ConfigureAwait(false);
        if (report.Stop == AttemptStop.DeadlinePassed && report.Result?.Failure is null)
        {
            // The deadline ended the first attempt, or a wait after an attempt that settled nothing.
            var timeout = new TimeoutException("no answer within the deadline of " + OidcToken.Text.Durations.Seconds(Deadline), report.DeadlineException);
            throw EntraFailureMessages.Create(
                EntraError.From(timeout), new FailureContext(TenantId, ClientId, Audience, AuthorityHost, null, report.Attempts, report.Elapsed), timeout);
        }

        report.Last?.ThrowIfException();
        var attempt = report.Result!;
        if (attempt.Failure is not { } failure)
        {
            return attempt.Token;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (attempt.State.SourceFailure is { } sourceFailure)
        {
            // The GitHub side already retried what it could; its diagnosis is the one to show.
            throw sourceFailure;
        }

        throw EntraFailureMessages.Create(
            attempt.Error!, new FailureContext(TenantId, ClientId, Audience, AuthorityHost, attempt.State.Assertion, report.Attempts, report.Elapsed), failure);
    }

    /// <summary>
    /// The attempt policy of Entra: <c>Retry.MaxRetries</c> + 1 attempts, backoff from <c>Retry.Delay</c> doubling up to
    /// <c>Retry.MaxDelay</c> with ±20 % jitter, Entra's <c>Retry-After</c> (plus a margin) when longer, a 60-second
    /// deadline; each attempt bounds itself (<c>Retry.NetworkTimeout</c>). Only Entra's transient answers are retried.
    /// </summary>
    private static AttemptPolicy<EntraAttempt> BuildPolicy(GitHubActionsCredentialOptions options, TimeProvider time) => new(
        new AttemptPolicyOptions(
            MaxAttempts: Math.Max(1, options.Retry.MaxRetries + 1),
            Deadline: Deadline,
            AttemptTimeout: null,
            BaseDelay: options.Retry.Delay,
            MaxDelay: options.Retry.MaxDelay)
        {
            JitterMin = 0.8,
            JitterMax = 1.2,

            // MSAL itself refuses to resend before Entra's Retry-After (MsalThrottledServiceException), counting from when
            // it read the answer on its own clock; the margin keeps the retry from landing a few milliseconds early and
            // being refused without being sent (found by the fault matrix).
            RetryAfter = RetryAfterRule.Floor,
            RetryAfterMargin = RetryAfterMargin,
            TimeProvider = time,
        },
        static outcome => outcome.Result is { Failure: not null, State.SourceFailure: null, Error: { IsTransient: true } error }
            ? AttemptVerdict.Retry(error.RetryAfter)
            : AttemptVerdict.Settle);

    /// <summary>One Entra token request through MSAL; its assertion callback fetches a fresh GitHub token.</summary>
    private async ValueTask<EntraAttempt> AttemptAsync(TokenRequestContext requestContext, bool async, CancellationToken cancellationToken)
    {
        var state = new AttemptState();
        _current.Value = state;
        try
        {
            var token = async
                ? await _inner.GetTokenAsync(requestContext, cancellationToken).ConfigureAwait(false)
                : _inner.GetToken(requestContext, cancellationToken);
            return new EntraAttempt(token, null, null, state);
        }
        catch (AuthenticationFailedException ex)
        {
            return new EntraAttempt(default, ex, state.SourceFailure is null ? EntraError.From(ex) : null, state);
        }
        finally
        {
            _current.Value = null;
        }
    }

    /// <summary>Called by MSAL each time it sends a token request: always a fresh GitHub token.</summary>
    private async Task<string> GetAssertionAsync(CancellationToken cancellationToken)
    {
        var state = _current.Value;
        try
        {
            var token = await _source(Audience, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(token))
            {
                throw new OidcTokenException(
                    OidcTokenErrorCode.InvalidResponse,
                    "The GitHub token source returned an empty token, so there was nothing to present to Microsoft Entra ID.\n" +
                    "Fix: give GitHubActionsCredentialOptions.TokenSource a source that returns a GitHub ID token (IdTokenSources.Runner in a job).");
            }

            if (state is not null)
            {
                state.Assertion = token;
            }

            return token;
        }
        catch (OidcTokenException ex) when (state is not null)
        {
            state.SourceFailure = ex;
            throw;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex TenantIdPattern();

    /// <summary>What one attempt ended with: a token, or MSAL's failure read as Entra's error (none when the GitHub side failed).</summary>
    private sealed record EntraAttempt(AccessToken Token, AuthenticationFailedException? Failure, EntraError? Error, AttemptState State);

    /// <summary>What one attempt's assertion callback did (flows to the callback through an <see cref="AsyncLocal{T}"/>).</summary>
    private sealed class AttemptState
    {
        public string? Assertion { get; set; }

        public OidcTokenException? SourceFailure { get; set; }
    }
}
