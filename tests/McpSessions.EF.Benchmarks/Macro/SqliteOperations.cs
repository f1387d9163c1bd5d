using System.Data.Common;
using System.Runtime.CompilerServices;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Providers;
using Microsoft.Data.Sqlite;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The SQLite baseline: hand-written Microsoft.Data.Sqlite on the same file and table, under the same pragmas as the
/// library (WAL, <c>synchronous</c> as configured, set once per physical connection). One pooled connection and one
/// command per operation, as idiomatic ADO.NET code does (Microsoft.Data.Sqlite prepares a command when it first
/// runs it). The same SQL shape as the library's; the same stored secret text, without encryption or decryption
/// (which only the floors' reads add). A second get, prepared once per connection and reused, is in
/// <c>SqliteOperations.Prepared.cs</c>.
/// </summary>
internal sealed partial class SqliteOperations : IRawOperations
{
    private const int PageSize = 1000;
    private const string LiveAt = "((active AND updated_at >= @cutoff) OR (NOT active AND expires_at > @now))";
    private const string Select = "SELECT " + RawSession.Columns + ", version FROM mcp_sessions ";

    private const string Insert =
        "INSERT INTO mcp_sessions (id, session_id, identity, user_id, server_id, server_name, server_url, callback_url, transport_type, " +
        "created_at, updated_at, expires_at, active, headers, client_information, tokens, code_verifier, client_id, version) " +
        "VALUES (@id, @session_id, @identity, @identity, @server_id, @server_name, @server_url, @callback_url, @transport_type, " +
        "@now, @now, @expires_at, 0, @headers, @client_information, NULL, @code_verifier, @client_id, 0)";

    private const string Get = Select + "WHERE session_id = @session_id AND identity = @identity AND " + LiveAt + " LIMIT 1";

    private const string Update =
        "UPDATE mcp_sessions SET tokens = @tokens, active = 1, expires_at = @expires_at, updated_at = @now, version = version + 1 " +
        "WHERE session_id = @session_id AND identity = @identity AND " + LiveAt;

    private const string List = Select + "WHERE identity = @identity AND " + LiveAt + " ORDER BY created_at, session_id";

    private const string ListIds = "SELECT session_id FROM mcp_sessions WHERE identity = @identity AND " + LiveAt + " ORDER BY created_at, session_id";

    private const string AllIdsPage = "SELECT session_id FROM mcp_sessions WHERE session_id > @after AND " + LiveAt + " ORDER BY session_id LIMIT @page_size";

    private const string Delete = "DELETE FROM mcp_sessions WHERE session_id = @session_id AND identity = @identity";

    private static readonly long DormantAfter = (long)TimeSpan.FromDays(30).TotalMicroseconds;
    private static readonly long PendingTtl = (long)TimeSpan.FromSeconds(600).TotalMicroseconds;
    private static readonly long ActiveTtl = (long)TimeSpan.FromHours(12).TotalMicroseconds;

    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly BenchPayload _payload;
    private readonly Func<DbDataReader, RawSession> _readOpened;
    private readonly ConditionalWeakTable<object, object> _configured = [];

    public SqliteOperations(string path, SqliteSynchronous synchronous, BenchPayload payload)
    {
        // A connection string of its own (Default Timeout is the default anyway), so it has a pool of its own.
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ConnectionString;
        _pragmas = $"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous.ToString().ToUpperInvariant()};";
        _payload = payload;
        _readOpened = RawSession.ReadOpened(payload.Cipher);
    }

    public string Name => "raw Microsoft.Data.Sqlite";

    public async Task CreateAsync(Workload work, int i)
    {
        var now = Now();
        await using var connection = await OpenAsync();
        await using var command = Command(Insert, connection);
        command.Parameters.AddWithValue("@id", Guid.CreateVersion7().ToString().ToUpperInvariant());
        command.Parameters.AddWithValue("@session_id", work.SessionId(i));
        command.Parameters.AddWithValue("@identity", work.IdentityOf(i));
        command.Parameters.AddWithValue("@server_id", BenchPayload.ServerId);
        command.Parameters.AddWithValue("@server_name", BenchPayload.ServerName);
        command.Parameters.AddWithValue("@server_url", BenchPayload.ServerUrl);
        command.Parameters.AddWithValue("@callback_url", BenchPayload.CallbackUrl);
        command.Parameters.AddWithValue("@transport_type", "streamable_http");
        command.Parameters.AddWithValue("@now", now);
        command.Parameters.AddWithValue("@expires_at", now + PendingTtl);
        command.Parameters.AddWithValue("@headers", _payload.StoredHeaders);
        command.Parameters.AddWithValue("@client_information", _payload.StoredClientInformation);
        command.Parameters.AddWithValue("@code_verifier", _payload.StoredCodeVerifier);
        command.Parameters.AddWithValue("@client_id", _payload.ClientInformation.ClientId);
        Check.Count("raw insert", await command.ExecuteNonQueryAsync(), 1);
    }

