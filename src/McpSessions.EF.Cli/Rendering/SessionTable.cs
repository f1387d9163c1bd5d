using System.Globalization;
using McpSessions.EF.Lifecycle;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Spectre.Console;

namespace McpSessions.EF.Cli.Rendering;

/// <summary>
/// Tables of sessions for people. Secrets (headers, client registration, tokens, code verifier) are never
/// rendered: a stored secret shows as <see cref="Hidden"/>.
/// </summary>
internal static class SessionTable
{
    public const string Hidden = "•••";

    /// <summary>The demo's table: live sessions of one day, times of day, and which secrets each holds.</summary>
    public static Table Create(string title, IEnumerable<McpSession> sessions, DateTimeOffset now)
    {
        var table = NewTable(title, $"times in UTC, now {now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} · {Hidden} = secret stored, never shown", withSecrets: true);
        foreach (var session in sessions)
        {
            table.AddRow([
                .. Leading(session.SessionId, session.Identity, session.ServerName ?? session.ServerUrl, session.TransportType),
                State(session.Active ? SessionState.Active : SessionState.Pending),
                Secrets(session),
                Time(session.CreatedAt),
                Expiry(session.ExpiresAt, now, Time)]);
        }

        return Empty(table, "no live sessions");
    }

    /// <summary><c>list</c>: sessions of any day and state; no secrets at all, not even which are stored.</summary>
    public static Table Create(string title, IEnumerable<SessionSummary> sessions, DateTimeOffset now)
    {
        var table = NewTable(title, $"times in UTC, now {DateTime(now)} · expires: end of the OAuth window when pending, start of dormancy when active", withSecrets: false);
        foreach (var session in sessions)
        {
            table.AddRow([
                .. Leading(session.SessionId, session.Identity, session.ServerName ?? session.ServerUrl, session.TransportType),
                State(session.State),
                DateTime(session.CreatedAt),
                Expiry(session.LiveUntil, now, DateTime)]);
        }

        return Empty(table, "no sessions");
    }

    /// <summary>The wire name, as stored in <c>transport_type</c>.</summary>
    public static string Transport(McpTransportType transport) => transport switch
    {
        McpTransportType.Sse => "sse",
        McpTransportType.StreamableHttp => "streamable_http",
        _ => transport.ToString(),
    };

    /// <summary>The state's name for people and for <c>--json</c>: <c>pending</c>, <c>active</c>, <c>dormant</c>, <c>expired</c>.</summary>
    public static string StateName(SessionState state) => state.ToString().ToLowerInvariant();

    public static string State(SessionState state) => state switch
    {
        SessionState.Active => "[green]active[/]",
        SessionState.Pending => "[yellow]pending[/]",
        SessionState.Dormant => "[grey]dormant[/]",
        _ => "[red]expired[/]",
    };

    public static string DateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Expiry(DateTimeOffset when, DateTimeOffset now, Func<DateTimeOffset, string> format)
    {
        var left = when - now;
        var relative = left > TimeSpan.Zero ? $"in {Duration(left)}" : $"[red]{Duration(-left)} ago[/]";
        return $"{format(when)}\n[dim]{relative}[/]";
    }

    // The cells both tables start with: id, identity, server, transport.
    private static string[] Leading(string sessionId, string identity, string server, McpTransportType transport) =>
        [Markup.Escape(sessionId), Markup.Escape(identity), Markup.Escape(server), Transport(transport)];

    private static Table NewTable(string title, string caption, bool withSecrets)
    {
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(title)}[/]")
            .Caption($"[dim]{Markup.Escape(caption)}[/]")
            .AddColumn(new TableColumn("Session id").NoWrap())
            .AddColumn("Identity")
            .AddColumn("Server")
            .AddColumn("Transport")
            .AddColumn("State");
        if (withSecrets)
        {
            table.AddColumn("Secrets");
        }

        return table
            .AddColumn(new TableColumn("Created").NoWrap())
            .AddColumn("Expires");
    }

    private static Table Empty(Table table, string what)
    {
        if (table.Rows.Count == 0)
        {
            table.AddRow([$"[dim]{what}[/]", .. Enumerable.Repeat("", table.Columns.Count - 1)]);
        }

        return table;
    }

    // Which secrets are stored, by name only, one a line.
    private static string Secrets(McpSession session)
    {
        var stored = new List<string>(4);
        Add(session.ClientInformation is not null, "client");
        Add(session.Tokens is not null, "tokens");
        Add(session.CodeVerifier is not null, "verifier");
        Add(session.Headers is { Count: > 0 }, "headers");
        return stored.Count == 0 ? "[dim]none[/]" : string.Join('\n', stored);

        void Add(bool present, string name)
        {
            if (present)
            {
                stored.Add($"{name} {Hidden}");
            }
        }
    }

    private static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) =>
        span.TotalDays >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.#}d")
        : span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#}h")
        : span.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#}m")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0}s");
}
