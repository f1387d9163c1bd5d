using McpSessions.EF.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

namespace McpSessions.EF.Storage;

/// <summary>
/// Makes sure the schema is there before the first store call: migrates when <c>AutoMigrate</c> is on, and
/// otherwise fails with a message naming both ways to migrate. A failure is not remembered, so migrating from
/// outside lets the next call through without a restart.
/// </summary>
internal sealed class SessionSchemaGate(bool autoMigrate, SessionsDatabase? database) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _ready;

    public bool IsReady => _ready;

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

            var migrations = context.GetService<IMigrationsAssembly>().Migrations;
            if (database is not null && migrations.Count == 0)
            {
                throw new SessionSchemaNotReadyException(
                    $"No migrations were found for {database.Provider.Name}: reference the package {database.Provider.MigrationsAssembly} from the application.");
            }

            if (autoMigrate)
            {
                await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
                if (pending.Count > 0)
                {
                    // EF reads "no such database" as "no history table": ask, so the message says which it is.
                    var exists = pending.Count < migrations.Count
                        || await context.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken).ConfigureAwait(false);
                    throw new SessionSchemaNotReadyException(NotReadyMessage(context, pending, exists));
                }
            }

            _ready = true;
        }
        finally
        {
            _lock.Release();
        }
    }

    private string NotReadyMessage(DbContext context, List<string> pending, bool exists)
    {
        var where = database?.Description ?? $"the database of {context.GetType().Name}";
        var state = pending.Count == context.GetService<IMigrationsAssembly>().Migrations.Count ? "has no session schema" : "has an older session schema";
        if (!exists)
        {
            state += ": the database does not exist";
        }

        return $"The {where} {state} ({pending.Count} pending migration(s): {string.Join(", ", pending)}) and McpSessions:AutoMigrate is off. "
            + $"Apply the migrations with `dotnet ef database update --context {context.GetType().Name}` run in your app's folder, "
            + "or with the CLI, `mcp-sessions migrate`, or set McpSessions:AutoMigrate to true.";
    }
}
