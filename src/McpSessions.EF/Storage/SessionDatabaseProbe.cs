using McpSessions.EF.Providers;
using Microsoft.EntityFrameworkCore;

namespace McpSessions.EF.Storage;

/// <summary>Probes the store's database through its own context: one connection test, one read of the migrations history.</summary>
internal sealed class SessionDatabaseProbe<TContext>(SessionContextSource<TContext> contexts, SessionsDatabase? database) : ISessionDatabaseProbe
    where TContext : DbContext
{
    public async Task<SessionDatabaseState> ProbeAsync(CancellationToken cancellationToken)
    {
        await using var lease = contexts.Rent();
        var description = database?.Description
            ?? $"{SessionStatements.For(lease.Context).Provider.Name} database of {typeof(TContext).Name}, session table {SessionStatements.For(lease.Context).TableName}";
        if (!await lease.Context.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            return new SessionDatabaseState(false, [], description);
        }

        if (database is not null)
        {
            var pending = await lease.Context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false);
            return new SessionDatabaseState(true, pending.ToList(), description);
        }

        // A host's context: its own pending migrations are the host's business; only the session table counts.
        try
        {
            await SessionSchemaGate.CheckHostTableAsync(lease.Context, cancellationToken).ConfigureAwait(false);
            return new SessionDatabaseState(true, [], description);
        }
        catch (SessionSchemaNotReadyException e)
        {
            return new SessionDatabaseState(true, [], description, e.Message);
        }
    }
}
