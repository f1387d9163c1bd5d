using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The fastest get Microsoft.Data.Sqlite allows: a connection kept open (with the same pragmas) and the get's
/// command prepared once on it, run again with new parameter values. Each worker of a phase holds one such pair for
/// a call (a pair is taken from a stack and put back, so there are never more than the phase's concurrency) and the
/// pairs live as long as the baseline, so every measured call reuses a prepared statement. The same get followed by
/// AES-GCM decryption of the row's stored secrets is the floor of a get that authenticates what it reads.
/// </summary>
internal sealed partial class SqliteOperations
{
    private readonly ConcurrentStack<PreparedGet> _preparedGets = new();

    public const string PreparedName = "raw Sqlite, prepared";

    /// <summary>The same get as <see cref="GetAsync"/>, on an open connection with the command prepared once.</summary>
    public Task GetPreparedAsync(Workload work, int i) => GetPreparedAsync(work, i, RawSession.Read);

    /// <summary><see cref="GetPreparedAsync(Workload, int)"/>, then the row's stored secrets authenticated and decrypted (<see cref="StoredSecretCipher"/>).</summary>
    public Task GetPreparedOpenedAsync(Workload work, int i) => GetPreparedAsync(work, i, _readOpened);

    private async Task GetPreparedAsync(Workload work, int i, Func<DbDataReader, RawSession> read)
    {
        if (!_preparedGets.TryPop(out var get))
        {
            get = await PrepareGetAsync();
        }

        try
        {
            var now = Now();
            get.SessionId.Value = work.SessionId(i);
            get.Identity.Value = work.IdentityOf(i);
            get.Cutoff.Value = now - DormantAfter;
            get.Now.Value = now;
            await using var reader = await get.Command.ExecuteReaderAsync();
            if (!await reader.ReadAsync() || read(reader).ClientInformation is null)
            {
                throw new InvalidOperationException($"raw prepared get: session {work.SessionId(i)} not found");
            }
        }
        finally
        {
            _preparedGets.Push(get);
        }
    }

    private async Task<PreparedGet> PrepareGetAsync()
    {
        var connection = await OpenAsync();
        var command = Command(Get, connection);
        var get = new PreparedGet(
            connection,
            command,
            command.Parameters.Add("@session_id", SqliteType.Text),
            command.Parameters.Add("@identity", SqliteType.Text),
            command.Parameters.Add("@cutoff", SqliteType.Integer),
            command.Parameters.Add("@now", SqliteType.Integer));
        command.Prepare();
        return get;
    }

    private async ValueTask DisposePreparedAsync()
    {
        while (_preparedGets.TryPop(out var get))
        {
            await get.Command.DisposeAsync();
            await get.Connection.DisposeAsync();
        }
    }

    private sealed record PreparedGet(SqliteConnection Connection, SqliteCommand Command, SqliteParameter SessionId, SqliteParameter Identity, SqliteParameter Cutoff, SqliteParameter Now);
}
