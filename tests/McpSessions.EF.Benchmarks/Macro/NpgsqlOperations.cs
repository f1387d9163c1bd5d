using System.Data.Common;
using McpSessions.EF.Encryption;
using Npgsql;
using NpgsqlTypes;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The PostgreSQL baseline: what a careful hand-written data layer does on the same table. One pooled connection per
/// operation from an <see cref="NpgsqlDataSource"/>, explicitly prepared statements (prepared once per physical
/// connection; Npgsql keeps them across pooled opens), the same SQL shape as the library's: the same columns, the same
/// live predicate, the same keyset paging for all ids. It writes the same stored secret text but does not encrypt
/// or decrypt (only the floor's list does), and returns rows as stored (<see cref="RawSession"/>).
/// </summary>
internal sealed class NpgsqlOperations(string connectionString, BenchPayload payload) : IRawOperations
{
    private const int PageSize = 1000;

    private const string InsertSql =
        "INSERT INTO mcp_sessions (id, session_id, identity, user_id, server_id, server_name, server_url, callback_url, transport_type, " +
        "created_at, updated_at, expires_at, active, headers, client_information, tokens, code_verifier, client_id) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULL, $16, $17)";

    private const string Select = "SELECT " + RawSession.Columns + ", xmin FROM mcp_sessions ";

    // The live predicate of SPEC §4, as the library writes it: dormant cutoff, then now.
    private const string Get = Select + "WHERE session_id = $1 AND identity = $2 AND ((active AND updated_at >= $3) OR (NOT active AND expires_at > $4)) LIMIT 1";

    private const string Update =
        "UPDATE mcp_sessions SET tokens = $5, active = TRUE, expires_at = $6, updated_at = $7 " +
        "WHERE session_id = $1 AND identity = $2 AND ((active AND updated_at >= $3) OR (NOT active AND expires_at > $4))";

    private const string List = Select + "WHERE identity = $1 AND ((active AND updated_at >= $2) OR (NOT active AND expires_at > $3)) ORDER BY created_at, session_id";

    private const string ListIds = "SELECT session_id FROM mcp_sessions WHERE identity = $1 AND ((active AND updated_at >= $2) OR (NOT active AND expires_at > $3)) ORDER BY created_at, session_id";

    private const string AllIdsPage = "SELECT session_id FROM mcp_sessions WHERE session_id > $1 AND ((active AND updated_at >= $2) OR (NOT active AND expires_at > $3)) ORDER BY session_id LIMIT $4";

    private const string Delete = "DELETE FROM mcp_sessions WHERE session_id = $1 AND identity = $2";

