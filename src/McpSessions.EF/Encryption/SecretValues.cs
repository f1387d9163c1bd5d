using System.Text;
using System.Text.Json;
using McpSessions.EF.Json;

namespace McpSessions.EF.Encryption;

/// <summary>
/// What the secret columns' value converters do. A JSON column holds JSON either way: the object itself (clear text,
/// legacy or allowed) or a JSON string holding the encrypted envelope, which is how @mcp-ts/sdk stores it in
/// <c>jsonb</c>. <c>code_verifier</c> holds the verifier or the bare envelope. An encrypted plaintext is always the
/// JSON text of the value, as in @mcp-ts/sdk.
/// </summary>
internal static class SecretValues
{
    /// <summary>
    /// The stored form of a JSON column's value: its JSON text, or when the column is encrypted the envelope in JSON
    /// string quotes (how the column holds it), or bare when <paramref name="quoted"/> is false (the cache entry's form).
    /// </summary>
    public static string WriteJson<T>(SessionKeyRing? ring, SecretColumn column, T value, bool quoted = true) =>
        Ring(ring).Encrypts(column)
            ? PooledJsonWriter.Serialize(value, JsonColumn.TypeInfo<T>(), (ring!, column, quoted), static (json, s) => s.Item1.Protect(s.column, json, s.quoted))
            : JsonColumn.Serialize(value);

    public static T ReadJson<T>(SessionKeyRing? ring, SecretColumn column, string stored)
    {
        if (TryEnvelope(column, stored, out var envelope))
        {
            using var json = Ring(ring).Unprotect(column, envelope);
            return Parse<T>(column, json.Span);
        }

        try
        {
            return JsonColumn.Deserialize<T>(stored);
        }
        catch (JsonException e)
        {
            throw NotJson<T>(column, e);
        }
    }

    /// <summary>
    /// A stored secret as its plaintext JSON text, UTF-8, decrypted now (so a wrong key or a tampered value fails here)
    /// and left to be parsed by <see cref="Parse{T}"/> when it is first read (<see cref="McpSession.SetPendingSecret"/>).
    /// Null only for a <c>code_verifier</c> stored in clear text, which is the verifier itself rather than JSON.
    /// </summary>
    /// <exception cref="SecretDecryptionException">The value does not decrypt, or is a JSON string that is not an envelope.</exception>
    public static byte[]? Plaintext(SessionKeyRing? ring, SecretColumn column, ReadOnlySpan<char> stored)
    {
        if (column == SecretColumn.CodeVerifier)
        {
            if (!SessionKeyRing.IsEncrypted(stored))
            {
                return null;
            }

            using var verifier = Ring(ring).Unprotect(column, stored, exact: true);
            return verifier.ToArray();
        }

        if (!TryEnvelope(column, stored, out var envelope))
        {
            var clear = new byte[Encoding.UTF8.GetByteCount(stored)]; // clear text (legacy, or allowed): its JSON as it is
            Encoding.UTF8.GetBytes(stored, clear);
            return clear;
        }

        using var json = Ring(ring).Unprotect(column, envelope, exact: true);
        return json.ToArray();
    }

    /// <summary>
    /// A secret's plaintext JSON text as its member's value: the object of a JSON column, the string of
    /// <c>code_verifier</c>. The one place a plaintext is parsed, eagerly (<see cref="ReadJson{T}"/>, <see cref="ReadText"/>)
    /// or when a pending member is first read.
    /// </summary>
    /// <exception cref="SecretDecryptionException">It is not valid JSON for the member (no session named; the caller adds it).</exception>
    public static T Parse<T>(SecretColumn column, ReadOnlySpan<byte> json)
    {
        if (column == SecretColumn.CodeVerifier)
        {
            string? verifier;
            try
            {
                verifier = JsonSerializer.Deserialize(json, SessionJsonContext.Default.String);
            }
            catch (JsonException)
            {
                throw new SecretDecryptionException(column.Label(), "the decrypted value is not a JSON string");
            }

            return (T)(object)(verifier ?? throw new SecretDecryptionException(column.Label(), "the decrypted value is null"));
        }

        try
        {
            return JsonSerializer.Deserialize(json, JsonColumn.TypeInfo<T>()) ?? throw new JsonException("The JSON column holds null.");
        }
        catch (JsonException e)
        {
            throw NotJson<T>(column, e);
        }
    }

    /// <summary>
    /// Whether a JSON column's stored text holds an envelope, and the envelope: "enc:…" in JSON string quotes (the
    /// usual form, read in place), a JSON string with escapes (never written by the library), or bare. False for
    /// clear-text JSON.
    /// </summary>
    /// <exception cref="SecretDecryptionException">It is a JSON string that is not an envelope.</exception>
    private static bool TryEnvelope(SecretColumn column, ReadOnlySpan<char> stored, out ReadOnlySpan<char> envelope)
    {
        if (IsPlainJsonString(stored, out envelope))
        {
            return SessionKeyRing.IsEncrypted(envelope)
                ? true
                : throw new SecretDecryptionException(column.Label(), "the column holds a JSON string that is not an encrypted value");
        }

        var text = stored.TrimStart();
        if (text.Length > 0 && text[0] == '"')
        {
            // A JSON string with escapes: unescape it first.
            envelope = JsonSerializer.Deserialize(stored, SessionJsonContext.Default.String) ?? "";
            return SessionKeyRing.IsEncrypted(envelope)
                ? true
                : throw new SecretDecryptionException(column.Label(), "the column holds a JSON string that is not an encrypted value");
        }

        envelope = stored;
        return SessionKeyRing.IsEncrypted(stored);
    }

    public static string WriteText(SessionKeyRing? ring, SecretColumn column, string value) =>
        Ring(ring).Encrypts(column)
            ? PooledJsonWriter.Serialize(value, SessionJsonContext.Default.String, (ring!, column), static (json, s) => s.Item1.Protect(s.column, json, quoted: false))
            : value;

    public static string ReadText(SessionKeyRing? ring, SecretColumn column, string stored)
    {
        if (!SessionKeyRing.IsEncrypted(stored))
        {
            return stored;
        }

        using var json = Ring(ring).Unprotect(column, stored);
        return Parse<string>(column, json.Span);
    }

    /// <summary>Whether <paramref name="stored"/> is one JSON string without escapes (as every envelope is), and its content.</summary>
    private static bool IsPlainJsonString(ReadOnlySpan<char> stored, out ReadOnlySpan<char> content)
    {
        var text = stored.Trim();
        content = text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1] : default;
        return text.Length >= 2 && text[0] == '"' && text[^1] == '"' && !content.ContainsAny('"', '\\');
    }

    private static SecretDecryptionException NotJson<T>(SecretColumn column, JsonException e) =>
        new(column.Label(), $"the value is not valid JSON for {typeof(T).Name}", innerException: new JsonException(e.Message.Split(" Path:", 2)[0]));

    private static SessionKeyRing Ring(SessionKeyRing? ring) => ring ?? throw new EncryptionConfigurationException(
        "This context maps McpSession but its encryption is not configured: register it with services.AddMcpSessions<TContext>() " +
        "(or use the library's SessionsDbContext through services.AddMcpSessions()).");
}
