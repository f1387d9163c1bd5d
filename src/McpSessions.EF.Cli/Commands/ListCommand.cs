using System.CommandLine;
using McpSessions.EF.Cli.Configuration;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.Storage;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary><c>mcp-sessions list</c>: sessions without their secrets; nothing is decrypted.</summary>
internal sealed class ListCommand : StoreCommand
{
    private readonly Option<string?> _identity = new("--identity") { Description = "Only this identity's sessions.", HelpName = "id" };
    private readonly Option<bool> _all = new("--all") { Description = "Every session, whatever its state (pending, active, dormant, expired), not only live ones." };
    private readonly Option<bool> _json = JsonOption();

    public ListCommand(IAnsiConsole console)
        : base(
            "list",
            "List live sessions (all states with --all): id, identity, server, transport, state, created, expires. Never secrets.",
            console,
            "mcp-sessions list --identity alice",
            "mcp-sessions list --all --json")
    {
        Add(_identity);
        Add(_all);
        Add(_json);
    }

    protected override bool UsesKey => false;

    protected override async Task<int> RunAsync(ParseResult parseResult, CliStore store, CancellationToken cancellationToken)
    {
        var identity = parseResult.GetValue(_identity);
        var all = parseResult.GetValue(_all);
        var sessions = store.Admin.ListAsync(identity, all, cancellationToken);
        if (parseResult.GetValue(_json))
        {
            await JsonOutput.WriteAsync(async writer =>
            {
                writer.WriteStartArray();
                await foreach (var session in sessions)
                {
                    Write(writer, session);
                }

                writer.WriteEndArray();
            });
            return 0;
        }

        var rows = new List<SessionSummary>();
        await foreach (var session in sessions)
        {
            rows.Add(session);
        }

        var title = $"{(all ? "All sessions" : "Live sessions")}{(identity is null ? "" : $" of {identity}")} in the {store.Database}";
        Out.Write(SessionTable.Create(title, rows, store.Admin.Now));
        Out.MarkupLine($"{rows.Count} session(s).");
        return 0;
    }

    private static void Write(System.Text.Json.Utf8JsonWriter writer, SessionSummary session)
    {
        writer.WriteStartObject();
        writer.WriteString("sessionId", session.SessionId);
        writer.WriteString("identity", session.Identity);
        writer.WriteString("serverId", session.ServerId);
        writer.WriteString("serverName", session.ServerName);
        writer.WriteString("serverUrl", session.ServerUrl);
        writer.WriteString("transportType", SessionTable.Transport(session.TransportType));
        writer.WriteString("state", SessionTable.StateName(session.State));
        writer.WriteBoolean("active", session.Active);
        writer.WriteString("createdAt", session.CreatedAt.UtcDateTime);
        writer.WriteString("updatedAt", session.UpdatedAt.UtcDateTime);
        writer.WriteString("expiresAt", session.ExpiresAt.UtcDateTime);
        writer.WriteString("liveUntil", session.LiveUntil.UtcDateTime);
        writer.WriteEndObject();
    }
}
