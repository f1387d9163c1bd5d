using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// A host's <see cref="DbCommandInterceptor"/>: records the text of every command it is shown and, while
/// <see cref="SuppressDeletes"/> is on, answers every non-query DELETE with "0 rows" instead of running it.
/// </summary>
public sealed class RecordingCommandInterceptor : DbCommandInterceptor
{
    private readonly List<string> _commands = [];

    /// <summary>While true, a DELETE run as a non-query is not sent to the database and reports 0 rows.</summary>
    public bool SuppressDeletes { get; set; }

    /// <summary>The DELETEs suppressed so far.</summary>
    public int Suppressed { get; private set; }

    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_commands)
            {
                return [.. _commands];
            }
        }
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        NonQuery(command, result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(NonQuery(command, result));

    private InterceptionResult<int> NonQuery(DbCommand command, InterceptionResult<int> result)
    {
        Record(command);
        if (SuppressDeletes && command.CommandText.Contains("DELETE", StringComparison.OrdinalIgnoreCase))
        {
            Suppressed++;
            return InterceptionResult<int>.SuppressWithResult(0);
        }

        return result;
    }

    private void Record(DbCommand command)
    {
        lock (_commands)
        {
            _commands.Add(command.CommandText);
        }
    }
}
