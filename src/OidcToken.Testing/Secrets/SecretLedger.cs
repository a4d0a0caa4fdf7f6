using System.Globalization;

namespace OidcToken.Testing;

/// <summary>
/// A process-wide register of the secrets tests create (request tokens, ID tokens, exchanged credentials), and a
/// search for any of them, or any <see cref="PieceLength"/>-character piece of one, in a text. Every mock in this
/// package registers what it issues; a test's leak guard then calls <see cref="FindLeak"/> on log lines, Activity tags,
/// exception messages and command output. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Some pieces are not secret and are never reported: a piece that contains <c>.</c> (it spans a JWT's segments or a
/// credential's public prefix such as <c>hvs.</c>), and any piece within a JWT's first segment (a secret that starts
/// with <c>eyJ</c> and has a <c>.</c>): the header is public metadata (<c>alg</c>, <c>kid</c>, <c>typ</c>) shared by every
/// token of a key. The payload and signature segments are checked.
/// </para>
/// <para>
/// Secrets shorter than <see cref="PieceLength"/> characters are not registered. Memory grows with the secrets registered
/// (about 8 bytes of index per 8 characters of secret), for the life of the process.
/// </para>
/// <para>
/// <see cref="FindLeak"/> describes a finding by the secret's id and the piece's offset, never by its content, so the
/// description itself can be logged or put in an assertion message.
/// </para>
/// </remarks>
public static class SecretLedger
{
    /// <summary>The length of the pieces searched for: 16 characters, e.g. part of a JWT's signature segment.</summary>
    public const int PieceLength = 16;

    // Every secret is indexed by its non-overlapping 8-character blocks at offsets 0, 8, 16, …; any 16-character piece
    // contains one such block whole, so sliding an 8-character window over the text finds every candidate, and each
    // candidate is then confirmed character by character.
    private const int BlockLength = 8;

    private static readonly Lock _gate = new();
    private static readonly List<Entry> _secrets = [];
    private static readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private static readonly Dictionary<ulong, int> _firstBlock = [];
    private static readonly List<Block> _blocks = [];

    /// <summary>How many secrets are registered.</summary>
    public static int Count
    {
        get
        {
            lock (_gate)
            {
                return _secrets.Count;
            }
        }
    }

    /// <summary>Registers <paramref name="secret"/> so that <see cref="FindLeak"/> reports it or any piece of it.</summary>
    /// <param name="secret">The secret. <see langword="null"/> or shorter than <see cref="PieceLength"/>: ignored.</param>
    /// <param name="kind">What the secret is, e.g. <c>"GitHub ID token"</c>, for the finding's description. Never the secret.</param>
    /// <returns>The secret's id (1, 2, …; the same id when it was registered before), or 0 when it was ignored.</returns>
    public static int Register(string? secret, string? kind = null)
    {
        if (secret is null || secret.Length < PieceLength)
        {
            return 0;
        }

        var headerEnd = JwtHeaderEnd(secret);
        lock (_gate)
        {
            if (_ids.TryGetValue(secret, out var existing))
            {
                return existing;
            }

            _secrets.Add(new Entry(secret, headerEnd, kind));
            var id = _secrets.Count;
            _ids.Add(secret, id);
            for (var offset = 0; offset + BlockLength <= secret.Length; offset += BlockLength)
            {
                if (offset + BlockLength <= headerEnd || secret.AsSpan(offset, BlockLength).Contains('.'))
                {
                    continue; // no reportable piece can contain this block
                }

                var key = Key(secret.AsSpan(offset, BlockLength));
                var next = _firstBlock.TryGetValue(key, out var head) ? head : -1;
                _blocks.Add(new Block(id, offset, next));
                _firstBlock[key] = _blocks.Count - 1;
            }

            return id;
        }
    }

    /// <summary>
    /// Finds the first registered secret, or <see cref="PieceLength"/>-character piece of one, in <paramref name="text"/>.
    /// </summary>
    /// <param name="text">The text to search; <see langword="null"/> or empty finds nothing.</param>
    /// <returns>
    /// <see langword="null"/> when the text holds no registered secret; otherwise a description without the secret, e.g.
    /// <c>"a 16-character piece of registered secret 12 (GitHub ID token, offset 40)"</c>.
    /// </returns>
    public static string? FindLeak(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length < PieceLength)
        {
            return null;
        }

        lock (_gate)
        {
            if (_firstBlock.Count == 0)
            {
                return null;
            }

            ulong key = 0;
            for (var end = 0; end < text.Length; end++)
            {
                key = (key << 8) | Fold(text[end]);
                var start = end - BlockLength + 1;
                if (start < 0 || !_firstBlock.TryGetValue(key, out var index))
                {
                    continue;
                }

                for (; index >= 0; index = _blocks[index].Next)
                {
                    var block = _blocks[index];
                    if (Confirm(text, start, _secrets[block.Id - 1], block.Offset) is { } offset)
                    {
                        var entry = _secrets[block.Id - 1];
                        return string.Create(
                            CultureInfo.InvariantCulture,
                            $"a {PieceLength}-character piece of registered secret {block.Id} ({entry.Kind ?? "secret"}, offset {offset})");
                    }
                }
            }

            return null;
        }
    }

    // The offset in the secret of a reportable piece that the text holds around text[start..start+8] = secret[offset..offset+8].
    private static int? Confirm(string text, int start, Entry entry, int offset)
    {
        var secret = entry.Secret;
        var right = 0;
        while (start + right < text.Length && offset + right < secret.Length && text[start + right] == secret[offset + right])
        {
            right++;
        }

        if (right < BlockLength)
        {
            return null; // a hash collision, not the block
        }

        var left = 0;
        while (start - left > 0 && offset - left > 0 && text[start - left - 1] == secret[offset - left - 1])
        {
            left++;
        }

        for (var piece = offset - left; piece + PieceLength <= offset + right; piece++)
        {
            if (piece + PieceLength > entry.HeaderEnd && !secret.AsSpan(piece, PieceLength).Contains('.'))
            {
                return piece;
            }
        }

        return null;
    }

    // Where a JWT's first segment ends (the index of its first '.'), or 0 when the secret is not shaped like a JWT.
    private static int JwtHeaderEnd(string secret)
    {
        if (!secret.StartsWith("eyJ", StringComparison.Ordinal))
        {
            return 0;
        }

        var dot = secret.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? 0 : dot;
    }

    private static ulong Key(ReadOnlySpan<char> block)
    {
        ulong key = 0;
        foreach (var c in block)
        {
            key = (key << 8) | Fold(c);
        }

        return key;
    }

    // One byte per character: exact for ASCII, a hash otherwise (candidates are confirmed character by character).
    private static ulong Fold(char c) => (byte)(c ^ (c >> 8));

    private sealed record Entry(string Secret, int HeaderEnd, string? Kind);

    private readonly record struct Block(int Id, int Offset, int Next);
}
