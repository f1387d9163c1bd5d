using System.Collections.Concurrent;
using System.Data;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace McpSessions.EF.Providers;

/// <summary>
/// Runs the statements on the library's own SQLite database as prepared statements on connections that stay open.
/// Microsoft.Data.Sqlite prepares a command's SQL again for every new command and drops it when its connection closes
/// (efcore#14044), and compiling the session SELECT costs SQLite about twice what running it does. So a small pool of
/// connections stays open, each with its most recently used statements prepared (<see cref="MaxStatements"/>, least
/// recently used evicted), and a call rebinds only the parameter values: each parameter added by its EF type mapping,
/// as EF binds it, so what is written and read is exactly what EF would write and read.
/// </summary>
/// <remarks>
/// Each kept connection has a context of its own, used by one call at a time: its execution strategy, command timeout
/// and diagnostics logger (EF's command logging and <c>DiagnosticListener</c> see these commands as EF's own). Chosen
/// only without an app's command or connection interceptor, which could not change these commands (see the DI).
/// </remarks>
internal sealed class SqlitePreparedRunner<TContext>(
    SessionContextSource<TContext> contexts,
    SessionSchemaGate schema,
    string connectionString,
    SqliteConnectionPragmas? pragmas)
    : SessionCommandRunner<TContext>(contexts, schema)
    where TContext : DbContext
{
    /// <summary>The most connections kept open between calls; more may be open while calls run.</summary>
    private const int MaxIdle = 32;

    /// <summary>The most statements kept prepared per connection: the fixed ones and the common update shapes.</summary>
    private const int MaxStatements = 32;

    private readonly ConcurrentBag<PreparedConnection> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    public override string ToString() => "prepared SQLite statements on kept-open connections (the library's own SQLite database, no interceptors)";

    protected override async Task<T> RunCoreAsync<TState, T>(TState state, Func<SessionConnection, TState, CancellationToken, Task<T>> work, bool transaction, CancellationToken cancellationToken)
    {
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        var keep = false;
        try
        {
            var result = await connection.Strategy.ExecuteAsync(
                (Connection: connection, State: state, Work: work, Transaction: transaction),
                static (_, s, ct) => s.Transaction ? InTransactionAsync(s.Connection, s.State, s.Work, ct) : s.Work(s.Connection, s.State, ct),
                verifySucceeded: null,
                cancellationToken).ConfigureAwait(false);
            keep = true;
            return result;
        }
        catch (Exception e) when (e is SqliteException { SqliteErrorCode: 19 } or Encryption.SecretDecryptionException)
        {
            keep = true; // a constraint violation or an unreadable row leaves the connection as it was
            throw;
        }
        catch (SessionDatabaseUnreachableException)
        {
            CloseIdle(); // the file went away under every kept connection: the next call opens the path afresh
            throw;
        }
        finally
        {
            connection.Transaction = null;
            Return(connection, keep);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a transaction that commits when it returns (without one, the work's own task is awaited: no state machine per call).</summary>
    private static async Task<T> InTransactionAsync<TState, T>(PreparedConnection connection, TState state, Func<SessionConnection, TState, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var scope = connection.Transaction = connection.Connection.BeginTransaction();
        var result = await work(connection, state, cancellationToken).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public override ValueTask DisposeAsync()
    {
        _disposed = true;
        CloseIdle();
        return ValueTask.CompletedTask;
    }

    private async ValueTask<PreparedConnection> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            return idle;
        }

        var lease = await RentReadyAsync(cancellationToken).ConfigureAwait(false);
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            pragmas?.Apply(connection);
            return new PreparedConnection(connection, lease);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Return(PreparedConnection connection, bool keep)
    {
        if (keep && connection.Connection.State == ConnectionState.Open && !_disposed)
        {
            if (Interlocked.Increment(ref _idleCount) <= MaxIdle)
            {
                _idle.Add(connection);
                if (_disposed)
                {
                    CloseIdle(); // disposed while this call ran: nobody else will close it
                }

                return;
            }

            Interlocked.Decrement(ref _idleCount);
        }

        connection.Dispose();
    }

    private void CloseIdle()
    {
        while (_idle.TryTake(out var connection))
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
        }
    }

    /// <summary>
    /// An open connection, the context whose settings and diagnostics its calls use, and its most recently used
    /// prepared commands (least recently used evicted). One call at a time uses it.
    /// </summary>
    private sealed class PreparedConnection(SqliteConnection connection, SessionContextSource<TContext>.Lease lease) : SessionConnection, IDisposable
    {
        private readonly Dictionary<IRelationalCommandTemplate, LinkedListNode<(IRelationalCommandTemplate Template, SqliteCommand Command)>> _byTemplate =
            new(ReferenceEqualityComparer.Instance);

        private readonly LinkedList<(IRelationalCommandTemplate Template, SqliteCommand Command)> _recent = new();
        private readonly IRelationalConnection _ef = lease.Context.GetService<IRelationalConnection>();
        private readonly IRelationalCommandDiagnosticsLogger _logger = lease.Context.GetService<IRelationalCommandDiagnosticsLogger>();

        public SqliteConnection Connection => connection;

        public DbContext Context => lease.Context;

        /// <summary>The context's execution strategy, made once: it is used by one call at a time, as the connection is.</summary>
        public IExecutionStrategy Strategy { get; } = lease.Context.Database.CreateExecutionStrategy();

        public SqliteTransaction? Transaction { get; set; }

        // Microsoft.Data.Sqlite runs every statement synchronously (its async methods wrap the sync ones), so these
        // run the sync methods and return a completed task: no state machine per call. Cancellation interrupts the
        // statement (sqlite3_interrupt), as Microsoft.Data.Sqlite's own async methods do.
        public override Task<int> ExecuteAsync(IRelationalCommandTemplate template, IReadOnlyDictionary<string, object?> values, CancellationToken cancellationToken)
        {
            SessionsProvider.Sqlite.BeforeWrite(connection);
            var (command, log, id, at, start) = Bind(template, values, cancellationToken);
            using var cancel = Cancellable(command, cancellationToken);
            if (log)
            {
                _logger.CommandNonQueryExecuting(_ef, command, command.CommandText, Context, id, _ef.ConnectionId, at, CommandSource.ExecuteUpdate);
            }

            try
            {
                var rows = command.ExecuteNonQuery();
                return Task.FromResult(log ? _logger.CommandNonQueryExecuted(_ef, command, command.CommandText, Context, id, _ef.ConnectionId, rows, at, Stopwatch.GetElapsedTime(start), CommandSource.ExecuteUpdate) : rows);
            }
            catch (Exception e) when (log)
            {
                _logger.CommandError(_ef, command, command.CommandText, Context, DbCommandMethod.ExecuteNonQuery, id, _ef.ConnectionId, e, at, Stopwatch.GetElapsedTime(start), CommandSource.ExecuteUpdate);
                throw;
            }
        }

        public override Task<List<T>> ReadAsync<T>(IRelationalCommandTemplate template, IReadOnlyDictionary<string, object?> values, Func<DbDataReader, T> read, CancellationToken cancellationToken)
        {
            var (command, log, id, at, start) = Bind(template, values, cancellationToken);
            using var cancel = Cancellable(command, cancellationToken);
            if (log)
            {
                _logger.CommandReaderExecuting(_ef, command, command.CommandText, Context, id, _ef.ConnectionId, at, CommandSource.LinqQuery);
            }

            DbDataReader reader;
            try
            {
                reader = command.ExecuteReader(CommandBehavior.SingleResult);
                if (log)
                {
                    reader = _logger.CommandReaderExecuted(_ef, command, command.CommandText, Context, id, _ef.ConnectionId, reader, at, Stopwatch.GetElapsedTime(start), CommandSource.LinqQuery);
                }
            }
            catch (Exception e) when (log)
            {
                _logger.CommandError(_ef, command, command.CommandText, Context, DbCommandMethod.ExecuteReader, id, _ef.ConnectionId, e, at, Stopwatch.GetElapsedTime(start), CommandSource.LinqQuery);
                throw;
            }

            using (reader)
            {
                var rows = new List<T>();
                while (reader.Read())
                {
                    rows.Add(read(reader));
                }

                return Task.FromResult(rows);
            }
        }

        public void Dispose()
        {
            foreach (var (_, command) in _recent)
            {
                command.Dispose();
            }

            connection.Dispose();
            lease.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        /// <summary>Interrupts <paramref name="command"/> when <paramref name="cancellationToken"/> is cancelled.</summary>
        private static CancellationTokenRegistration Cancellable(SqliteCommand command, CancellationToken cancellationToken) =>
            cancellationToken.CanBeCanceled ? cancellationToken.Register(static c => ((SqliteCommand)c!).Cancel(), command) : default;

        /// <summary>The prepared command of <paramref name="template"/>, bound as EF binds (each parameter's type mapping creates it, its value converted).</summary>
        private (SqliteCommand Command, bool Log, Guid Id, DateTimeOffset At, long Start) Bind(IRelationalCommandTemplate template, IReadOnlyDictionary<string, object?> values, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var command = Prepared(template);
            command.Transaction = Transaction;
            command.CommandTimeout = _ef.CommandTimeout ?? connection.DefaultTimeout;
            command.Parameters.Clear();
            foreach (var parameter in template.Parameters)
            {
                parameter.AddDbParameter(command, values);
            }

            // As EF's own commands do: events only when a logger or listener wants them (EF caches the answer).
            var at = DateTimeOffset.UtcNow;
            var log = _logger.ShouldLogCommandExecute(at);
            return (command, log, log ? Guid.NewGuid() : default, at, Stopwatch.GetTimestamp());
        }

        /// <summary>The prepared command of <paramref name="template"/> on this connection, prepared now if it is not.</summary>
        private SqliteCommand Prepared(IRelationalCommandTemplate template)
        {
            if (_byTemplate.TryGetValue(template, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                return node.Value.Command;
            }

#pragma warning disable CA2100 // the SQL is built from the model's names (SessionStatements), never from input
            var command = new SqliteCommand(template.CommandText, connection);
#pragma warning restore CA2100
            try
            {
                command.Prepare();
            }
            catch
            {
                command.Dispose();
                throw;
            }

            _byTemplate[template] = _recent.AddFirst((template, command));
            if (_recent.Count > MaxStatements)
            {
                var evicted = _recent.Last!;
                _recent.RemoveLast();
                _byTemplate.Remove(evicted.Value.Template);
                evicted.Value.Command.Dispose();
            }

            return command;
        }
    }
}
