using System.Collections.Concurrent;
using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;

namespace McpSessions.EF.Providers;

/// <summary>
/// The store's single-row statements on its own SQLite database (get, insert, update, touch and delete by key),
/// prepared once per connection and kept. Microsoft.Data.Sqlite prepares a command's SQL again on every new command and
/// drops it when its connection closes (efcore#14044), and compiling the session SELECT costs SQLite about twice what
/// running it does; EF Core creates a command per execution. So these statements run on a small pool of connections
/// that stay open, each with its prepared commands, rebinding only the parameter values. The SQL and parameters are
/// the ones <see cref="Storage.SessionCommands"/> builds from the model, with EF Core's type mappings and the model's
/// value converters, so what is written and read is exactly what EF would write and read.
/// </summary>
/// <remarks>
/// A connection serves one call at a time; a call finds an idle one or opens another, and at most
/// <see cref="MaxIdle"/> stay open between calls. Each connection gets the database's pragmas once, when it opens
/// (<see cref="SqliteConnectionPragmas"/>). A connection that failed is closed rather than kept. Used only for the
/// library's own <c>SessionsDbContext</c> on SQLite: a host's context keeps EF's own pipeline, with its interceptors.
/// </remarks>
internal sealed class SqlitePreparedStatements : IAsyncDisposable
{
    /// <summary>The most connections kept open between calls; more may be open while calls run.</summary>
    internal const int MaxIdle = 16;

    private readonly string _connectionString;
    private readonly SqliteConnectionPragmas? _pragmas;
    private readonly ConcurrentBag<PreparedConnection> _idle = [];
    private int _idleCount;
    private int _opened;
    private volatile bool _disposed;

    public SqlitePreparedStatements(string connectionString, SqliteConnectionPragmas? pragmas)
    {
        _connectionString = connectionString;
        _pragmas = pragmas;
    }

    /// <summary>How many connections were opened so far (tests).</summary>
    internal int Opened => Volatile.Read(ref _opened);

    /// <summary>Runs <paramref name="template"/> with <paramref name="values"/> (by invariant parameter name); returns the rows changed.</summary>
    public int ExecuteNonQuery(IRelationalCommandTemplate template, IReadOnlyDictionary<string, object?> values)
    {
        var connection = Rent();
        var failed = true;
        try
        {
            var rows = connection.Command(template, values).ExecuteNonQuery();
            failed = false;
            return rows;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            failed = false; // a constraint violation leaves the connection as it was
            throw;
        }
        finally
        {
            Return(connection, failed);
        }
    }

    /// <summary>Runs <paramref name="template"/> and reads its first row with <paramref name="read"/>; default when there is none.</summary>
    public T? ReadFirst<T>(IRelationalCommandTemplate template, IReadOnlyDictionary<string, object?> values, Func<SqliteDataReader, T> read)
    {
        var connection = Rent();
        var failed = true;
        try
        {
            T? result = default;
            using (var reader = connection.Command(template, values).ExecuteReader(CommandBehavior.SingleResult))
            {
                if (reader.Read())
                {
                    failed = false; // from here on a failure is the row's (a secret that does not decrypt), not the connection's
                    result = read(reader);
                }
            }

            failed = false;
            return result;
        }
        finally
        {
            Return(connection, failed);
        }
    }

    /// <summary>Runs <paramref name="sql"/> on one of the pooled connections and returns its first value (tests).</summary>
    internal object? Scalar(string sql)
    {
        var connection = Rent();
        try
        {
            return connection.Scalar(sql);
        }
        finally
        {
            Return(connection, failed: false);
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        CloseIdle();
        return ValueTask.CompletedTask;
    }

    private PreparedConnection Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            return idle;
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            _pragmas?.Apply(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        Interlocked.Increment(ref _opened);
        return new PreparedConnection(connection);
    }

    private void Return(PreparedConnection connection, bool failed)
    {
        if (!failed && connection.State == ConnectionState.Open && !_disposed)
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

    /// <summary>An open connection and the commands prepared on it, one per statement template.</summary>
    private sealed class PreparedConnection(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<IRelationalCommandTemplate, Prepared> _commands = new(ReferenceEqualityComparer.Instance);

        public ConnectionState State => connection.State;

        /// <summary>The prepared command of <paramref name="template"/> on this connection, with <paramref name="values"/> bound.</summary>
        public SqliteCommand Command(IRelationalCommandTemplate template, IReadOnlyDictionary<string, object?> values)
        {
            if (!_commands.TryGetValue(template, out var prepared))
            {
                prepared = Prepared.Create(connection, template);
                _commands[template] = prepared;
            }

            prepared.Bind(values);
            return prepared.Command;
        }

        public object? Scalar(string sql)
        {
#pragma warning disable CA2100 // tests only, constant SQL
            using var command = new SqliteCommand(sql, connection);
#pragma warning restore CA2100
            return command.ExecuteScalar();
        }

        public void Dispose()
        {
            foreach (var prepared in _commands.Values)
            {
                prepared.Command.Dispose();
            }

            connection.Dispose();
        }
    }

    /// <summary>A command prepared from a template, whose parameters are bound afresh for each call.</summary>
    private sealed class Prepared
    {
        private readonly IReadOnlyList<IRelationalParameter> _parameters;

        private Prepared(SqliteCommand command, IReadOnlyList<IRelationalParameter> parameters)
        {
            Command = command;
            _parameters = parameters;
        }

        public SqliteCommand Command { get; }

        public static Prepared Create(SqliteConnection connection, IRelationalCommandTemplate template)
        {
#pragma warning disable CA2100 // the SQL is built from the model's names (SessionCommands), never from input
            var command = new SqliteCommand(template.CommandText, connection);
#pragma warning restore CA2100
            try
            {
                command.Prepare();
                return new Prepared(command, template.Parameters);
            }
            catch
            {
                command.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Binds <paramref name="values"/> as EF Core does (<see cref="IRelationalParameter.AddDbParameter(System.Data.Common.DbCommand, IReadOnlyDictionary{string, object?})"/>:
        /// the type mapping creates each parameter, its value converted). Parameters are bound by name when the command
        /// runs, so replacing them keeps the prepared statement.
        /// </summary>
        public void Bind(IReadOnlyDictionary<string, object?> values)
        {
            Command.Parameters.Clear();
            foreach (var parameter in _parameters)
            {
                parameter.AddDbParameter(Command, values);
            }
        }
    }
}
