using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace McpSessions.EF.Providers;

/// <summary>
/// Sets the store's pragmas on a SQLite file once per physical connection, when EF opens it: <c>journal_mode=WAL</c>
/// (kept in the file, so sent only until it has been set once) and <c>synchronous</c> (a per-connection setting).
/// Microsoft.Data.Sqlite pools physical connections behind its <see cref="SqliteConnection"/> objects and EF opens one
/// per store call, so the interceptor remembers the physical connections it configured, keyed weakly on their native
/// handle: opening a configured one costs a table lookup and no statement, and no command ever carries a pragma.
/// </summary>
internal sealed class SqliteConnectionPragmas : DbConnectionInterceptor
{
    private static readonly object Configured = new();

    private readonly ConditionalWeakTable<object, object> _configured = [];
    private readonly string _synchronous;
    private volatile bool _walSet;
    private int _applied;

    public SqliteConnectionPragmas(SqliteSynchronous synchronous) =>
        _synchronous = synchronous == SqliteSynchronous.Full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";

    /// <summary>How many times the pragmas were sent: once per physical connection.</summary>
    public int Applied => Volatile.Read(ref _applied);

    /// <summary>The native connection behind an open <paramref name="connection"/>, which identifies it across pooled opens.</summary>
    public static object? HandleOf(SqliteConnection connection) => connection.Handle;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        // Microsoft.Data.Sqlite runs every statement synchronously; an async path would only add overhead.
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>Sets the pragmas on the physical connection behind <paramref name="connection"/>, unless it has them already.</summary>
    public void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection sqlite || HandleOf(sqlite) is not { } handle || _configured.TryGetValue(handle, out _))
        {
            return;
        }

        using (var command = sqlite.CreateCommand())
        {
            command.CommandText = _walSet ? _synchronous : "PRAGMA journal_mode=WAL; " + _synchronous;
            command.ExecuteNonQuery();
        }

        _walSet = true;
        _configured.AddOrUpdate(handle, Configured);
        Interlocked.Increment(ref _applied);
    }
}
