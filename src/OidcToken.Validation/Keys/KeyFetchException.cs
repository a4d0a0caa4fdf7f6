namespace OidcToken.Validation;

/// <summary>Discovery or the JWKS could not be fetched or used. The message names the address and cause, never a token.</summary>
internal sealed class KeyFetchException : IOException
{
    public KeyFetchException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
