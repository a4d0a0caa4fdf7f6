using System.Buffers.Text;
using System.Text;

namespace OidcToken.Testing;

/// <summary>
/// The current signing key and the keys the JWKS publishes. Rotation is atomic: a token is signed by
/// the key that was current when signing started, and the JWKS document is rebuilt under the same lock.
/// Retired keys are kept alive (not disposed) until the ring is disposed, so signing in flight never fails.
/// </summary>
internal sealed class SigningKeyRing : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly List<SigningKey> _allKeys = [];
    private SigningKey[] _published;
    private SigningKey _current;
    private string _jwksJson;

    public SigningKeyRing(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _current = SigningKey.Create(timeProvider);
        _allKeys.Add(_current);
        _published = [_current];
        _jwksJson = BuildJwks(_published);
    }

    public string CurrentKeyId => Volatile.Read(ref _current).KeyId;

    public string JwksJson => Volatile.Read(ref _jwksJson);

    public void Rotate(bool keepPreviousKeyPublished)
    {
        var next = SigningKey.Create(_timeProvider);
        lock (_lock)
        {
            _allKeys.Add(next);
            SigningKey[] published = keepPreviousKeyPublished ? [next, .. _published] : [next];
            Volatile.Write(ref _published, published);
            Volatile.Write(ref _jwksJson, BuildJwks(published));
            Volatile.Write(ref _current, next);
        }
    }

    /// <summary>Signs a compact JWS with the current key; <paramref name="payloadJson"/> is used byte for byte.</summary>
    public string SignJwt(byte[] payloadJson)
    {
        var key = Volatile.Read(ref _current);
        var header = JsonText.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("alg", "RS256");
            writer.WriteString("kid", key.KeyId);
            writer.WriteString("typ", "JWT");
            writer.WriteString("x5t", key.Thumbprint);
            writer.WriteEndObject();
        });
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payloadJson);
        var signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var key in _allKeys)
            {
                key.Dispose();
            }

            _allKeys.Clear();
        }
    }

    private static string BuildJwks(SigningKey[] keys) =>
        Encoding.UTF8.GetString(JsonText.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in keys)
            {
                writer.WriteStartObject();
                writer.WriteString("kty", "RSA");
                writer.WriteString("alg", "RS256");
                writer.WriteString("use", "sig");
                writer.WriteString("kid", key.KeyId);
                writer.WriteString("n", key.Modulus);
                writer.WriteString("e", key.Exponent);
                writer.WriteStartArray("x5c");
                writer.WriteStringValue(Convert.ToBase64String(key.CertificateDer));
                writer.WriteEndArray();
                writer.WriteString("x5t", key.Thumbprint);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }));
}
