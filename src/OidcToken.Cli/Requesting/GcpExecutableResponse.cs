using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OidcToken.Cli.Requesting;

/// <summary>
/// <c>oidc-token token --format gcp-executable</c>: the response Google's client libraries (gcloud, Terraform, Python,
/// Java, Go, Node) read from an executable-sourced credential's command. Success:
/// <c>{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:id_token","id_token":"…","expiration_time":&lt;exp&gt;}</c>;
/// failure: <c>{"version":1,"success":false,"code":"…","message":"…"}</c> and a non-zero exit.
/// </summary>
/// <remarks>
/// The libraries pass <c>GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE</c> (the STS audience, not the GitHub token's <c>aud</c>: the
/// command line's <c>--audience</c> decides that), <c>GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE</c> (the configuration's
/// <c>subject_token_type</c>, echoed back when it is <c>…:jwt</c> or <c>…:id_token</c>, refused otherwise),
/// <c>GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE</c> (interactive sign-in is refused: a workflow step has no one to ask) and
/// <c>GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE</c> (not written: every run fetches a fresh GitHub token, which is cheap).
/// </remarks>
internal static class GcpExecutableResponse
{
    /// <summary>The <c>--format</c> value.</summary>
    internal const string Format = "gcp-executable";

    /// <summary>The OIDC ID token type, the default <c>token_type</c>.</summary>
    internal const string IdTokenType = "urn:ietf:params:oauth:token-type:id_token";

    /// <summary>The JWT token type, echoed when the configuration asks for it.</summary>
    internal const string JwtTokenType = "urn:ietf:params:oauth:token-type:jwt";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Why a request from Google's library cannot be served (interactive mode, a token type other than an OIDC token), or
    /// null; sets <paramref name="tokenType"/> to the one the configuration asked for.
    /// </summary>
    internal static string? Refuse(Func<string, string?> environment, ref string tokenType)
    {
        if (environment("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE")?.Trim() == "1")
        {
            return "--format gcp-executable does not support interactive mode (GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=1): a workflow step has nobody to sign in. " +
                   "Use it non-interactively, as Google's libraries do by default (no output_file is needed: each run fetches a fresh GitHub token).";
        }

        var requested = environment("GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE")?.Trim();
        if (string.IsNullOrEmpty(requested))
        {
            return null;
        }

        if (requested is IdTokenType or JwtTokenType)
        {
            tokenType = requested;
            return null;
        }

        return "the credential configuration asks for a '" + Safe(requested) + "' subject token (GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE); a GitHub ID token is '" +
               IdTokenType + "' or '" + JwtTokenType + "'. Fix: set subject_token_type to one of those (oidc-token exchange gcp --credential-source executable writes it).";
    }

    /// <summary>The success response; <b>a secret</b>: it holds the ID token.</summary>
    internal static string Success(IdToken token, string tokenType) => Write(json =>
    {
        json.WriteBoolean("success", true);
        json.WriteString("token_type", tokenType);
        json.WriteString("id_token", token.Reveal());
        json.WriteNumber("expiration_time", token.ExpiresAt.ToUnixTimeSeconds());
    });

    /// <summary>The failure response: an error code and the (secret-free) message.</summary>
    internal static string Failure(string code, string message) => Write(json =>
    {
        json.WriteBoolean("success", false);
        json.WriteString("code", code);
        json.WriteString("message", message);
    });

    private static string Write(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            members(json);
            json.WriteEndObject();
        }

        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        buffer.Clear(); // zeroes the bytes that held the token
        return text;
    }

    private static string Safe(string value) => Output.TextFormat.Safe(value.Length <= 100 ? value : value[..100] + "…");
}
