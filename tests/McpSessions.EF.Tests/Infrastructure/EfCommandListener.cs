using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Listens to EF Core's <see cref="DiagnosticListener"/> (what OpenTelemetry's EF instrumentation listens to) and keeps
/// the text of every executed command whose connection names <c>marker</c> (a database name or a SQLite file name),
/// so tests running beside it on other databases do not count.
/// </summary>
public sealed class EfCommandListener : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string _marker;
    private readonly List<string> _commands = [];
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IDisposable _all;

    public EfCommandListener(string marker)
    {
        _marker = marker;
        _all = DiagnosticListener.AllListeners.Subscribe(this);
    }

    /// <summary>The command texts seen so far, in order.</summary>
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

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            var subscription = value.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name);
            lock (_subscriptions)
            {
                _subscriptions.Add(subscription);
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == RelationalEventId.CommandExecuted.Name && value.Value is CommandExecutedEventData data && Names(data.Command.Connection))
        {
            lock (_commands)
            {
                _commands.Add(data.Command.CommandText);
            }
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _all.Dispose();
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }
    }

    private bool Names(System.Data.Common.DbConnection? connection) =>
        connection is not null
        && $"{connection.DataSource}|{connection.Database}|{connection.ConnectionString}".Contains(_marker, StringComparison.Ordinal);
}
