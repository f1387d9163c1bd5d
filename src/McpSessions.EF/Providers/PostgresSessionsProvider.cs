using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Npgsql;

namespace McpSessions.EF.Providers;

/// <summary>PostgreSQL and Supabase: native <c>timestamptz</c> and <c>jsonb</c>, <c>xmin</c> as the concurrency token.</summary>
internal sealed class PostgresSessionsProvider : SessionsProvider
{
    public override string Name => "postgres";

    public override string MigrationsAssembly => "McpSessions.EF.Migrations.Postgres";

    public override string JsonColumnType => "jsonb";

    public override void ConfigureSession(EntityTypeBuilder<McpSession> session)
    {
        // The same defaults as @mcp-ts/sdk's install_mcp_sessions.sql, so a Node writer can omit these columns.
        session.Property(s => s.Id).HasColumnType("uuid").HasDefaultValueSql("gen_random_uuid()");
        session.Property(s => s.CreatedAt).HasColumnType("timestamptz").HasDefaultValueSql("now()").ValueGeneratedNever();
        session.Property(s => s.UpdatedAt).HasColumnType("timestamptz").HasDefaultValueSql("now()").ValueGeneratedNever();
        session.Property(s => s.ExpiresAt).HasColumnType("timestamptz");

        // xmin is a system column: every row has it and every write moves it.
        session.Property(s => s.Version).IsRowVersion();
    }

    public override bool MovesVersionItself => true;

    /// <summary>
    /// Locks the batch's rows with <c>FOR UPDATE SKIP LOCKED</c> before deleting them: concurrent cleaners on other
    /// instances each take rows the others have not locked, so no row is deleted (or counted) twice and nobody waits
    /// on anybody. Reads never wait on it (MVCC); a write to a row in the batch waits at most for the batch.
    /// </summary>
    public override string DeleteBatchSql(string table, string id, string condition, string orderBy, string limit) =>
        $"WITH doomed AS (SELECT {id} FROM {table} WHERE {condition} ORDER BY {orderBy} LIMIT {limit} FOR UPDATE SKIP LOCKED) "
        + $"DELETE FROM {table} AS s USING doomed WHERE s.{id} = doomed.{id}";

    /// <summary>A transaction-scoped advisory lock on a connection of the context's own data source and settings (through a pooler if the store's is).</summary>
    public override SharedLock SharedLockFor(System.Data.Common.DbConnection connection)
    {
        var own = ((NpgsqlConnection)connection).CloneWith(connection.ConnectionString);
        return (key, timeout, time, onTimeout, ct) => Locking.PostgresSessionLock.AcquireAsync(own, key, timeout, time, onTimeout, ct);
    }

    public override string JsonAsText(string delimitedColumn) => delimitedColumn + "::text";

    public override bool IsAccessDenied(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege };

    public override string DatabaseSizeSql => "SELECT pg_database_size(current_database()) AS \"Value\"";

    protected override bool IsConnectionFailureCore(Exception exception) => exception switch
    {
        // The server answered, but will not let this connection in, or ended it: shut down (fast: 57P01, immediate or
        // crash: 57P02), starting up or shutting down (57P03), or a connection exception (class 08).
        PostgresException e => e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification
            or PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections
            or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            || e.SqlState.StartsWith("08", StringComparison.Ordinal),

        // Npgsql's own exceptions (not the server's) are transport failures: refused, unknown host, timeout, TLS.
        NpgsqlException => true,
        _ => false,
    };

    public override string Describe(System.Data.Common.DbConnection connection)
    {
        var settings = new NpgsqlConnectionStringBuilder(connection.ConnectionString);
        // Without Database, PostgreSQL opens the database named as the user.
        return $"PostgreSQL database '{(string.IsNullOrEmpty(settings.Database) ? settings.Username : settings.Database)}' on {settings.Host}:{settings.Port}";
    }

    public override bool IsMissingSchema(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.InvalidSchemaName };

    public override bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
