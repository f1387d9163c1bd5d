using Microsoft.EntityFrameworkCore.Diagnostics;

namespace McpSessions.EF.Storage;

/// <summary>
/// Runs the statements through EF Core's relational command pipeline, as a compiled query runs: the context's
/// connection (opened and closed per command, or held for a transaction), its command timeout, logging,
/// <c>DiagnosticListener</c> events and the host's interceptors, exactly as for any EF query.
/// </summary>
internal sealed class EfCommandRunner<TContext>(SessionContextSource<TContext> contexts, SessionSchemaGate schema, string reason)
    : SessionCommandRunner<TContext>(contexts, schema)
    where TContext : DbContext
{
    public override string ToString() => $"EF Core's command pipeline ({reason})";

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected override async Task<T> RunCoreAsync<TState, T>(TState state, Func<SessionConnection, TState, CancellationToken, Task<T>> work, bool transaction, CancellationToken cancellationToken)
    {
        await using var lease = await RentReadyAsync(cancellationToken).ConfigureAwait(false);
        return await lease.Context.Database.CreateExecutionStrategy().ExecuteAsync(
            (Connection: new Connection(lease.Context, Provider), State: state, Work: work, Transaction: transaction),
            static (context, s, ct) => s.Transaction ? InTransactionAsync(context, s.Connection, s.State, s.Work, ct) : s.Work(s.Connection, s.State, ct),
            verifySucceeded: null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> in a transaction that commits when it returns (without one, the work's own task is awaited: no state machine per call).</summary>
    private static async Task<T> InTransactionAsync<TState, T>(DbContext context, SessionConnection connection, TState state, Func<SessionConnection, TState, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var scope = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await work(connection, state, cancellationToken).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Runs one statement on <paramref name="context"/>, of <paramref name="provider"/>, outside any runner (the schema gate's probe).</summary>
    public static Task<List<T>> ReadAsync<T>(DbContext context, Providers.SessionsProvider provider, IRelationalCommandTemplate command, IReadOnlyDictionary<string, object?> values, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        new Connection(context, provider).ReadAsync(command, values, read, cancellationToken);

    private sealed class Connection(DbContext context, Providers.SessionsProvider provider) : SessionConnection
    {
        private readonly IRelationalConnection _connection = context.GetService<IRelationalConnection>();

        public override async Task<int> ExecuteAsync(IRelationalCommandTemplate command, IReadOnlyDictionary<string, object?> values, CancellationToken cancellationToken)
        {
            provider.BeforeWrite(_connection.DbConnection);
            var rented = Rent(command);
            try
            {
                return await rented.ExecuteNonQueryAsync(Parameters(values, CommandSource.ExecuteUpdate), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _connection.ReturnCommand(rented);
            }
        }

        public override async Task<List<T>> ReadAsync<T>(IRelationalCommandTemplate command, IReadOnlyDictionary<string, object?> values, Func<DbDataReader, T> read, CancellationToken cancellationToken)
        {
            var rented = Rent(command);
            try
            {
                var reader = await rented.ExecuteReaderAsync(Parameters(values, CommandSource.LinqQuery), cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var rows = new List<T>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        rows.Add(read(reader.DbDataReader));
                    }

                    return rows;
                }
            }
            finally
            {
                _connection.ReturnCommand(rented);
            }
        }

        /// <summary>A command of the connection's own filled from the shared template, as EF does for a compiled query.</summary>
        private IRelationalCommand Rent(IRelationalCommandTemplate template)
        {
            var command = _connection.RentCommand();
            command.PopulateFrom(template);
            return command;
        }

        private RelationalCommandParameterObject Parameters(IReadOnlyDictionary<string, object?> values, CommandSource source) =>
            new(_connection, values, readerColumns: null, context, context.GetService<IRelationalCommandDiagnosticsLogger>(), source);
    }
}
