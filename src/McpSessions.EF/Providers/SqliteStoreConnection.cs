using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;

namespace McpSessions.EF.Providers;

#pragma warning disable EF1001 // EF Core's internal SQLite connection: see the remarks.

/// <summary>
/// The library's own SQLite connection service: EF Core's, minus the SQL functions it registers on every connection
/// (<c>regexp</c> and the <c>ef_*</c> decimal helpers). Microsoft.Data.Sqlite registers a connection's functions again
/// each time it is opened, and the store opens one per call, which made an open cost ~30 µs instead of ~1 µs: as much
/// as a whole raw primary-key read. The session model has no decimal and the store's queries no regular expression, so
/// the library's context never calls them.
/// </summary>
/// <remarks>
/// This derives from an EF Core internal type (stable from EF Core 6 to 10), for the library's own
/// <c>SessionsDbContext</c> only, never a host's. Re-check it on an EF Core upgrade: the SQLite specification tests
/// run every store call through it.
/// </remarks>
internal sealed class SqliteStoreConnection(
    RelationalConnectionDependencies dependencies,
    IRawSqlCommandBuilder rawSqlCommandBuilder,
    IDiagnosticsLogger<DbLoggerCategory.Infrastructure> logger)
    : SqliteRelationalConnection(dependencies, rawSqlCommandBuilder, logger)
{
    private readonly int? _commandTimeout = RelationalOptionsExtension.Extract(dependencies.ContextOptions).CommandTimeout;

    protected override DbConnection CreateDbConnection()
    {
        var connection = new SqliteConnection(GetValidatedConnectionString());
        if (_commandTimeout is { } timeout)
        {
            connection.DefaultTimeout = timeout;
        }

        return connection;
    }
}
