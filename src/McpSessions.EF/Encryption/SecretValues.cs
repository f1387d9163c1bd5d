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
    public static string WriteJson<T>(SessionKeyRing? ring, SecretColumn column, T value)
    {
        var json = JsonColumn.Serialize(value);
        return Ring(ring).Encrypts(column) ? string.Concat("\"", ring!.Protect(column, json), "\"") : json;
    }

    public static T ReadJson<T>(SessionKeyRing? ring, SecretColumn column, string stored)
    {
        var text = stored.AsSpan().TrimStart();
        string json;
        if (text.Length > 0 && text[0] == '"')
        {
            var inner = JsonSerializer.Deserialize(stored, SessionJsonContext.Default.String) ?? "";
            json = SessionKeyRing.IsEncrypted(inner)
                ? Ring(ring).Unprotect(column, inner)
                : throw new SecretDecryptionException(column.ColumnName(), "the column holds a JSON string that is not an encrypted value");
        }
        else if (SessionKeyRing.IsEncrypted(stored))
        {
            json = Ring(ring).Unprotect(column, stored);
        }
        else
        {
            json = stored;
        }

        try
        {
            return JsonColumn.Deserialize<T>(json);
        }
        catch (JsonException e)
        {
            throw new SecretDecryptionException(column.ColumnName(), $"the value is not valid JSON for {typeof(T).Name}", innerException: new JsonException(e.Message.Split(" Path:", 2)[0]));
        }
    }

    public static string WriteText(SessionKeyRing? ring, SecretColumn column, string value) =>
        Ring(ring).Encrypts(column) ? ring!.Protect(column, JsonSerializer.Serialize(value, SessionJsonContext.Default.String)) : value;

    public static string ReadText(SessionKeyRing? ring, SecretColumn column, string stored)
    {
        if (!SessionKeyRing.IsEncrypted(stored))
        {
            return stored;
        }

        var json = Ring(ring).Unprotect(column, stored);
        try
        {
            return JsonSerializer.Deserialize(json, SessionJsonContext.Default.String)
                ?? throw new SecretDecryptionException(column.ColumnName(), "the decrypted value is null");
        }
        catch (JsonException)
        {
            throw new SecretDecryptionException(column.ColumnName(), "the decrypted value is not a JSON string");
        }
    }

    private static SessionKeyRing Ring(SessionKeyRing? ring) => ring ?? throw new EncryptionConfigurationException(
        "This context maps McpSession but its encryption is not configured: register it with services.AddMcpSessions<TContext>() " +
        "(or use the library's SessionsDbContext through services.AddMcpSessions()).");
}
