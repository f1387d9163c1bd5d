using System.Runtime.CompilerServices;

namespace McpSessions.EF.Storage;

/// <summary>
/// The one way the library reaches the session table: runs <see cref="SessionStatements"/> on a context rented for the
/// call (the schema checked once, <see cref="SessionSchemaGate"/>), inside the context's execution strategy (a host's
/// <c>EnableRetryOnFailure</c> retries the whole unit), in a transaction when asked. Two implementations, one chosen
/// per store when it is built: <see cref="EfCommandRunner{TContext}"/> (EF Core's relational command pipeline) and
/// <see cref="Providers.SqlitePreparedRunner{TContext}"/> (kept-open prepared statements on the library's own SQLite database).
/// </summary>
internal abstract class SessionCommandRunner<TContext>(SessionContextSource<TContext> contexts, SessionSchemaGate schema) : IAsyncDisposable
    where TContext : DbContext
{
    /// <summary>Which runner this is and why it was chosen, for the log.</summary>
    public abstract override string ToString();

    /// <summary>
    /// Runs <paramref name="work"/> on one connection (and, when <paramref name="transaction"/>, in one transaction that
    /// commits when it returns), retried as a whole by the context's execution strategy. A connection failure that
    /// outlasts the strategy becomes <see cref="SessionDatabaseUnreachableException"/>, a refused write
    /// <see cref="SessionDatabaseReadOnlyException"/>: translated here, outside the strategy, so a host's
    /// <c>EnableRetryOnFailure</c> still sees (and retries) the provider's transient exception.
    /// </summary>
    public Task<T> RunAsync<TState, T>(TState state, Func<SessionConnection, TState, CancellationToken, Task<T>> work, bool transaction, CancellationToken cancellationToken)
    {
        // A call that completed (SQLite's always do) has nothing to translate: its task is returned as it is.
        var run = RunCoreAsync(state, work, transaction, cancellationToken);
        return run.IsCompletedSuccessfully ? run : TranslatedAsync(run);
    }

    private async Task<T> TranslatedAsync<T>(Task<T> run)
    {
        try
        {
            return await run.ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// What <see cref="RunAsync"/> does, in the context's execution strategy, untranslated. An async method: it fails
    /// only through its task, which is where <see cref="RunAsync"/> looks for an exception to translate.
    /// </summary>
    protected abstract Task<T> RunCoreAsync<TState, T>(TState state, Func<SessionConnection, TState, CancellationToken, Task<T>> work, bool transaction, CancellationToken cancellationToken);

    /// <summary>
    /// The provider's translation of <paramref name="exception"/> naming the store's database
    /// (<see cref="Providers.SessionsProvider.Translate"/>); null also before any context was rented: nothing has tried
    /// to connect then.
    /// </summary>
    private McpSessionsException? Translate(Exception exception) =>
        _target is not { } target ? null : target.Provider.Translate(exception, target.Database);

    private (Providers.SessionsProvider Provider, string Database)? _target;

    /// <summary>The provider of the store's contexts, known once the first context was rented (<see cref="RentReadyAsync"/>).</summary>
    protected Providers.SessionsProvider Provider => (_target ?? throw new InvalidOperationException("No context was rented yet.")).Provider;

    /// <summary>Runs one statement that returns no rows; returns the rows it changed.</summary>
    public Task<int> ExecuteAsync(IRelationalCommandTemplate command, StatementValues values, CancellationToken cancellationToken) =>
        RunAsync((command, values), static (c, s, ct) => c.ExecuteAsync(s.command, s.values, ct), transaction: false, cancellationToken);

    /// <summary>Runs one query and reads each row with <paramref name="read"/>.</summary>
    public Task<List<T>> ReadAsync<T>(IRelationalCommandTemplate command, StatementValues values, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        RunAsync((command, values, read), static (c, s, ct) => c.ReadAsync(s.command, s.values, s.read, ct), transaction: false, cancellationToken);

    /// <summary>
    /// Reads <paramref name="command"/> a page of <paramref name="pageSize"/> rows at a time, keyset-paged after the last
    /// row read (<paramref name="values"/> gets it; default before the first page): each page is one short query, so
    /// millions of rows stream in constant memory and no reader holds a connection between pages.
    /// </summary>
    public async IAsyncEnumerable<T> PagesAsync<T>(
        IRelationalCommandTemplate command, Func<T?, StatementValues> values, Func<DbDataReader, T> read, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = default(T);
        while (true)
        {
            var page = values(last);
            page[SessionStatements.LimitParameter] = pageSize;
            var rows = await ReadAsync(command, page, read, cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                yield return row;
            }

            if (rows.Count < pageSize)
            {
                yield break;
            }

            last = rows[^1];
        }
    }

    /// <summary>The statements of the store's model (the first call builds them from its context).</summary>
    public async ValueTask<SessionStatements> StatementsAsync(CancellationToken cancellationToken)
    {
        if (_statements is { } statements)
        {
            return statements;
        }

        try
        {
            await using var lease = await RentReadyAsync(cancellationToken).ConfigureAwait(false);
            return _statements = SessionStatements.For(lease.Context);
        }
        catch (Exception e) when (Translate(e) is { } translated)
        {
            throw translated;
        }
    }

    private SessionStatements? _statements;

    /// <summary>Rents a context on which the schema is ready (<see cref="SessionSchemaGate"/>).</summary>
    protected async ValueTask<SessionContextSource<TContext>.Lease> RentReadyAsync(CancellationToken cancellationToken)
    {
        var lease = contexts.Rent();
        _target ??= Target(lease.Context);
        try
        {
            await schema.EnsureReadyAsync(lease.Context, cancellationToken).ConfigureAwait(false);
            return lease;
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public abstract ValueTask DisposeAsync();

    private static (Providers.SessionsProvider, string) Target(DbContext context)
    {
        var provider = Providers.SessionsProvider.For(context.Database);
        return (provider, provider.Describe(context.Database.GetDbConnection()));
    }
}

/// <summary>A connection a <see cref="SessionCommandRunner{TContext}"/> runs statements on, for one unit of work.</summary>
internal abstract class SessionConnection
{
    /// <summary>Runs <paramref name="command"/> with <paramref name="values"/> (by invariant parameter name); returns the rows changed.</summary>
    public abstract Task<int> ExecuteAsync(IRelationalCommandTemplate command, IReadOnlyDictionary<string, object?> values, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="command"/> and reads every row with <paramref name="read"/>.</summary>
    public abstract Task<List<T>> ReadAsync<T>(IRelationalCommandTemplate command, IReadOnlyDictionary<string, object?> values, Func<DbDataReader, T> read, CancellationToken cancellationToken);
}
