using System.Diagnostics.CodeAnalysis;

namespace OidcToken;

/// <summary>The outcome of <see cref="GitHubOidcClient.TryGetTokenAsync(string?, CancellationToken)"/>: a token, or the diagnosis of why there is none.</summary>
public sealed class IdTokenResult
{
    private IdTokenResult(IdToken? token, OidcTokenException? error)
    {
        Token = token;
        Error = error;
    }

    /// <summary>True when <see cref="Token"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Token))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Token is not null;

    /// <summary>The token, when one was obtained.</summary>
    public IdToken? Token { get; }

    /// <summary>Why no token was obtained, with the same code, message and help link the throwing method would use.</summary>
    public OidcTokenException? Error { get; }

    /// <summary>The error code, or null on success.</summary>
    public OidcTokenErrorCode? ErrorCode => Error?.ErrorCode;

    internal static IdTokenResult Success(IdToken token) => new(token, null);

    internal static IdTokenResult Failure(OidcTokenException error) => new(null, error);
}
