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
        if (IsPlainJsonString(stored, out var envelope))
        {
            // The usual encrypted value, "enc:…" in JSON string quotes: decrypted straight from the stored text.
            return SessionKeyRing.IsEncrypted(envelope)
                ? Decrypt<T>(Ring(ring), column, envelope)
                : throw new SecretDecryptionException(column.Label(), "the column holds a JSON string that is not an encrypted value");
        }

        var text = stored.AsSpan().TrimStart();
        if (text.Length > 0 && text[0] == '"')
        {
            // A JSON string with escapes (never written by the library): unescape it first.
            var inner = JsonSerializer.Deserialize(stored, SessionJsonContext.Default.String) ?? "";
            return SessionKeyRing.IsEncrypted(inner)
                ? Decrypt<T>(Ring(ring), column, inner)
                : throw new SecretDecryptionException(column.Label(), "the column holds a JSON string that is not an encrypted value");
        }

        if (SessionKeyRing.IsEncrypted(stored))
        {
            return Decrypt<T>(Ring(ring), column, stored);
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
        try
        {
            return JsonSerializer.Deserialize(json.Span, SessionJsonContext.Default.String)
                ?? throw new SecretDecryptionException(column.Label(), "the decrypted value is null");
        }
        catch (JsonException)
        {
            throw new SecretDecryptionException(column.Label(), "the decrypted value is not a JSON string");
        }
    }

    /// <summary>Whether <paramref name="stored"/> is one JSON string without escapes (as every envelope is), and its content.</summary>
    private static bool IsPlainJsonString(string stored, out ReadOnlySpan<char> content)
    {
        var text = stored.AsSpan().Trim();
        content = text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1] : default;
        return text.Length >= 2 && text[0] == '"' && text[^1] == '"' && !content.ContainsAny('"', '\\');
    }

    private static T Decrypt<T>(SessionKeyRing ring, SecretColumn column, ReadOnlySpan<char> envelope)
    {
        using var json = ring.Unprotect(column, envelope);
        try
        {
            return JsonSerializer.Deserialize(json.Span, JsonColumn.TypeInfo<T>()) ?? throw new JsonException("The JSON column holds null.");
        }
        catch (JsonException e)
        {
            throw NotJson<T>(column, e);
        }
    }

    private static SecretDecryptionException NotJson<T>(SecretColumn column, JsonException e) =>
        new(column.Label(), $"the value is not valid JSON for {typeof(T).Name}", innerException: new JsonException(e.Message.Split(" Path:", 2)[0]));

    private static SessionKeyRing Ring(SessionKeyRing? ring) => ring ?? throw new EncryptionConfigurationException(
        "This context maps McpSession but its encryption is not configured: register it with services.AddMcpSessions<TContext>() " +
        "(or use the library's SessionsDbContext through services.AddMcpSessions()).");
}
