using System.Data.Common;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// A row as a hand-written data layer would materialise it: every column, secrets left as stored (no decryption, no
/// JSON parsing).
/// </summary>
internal sealed class RawSession
{
    /// <summary>The column list both raw baselines select, in the order <see cref="Read"/> reads.</summary>
    public const string Columns =
        "id, session_id, identity, user_id, server_id, server_name, server_url, callback_url, transport_type, " +
        "created_at, updated_at, expires_at, active, headers, client_information, tokens, code_verifier, client_id";

    public string SessionId = "", Identity = "", UserId = "", ServerUrl = "", CallbackUrl = "", TransportType = "";
    public string? ServerId, ServerName, Headers, ClientInformation, Tokens, CodeVerifier, ClientId;
    public object Id = Guid.Empty, CreatedAt = 0L, UpdatedAt = 0L, ExpiresAt = 0L;
    public bool Active;
    public long Version;

    /// <summary>
    /// <see cref="Read"/>, then each stored secret of the row authenticated and decrypted by <paramref name="opener"/>:
    /// the read of a floor, made once per baseline so that a read allocates no delegate.
    /// </summary>
    public static Func<DbDataReader, RawSession> ReadOpened(StoredSecretCipher opener) => reader => opener.OpenSecrets(Read(reader));

    /// <summary>Reads the columns of <see cref="Columns"/> and then the concurrency token at <c>Columns + 1</c>.</summary>
    public static RawSession Read(DbDataReader reader) => new()
    {
        Id = reader.GetValue(0),
        SessionId = reader.GetString(1),
        Identity = reader.GetString(2),
        UserId = reader.GetString(3),
        ServerId = reader.IsDBNull(4) ? null : reader.GetString(4),
        ServerName = reader.IsDBNull(5) ? null : reader.GetString(5),
        ServerUrl = reader.GetString(6),
        CallbackUrl = reader.GetString(7),
        TransportType = reader.GetString(8),
        CreatedAt = reader.GetValue(9),
        UpdatedAt = reader.GetValue(10),
        ExpiresAt = reader.GetValue(11),
        Active = !reader.IsDBNull(12) && reader.GetBoolean(12),
        Headers = reader.IsDBNull(13) ? null : reader.GetString(13),
        ClientInformation = reader.IsDBNull(14) ? null : reader.GetString(14),
        Tokens = reader.IsDBNull(15) ? null : reader.GetString(15),
        CodeVerifier = reader.IsDBNull(16) ? null : reader.GetString(16),
        ClientId = reader.IsDBNull(17) ? null : reader.GetString(17),
        Version = Convert.ToInt64(reader.GetValue(18), System.Globalization.CultureInfo.InvariantCulture),
    };
}