    private static readonly TimeSpan DormantAfter = TimeSpan.FromDays(30);
    private static readonly TimeSpan PendingTtl = TimeSpan.FromSeconds(600);
    private static readonly TimeSpan ActiveTtl = TimeSpan.FromHours(12);

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);
    private readonly Func<DbDataReader, RawSession> _readOpened = RawSession.ReadOpened(payload.Cipher);

    public string Name => "raw Npgsql";

    public Task CreateAsync(Workload work, int i) => CreateAsync(work, i, payload.StoredHeaders, payload.StoredClientInformation, payload.StoredCodeVerifier);

    /// <summary>
    /// <see cref="CreateAsync(Workload, int)"/> with the secrets serialized and encrypted for this call
    /// (<see cref="StoredSecretCipher"/>), as any data layer that encrypts what it writes must: a create's floor.
    /// </summary>
    public Task CreateSealedAsync(Workload work, int i) => CreateAsync(
        work,
        i,
        payload.Cipher.Seal(SecretColumn.Headers, payload.Headers),
        payload.Cipher.Seal(SecretColumn.ClientInformation, payload.ClientInformation),
        payload.Cipher.Seal(SecretColumn.CodeVerifier, payload.CodeVerifier));

    private async Task CreateAsync(Workload work, int i, string storedHeaders, string storedClientInformation, string storedCodeVerifier)
    {
        var now = Now();
        var identity = work.IdentityOf(i);
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = Command(
            InsertSql, connection, new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7(now) }, Text(work.SessionId(i)), Text(identity), Text(identity),
            Text(BenchPayload.ServerId), Text(BenchPayload.ServerName), Text(BenchPayload.ServerUrl), Text(BenchPayload.CallbackUrl), Text("streamable_http"),
            Time(now), Time(now), Time(now + PendingTtl), new NpgsqlParameter<bool> { TypedValue = false },
            Json(storedHeaders), Json(storedClientInformation), Text(storedCodeVerifier), Text(payload.ClientInformation.ClientId!));
        await command.PrepareAsync();
        Check.Count("insert", await command.ExecuteNonQueryAsync(), 1);
    }

    public Task GetAsync(Workload work, int i) => GetAsync(work, i, RawSession.Read);

    /// <summary><see cref="GetAsync(Workload, int)"/>, then the row's stored secrets authenticated and decrypted (<see cref="StoredSecretCipher"/>): a get's floor.</summary>
    public Task GetOpenedAsync(Workload work, int i) => GetAsync(work, i, _readOpened);

    private async Task GetAsync(Workload work, int i, Func<DbDataReader, RawSession> read)
    {
        var now = Now();
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = Command(Get, connection, Text(work.SessionId(i)), Text(work.IdentityOf(i)), Time(now - DormantAfter), Time(now));
        await command.PrepareAsync();
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync() || read(reader).ClientInformation is null)
        {
            throw new InvalidOperationException($"raw get: session {work.SessionId(i)} not found");
        }
    }

    public Task UpdateAsync(Workload work, int i) => UpdateAsync(work, i, payload.StoredTokens);

    /// <summary>
    /// <see cref="UpdateAsync(Workload, int)"/> with the tokens serialized and encrypted for this call
    /// (<see cref="StoredSecretCipher"/>), as any data layer that encrypts what it writes must: an update's floor.
    /// </summary>
    public Task UpdateSealedAsync(Workload work, int i) => UpdateAsync(work, i, payload.Cipher.Seal(SecretColumn.Tokens, payload.Tokens));

    private async Task UpdateAsync(Workload work, int i, string storedTokens)
    {
        var now = Now();
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = Command(
            Update, connection, Text(work.SessionId(i)), Text(work.IdentityOf(i)), Time(now - DormantAfter), Time(now),
            Json(storedTokens), Time(now + ActiveTtl), Time(now));
        await command.PrepareAsync();
        Check.Count("raw update", await command.ExecuteNonQueryAsync(), 1);
    }

    public Task ListAsync(Workload work, int identity) => ListAsync(work, identity, RawSession.Read);

    public Task ListOpenedAsync(Workload work, int identity) => ListAsync(work, identity, _readOpened);

    private async Task ListAsync(Workload work, int identity, Func<DbDataReader, RawSession> read)
    {
        var now = Now();
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = Command(List, connection, Text(work.Identity(identity)), Time(now - DormantAfter), Time(now));
        await command.PrepareAsync();
        var rows = await RawReads.AllAsync(command, read);

        Check.Count("raw list", rows.Count, work.PerIdentity(identity));
    }

    public async Task ListIdsAsync(Workload work, int identity)
    {
        var now = Now();
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = Command(ListIds, connection, Text(work.Identity(identity)), Time(now - DormantAfter), Time(now));
        await command.PrepareAsync();
        var ids = await RawReads.AllAsync(command, RawReads.FirstColumn);

        Check.Count("raw list ids", ids.Count, work.PerIdentity(identity));
    }

    public async Task<long> ListAllIdsAsync()
    {
        long count = 0;
        var after = "";
        while (true)
        {
            var now = Now();
            List<string> page;
            await using (var connection = await _dataSource.OpenConnectionAsync())
            await using (var command = Command(AllIdsPage, connection, Text(after), Time(now - DormantAfter), Time(now), new NpgsqlParameter<int> { TypedValue = PageSize }))
            {
                await command.PrepareAsync();
                page = await RawReads.AllAsync(command, RawReads.FirstColumn, PageSize);
            }

            count += page.Count;
            if (page.Count < PageSize)
            {
                return count;
            }

            after = page[^1];
        }
    }

    public async Task DeleteAsync(Workload work, int i)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = Command(Delete, connection, Text(work.SessionId(i)), Text(work.IdentityOf(i)));
        await command.PrepareAsync();
        Check.Count("raw delete", await command.ExecuteNonQueryAsync(), 1);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>The same truncation to microseconds the library applies (PostgreSQL's resolution).</summary>
    private static DateTimeOffset Now()
    {
        var ticks = DateTimeOffset.UtcNow.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }

    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    private static NpgsqlParameter<string> Json(string value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Jsonb };

    private static NpgsqlParameter<DateTimeOffset> Time(DateTimeOffset value) => new() { TypedValue = value };
}
