namespace McpSessions.EF.Encryption;

/// <summary>
/// The keys and the write format. The primary key encrypts; every key decrypts. Turns a column's plaintext JSON text
/// into what is stored, and back. Immutable; its <see cref="Fingerprint"/> (key ids and settings, no key material)
/// decides which contexts may share an EF model.
/// </summary>
internal sealed class SessionKeyRing
{
    private readonly Dictionary<string, EncryptionKey> _byId;

    public SessionKeyRing(EncryptionKey? primary, IEnumerable<EncryptionKey> oldKeys, EncryptionFormat format)
    {
        Primary = primary;
        Format = format;
        Keys = (primary is null ? oldKeys : oldKeys.Prepend(primary)).DistinctBy(k => k.Id).ToArray();
        _byId = Keys.ToDictionary(k => k.Id, StringComparer.Ordinal);
        Fingerprint = $"{format}|{primary?.Id ?? "plaintext"}|{string.Join(',', Keys.Select(k => k.Id))}";
    }

    /// <summary>A ring with no keys: secrets are written in clear text (only when the host allowed it).</summary>
    public static SessionKeyRing Plaintext { get; } = new(null, [], EncryptionFormat.Versioned);

    public EncryptionKey? Primary { get; }

    public IReadOnlyList<EncryptionKey> Keys { get; }

    public EncryptionFormat Format { get; }

    public string Fingerprint { get; }

    /// <summary>Whether values of <paramref name="column"/> are encrypted when written.</summary>
    public bool Encrypts(SecretColumn column) =>
        Primary is not null && (Format == EncryptionFormat.Versioned || column is SecretColumn.Tokens or SecretColumn.Headers);

    /// <summary>
    /// The stored form of <paramref name="plaintext"/> (a column value's JSON text, UTF-8) when <see cref="Encrypts"/>:
    /// the envelope, in JSON string quotes when <paramref name="quoted"/> (how a JSON column holds it).
    /// </summary>
    public string Protect(SecretColumn column, ReadOnlySpan<byte> plaintext, bool quoted) => Format == EncryptionFormat.McpTsCompatible
        ? SecretCipher.EncryptV1(Primary!, plaintext, quoted)
        : SecretCipher.EncryptV2(Primary!, column, plaintext, quoted);

    /// <summary>Whether a stored value is encrypted at all.</summary>
    public static bool IsEncrypted(ReadOnlySpan<char> stored) => stored.StartsWith("enc:", StringComparison.Ordinal);

    /// <summary>
    /// Whether a stored value (a JSON column's text, or <c>code_verifier</c>) is already in the form this ring writes,
    /// so re-encryption can skip it. An <c>enc:1</c> value carries no key id, so it never counts as current.
    /// </summary>
    public bool IsCurrent(SecretColumn column, string stored)
    {
        var value = column == SecretColumn.CodeVerifier ? stored.AsSpan() : stored.AsSpan().TrimStart().TrimStart('"');
        return Encrypts(column)
            ? Format == EncryptionFormat.Versioned && value.StartsWith(CurrentPrefix, StringComparison.Ordinal)
            : !value.StartsWith("enc:", StringComparison.Ordinal);
    }

    /// <summary>The prefix of values written under the primary key in the versioned format.</summary>
    public string CurrentPrefix => Primary is null ? "" : $"{SecretCipher.V2Prefix}{Primary.Id}:";

    /// <summary>
    /// Decrypts an encrypted stored value (<see cref="IsEncrypted"/>, without quotes) to its plaintext JSON text, UTF-8,
    /// in a pooled buffer the caller disposes, or when <paramref name="exact"/> in an array of its own for a caller that
    /// keeps it (<see cref="PooledBytes.ToArray"/>).
    /// </summary>
    /// <exception cref="SecretDecryptionException">No key authenticates it, its key id is unknown, or it is malformed.</exception>
    public PooledBytes Unprotect(SecretColumn column, ReadOnlySpan<char> stored, bool exact = false)
    {
        if (Keys.Count == 0)
        {
            throw new SecretDecryptionException(column.Label(), "the value is encrypted but no encryption key is configured");
        }

        if (stored.StartsWith(SecretCipher.V2Prefix, StringComparison.Ordinal))
        {
            // The primary key, whose id is checked without allocating, decrypts nearly every value.
            var key = Primary is { } primary && SecretCipher.HasKeyId(stored, primary.Id) ? primary : null;
            if (key is null)
            {
                var keyId = SecretCipher.V2KeyId(stored) ?? throw new SecretDecryptionException(column.Label(), "the enc:2 value is malformed");
                key = _byId.GetValueOrDefault(keyId)
                    ?? throw new SecretDecryptionException(column.Label(), $"it was encrypted with key {keyId}, which is not configured");
            }

            return SecretCipher.TryDecryptV2(key, column, stored, exact, out var plaintext, out var malformed)
                ? plaintext
                : throw new SecretDecryptionException(column.Label(), malformed ?? $"key {key.Id} does not authenticate the value (tampered with, or moved from another column)");
        }

        if (stored.StartsWith(SecretCipher.V1Prefix, StringComparison.Ordinal))
        {
            return SecretCipher.TryDecryptV1(Keys, stored, exact, out var plaintext, out var malformed)
                ? plaintext
                : throw new SecretDecryptionException(column.Label(), malformed ?? "no configured key authenticates the enc:1 value (wrong key, or the value was tampered with)");
        }

        throw new SecretDecryptionException(column.Label(), "the value has an unknown encryption format");
    }
}
