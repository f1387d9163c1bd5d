using Microsoft.EntityFrameworkCore.Migrations;

namespace McpSessions.EF.Storage;

/// <summary>
/// Makes sure the session table is there before the first store call. On the library's own database: its migrations
/// are applied (migrating when <c>AutoMigrate</c> is on), otherwise a message names both ways to migrate. On a host's
/// context, which is the host's to migrate: the session table and its columns are there, whatever else the host has
/// pending. A failure is not remembered, so migrating from outside lets the next call through without a restart.
/// </summary>
internal sealed class SessionSchemaGate(bool autoMigrate, SessionsDatabase? database) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _ready;

    public void Dispose() => _lock.Dispose();

    public ValueTask EnsureReadyAsync(DbContext context, CancellationToken cancellationToken) =>
        _ready ? ValueTask.CompletedTask : new ValueTask(EnsureReadySlowAsync(context, cancellationToken));

    private async Task EnsureReadySlowAsync(DbContext context, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            await CheckAsync(context, autoMigrate, cancellationToken).ConfigureAwait(false);
            _ready = true;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Throws <see cref="SessionSchemaNotReadyException"/>, saying why and what to run, unless the session table is ready;
    /// on the library's own database it first migrates when <paramref name="migrate"/>. Remembers nothing.
    /// </summary>
    public Task CheckAsync(DbContext context, bool migrate, CancellationToken cancellationToken) =>
        database is null ? CheckHostTableAsync(context, cancellationToken) : EnsureMigratedAsync(context, database, migrate, cancellationToken);

    /// <summary>Selects every mapped column of no row: a missing table or column fails, and nothing is created.</summary>
    private static async Task CheckHostTableAsync(DbContext context, CancellationToken cancellationToken)
    {
        var statements = SessionStatements.For(context);
        try
        {
            await EfCommandRunner<DbContext>.ReadAsync(context, statements.Provider, statements.Probe.Command, new StatementValues(), static _ => 0, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (statements.Provider.IsMissingSchema(e))
        {
            throw new SessionSchemaNotReadyException(
                $"The session table {statements.TableName} of {context.GetType().Name} is missing or lacks a column. It is your context's to create: "
                + $"add a migration (`dotnet ef migrations add AddMcpSessions --context {context.GetType().Name}`) and apply it (`dotnet ef database update`).",
                e);
        }
    }

    private static async Task EnsureMigratedAsync(DbContext context, SessionsDatabase database, bool migrate, CancellationToken cancellationToken)
    {
        var migrations = context.GetService<IMigrationsAssembly>().Migrations;
        if (migrations.Count == 0)
        {
            throw new SessionSchemaNotReadyException(
                $"No migrations were found for {database.Provider.Name}: reference the package {database.Provider.MigrationsAssembly} from the application.");
        }

        if (await AllAppliedAsync(context, database, migrations, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (migrate)
        {
            await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        if (pending.Count > 0)
        {
            // EF reads "no such database" as "no history table": ask, so the message says which it is.
            var exists = pending.Count < migrations.Count
                || await context.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken).ConfigureAwait(false);
            throw new SessionSchemaNotReadyException(NotReadyMessage(context, database, pending, migrations.Count, exists));
        }
    }

    /// <summary>
    /// Whether the database exists and its history table lists every migration of the assembly: one query through EF's
    /// command pipeline. EF's own answer (<c>GetPendingMigrationsAsync</c>, and <c>MigrateAsync</c> before it finds
    /// nothing to do) first builds a model of the history table with the whole convention set, which in a new process
    /// is most of the first call's time once the session model is compiled (issue 18). Anything else (no database, no
    /// history table, a migration missing) answers false and EF decides, as before.
    /// </summary>
    private static async Task<bool> AllAppliedAsync(DbContext context, SessionsDatabase database, IReadOnlyDictionary<string, System.Reflection.TypeInfo> migrations, CancellationToken cancellationToken)
    {
        if (!await context.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var history = RelationalOptionsExtension.Extract(context.GetService<IDbContextOptions>());
        var sql = context.GetService<ISqlGenerationHelper>();

        // HistoryRepository names its key column after HistoryRow.MigrationId.
        var query = context.GetService<IRawSqlCommandBuilder>().Build(
            $"SELECT {sql.DelimitIdentifier(nameof(HistoryRow.MigrationId))} FROM {sql.DelimitIdentifier(history.MigrationsHistoryTableName ?? HistoryRepository.DefaultTableName, history.MigrationsHistoryTableSchema)}");
        try
        {
            var applied = await EfCommandRunner<DbContext>.ReadAsync(context, database.Provider, query, new StatementValues(), static r => r.GetString(0), cancellationToken).ConfigureAwait(false);
            return migrations.Keys.All(new HashSet<string>(applied, StringComparer.Ordinal).Contains);
        }
        catch (Exception e) when (database.Provider.IsMissingSchema(e))
        {
            return false;
        }
    }

    private static string NotReadyMessage(DbContext context, SessionsDatabase database, List<string> pending, int migrations, bool exists)
    {
        var state = pending.Count == migrations ? "has no session schema" : "has an older session schema";
        if (!exists)
        {
            state += ": the database does not exist";
        }

        return $"The {database.Description} {state} ({pending.Count} pending migration(s): {string.Join(", ", pending)}) and McpSessions:AutoMigrate is off. "
            + $"Apply the migrations with `dotnet ef database update --context {context.GetType().Name}` run in your app's folder, "
            + "or with the CLI, `mcp-sessions migrate`, or set McpSessions:AutoMigrate to true.";
    }
}