    public async Task GetAsync(Workload work, int i)
    {
        var now = Now();
        await using var connection = await OpenAsync();
        await using var command = Command(Get, connection);
        command.Parameters.AddWithValue("@session_id", work.SessionId(i));
        command.Parameters.AddWithValue("@identity", work.IdentityOf(i));
        AddLive(command, now);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync() || RawSession.Read(reader).ClientInformation is null)
        {
            throw new InvalidOperationException($"raw get: session {work.SessionId(i)} not found");
        }
    }

    public async Task UpdateAsync(Workload work, int i)
    {
        var now = Now();
        await using var connection = await OpenAsync();
        await using var command = Command(Update, connection);
        command.Parameters.AddWithValue("@session_id", work.SessionId(i));
        command.Parameters.AddWithValue("@identity", work.IdentityOf(i));
        command.Parameters.AddWithValue("@tokens", _payload.StoredTokens);
        command.Parameters.AddWithValue("@expires_at", now + ActiveTtl);
        AddLive(command, now);
        Check.Count("raw update", await command.ExecuteNonQueryAsync(), 1);
    }

    public Task ListAsync(Workload work, int identity) => ListAsync(work, identity, RawSession.Read);

    public Task ListOpenedAsync(Workload work, int identity) => ListAsync(work, identity, _readOpened);

    private async Task ListAsync(Workload work, int identity, Func<DbDataReader, RawSession> read)
    {
        var now = Now();
        await using var connection = await OpenAsync();
        await using var command = Command(List, connection);
        command.Parameters.AddWithValue("@identity", work.Identity(identity));
        AddLive(command, now);
        var rows = await RawReads.AllAsync(command, read);

        Check.Count("raw list", rows.Count, work.PerIdentity(identity));
    }

    public async Task ListIdsAsync(Workload work, int identity)
    {
        var now = Now();
        await using var connection = await OpenAsync();
        await using var command = Command(ListIds, connection);
        command.Parameters.AddWithValue("@identity", work.Identity(identity));
        AddLive(command, now);
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
            await using (var connection = await OpenAsync())
            await using (var command = Command(AllIdsPage, connection))
            {
                command.Parameters.AddWithValue("@after", after);
                command.Parameters.AddWithValue("@page_size", PageSize);
                AddLive(command, now);
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
        await using var connection = await OpenAsync();
        await using var command = Command(Delete, connection);
        command.Parameters.AddWithValue("@session_id", work.SessionId(i));
        command.Parameters.AddWithValue("@identity", work.IdentityOf(i));
        Check.Count("raw delete", await command.ExecuteNonQueryAsync(), 1);
    }

    public async ValueTask DisposeAsync()
    {
        await DisposePreparedAsync();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    /// <summary>A pooled connection; the pragmas go once to each physical connection (keyed by its native handle).</summary>
    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        var handle = SqliteConnectionPragmas.HandleOf(connection)!;
        if (!_configured.TryGetValue(handle, out _))
        {
            await using var pragma = Command(_pragmas, connection);
            await pragma.ExecuteNonQueryAsync();
            _configured.AddOrUpdate(handle, handle);
        }

        return connection;
    }

#pragma warning disable CA2100 // constant SQL
    private static SqliteCommand Command(string sql, SqliteConnection connection) => new(sql, connection);
#pragma warning restore CA2100

    private static void AddLive(SqliteCommand command, long now)
    {
        command.Parameters.AddWithValue("@cutoff", now - DormantAfter);
        command.Parameters.AddWithValue("@now", now);
    }

    /// <summary>Now as the library stores it: microseconds since the Unix epoch.</summary>
    private static long Now() => (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
}
