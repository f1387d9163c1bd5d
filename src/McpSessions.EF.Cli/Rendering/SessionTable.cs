using System.Globalization;
using McpSessions.EF.Model;
using Spectre.Console;

namespace McpSessions.EF.Cli.Rendering;

/// <summary>
/// A table of sessions for people. Secrets (headers, client registration, tokens, code verifier) are never
/// rendered: a stored secret shows as <see cref="Hidden"/>.
/// </summary>
internal static class SessionTable
{
    public const string Hidden = "•••";

    public static Table Create(string title, IEnumerable<McpSession> sessions, DateTimeOffset now)
    {
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(title)}[/]")
            .Caption($"[dim]times in UTC, now {now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} · {Hidden} = secret stored, never shown[/]")
            .AddColumn(new TableColumn("Session id").NoWrap())
            .AddColumn("Identity")
            .AddColumn("Server")
            .AddColumn("Transport")
            .AddColumn("State")
            .AddColumn("Secrets")
            .AddColumn(new TableColumn("Created").NoWrap())
            .AddColumn("Expires");

        foreach (var session in sessions)
        {
            table.AddRow(
                Markup.Escape(session.SessionId),
                Markup.Escape(session.Identity),
                Markup.Escape(session.ServerName ?? session.ServerUrl),
                Transport(session.TransportType),
                session.Active ? "[green]active[/]" : "[yellow]pending[/]",
                Secrets(session),
                Time(session.CreatedAt),
                Expiry(session, now));
        }

        if (table.Rows.Count == 0)
        {
            table.AddRow("[dim]no live sessions[/]", "", "", "", "", "", "", "");
        }

        return table;
    }

    /// <summary>The wire name, as stored in <c>transport_type</c>.</summary>
    public static string Transport(McpTransportType transport) => transport switch
    {
        McpTransportType.Sse => "sse",
        McpTransportType.StreamableHttp => "streamable_http",
        _ => transport.ToString(),
    };

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

    private static string Expiry(McpSession session, DateTimeOffset now)
    {
        var left = session.ExpiresAt - now;
        var relative = left > TimeSpan.Zero ? $"in {Duration(left)}" : $"[red]{Duration(-left)} ago[/]";
        return $"{Time(session.ExpiresAt)}\n[dim]{relative}[/]";
    }

    private static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#}h")
        : span.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#}m")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0}s");
}
