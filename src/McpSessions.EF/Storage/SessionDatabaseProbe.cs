namespace McpSessions.EF.Storage;

/// <summary>
/// Connects, then asks <see cref="SessionSchemaGate.CheckAsync"/> without migrating: on the library's own database its
/// pending migrations, on a host's context the session table only (the host's own migrations are the host's business).
/// </summary>
internal sealed class SessionDatabaseProbe<TContext>(SessionContextSource<TContext> contexts, SessionSchemaGate schema, SessionsDatabase? database) : ISessionDatabaseProbe
    where TContext : DbContext
{
    public async Task<SessionDatabaseState> ProbeAsync(CancellationToken cancellationToken)
    {
        await using var lease = contexts.Rent();
        var statements = SessionStatements.For(lease.Context);
        var description = database?.Description ?? $"{statements.Provider.Name} database of {typeof(TContext).Name}, session table {statements.TableName}";
        if (!await lease.Context.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            return new SessionDatabaseState(false, description);
        }

        try
        {
            await schema.CheckAsync(lease.Context, migrate: false, cancellationToken).ConfigureAwait(false);
            return new SessionDatabaseState(true, description);
        }
        catch (SessionSchemaNotReadyException e)
        {
            return new SessionDatabaseState(true, description, e.Message);
        }
    }
}
