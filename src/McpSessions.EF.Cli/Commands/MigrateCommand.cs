using System.CommandLine;
using McpSessions.EF.Cli.Configuration;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary><c>mcp-sessions migrate</c>: applies the pending migrations of the configured provider and says which.</summary>
internal sealed class MigrateCommand(IAnsiConsole console) : StoreCommand(
    "migrate",
    "Apply the pending migrations for the configured provider (creating a SQLite file that does not exist yet) and print what was applied.",
    console,
    "MCP_TS_STORAGE_TYPE=postgres DATABASE_URL=postgres://app:secret@db:5432/app mcp-sessions migrate",
    "mcp-sessions migrate --provider sqlite --connection mcp-sessions.db")
{
    protected override bool CreatesDatabase => true;

    protected override bool UsesKey => false;

    protected override async Task<int> RunAsync(ParseResult parseResult, CliStore store, CancellationToken cancellationToken)
    {
        var applied = await store.Admin.MigrateAsync(cancellationToken);
        if (applied.Count == 0)
        {
            Out.MarkupLine($"The {Markup.Escape(store.Database)} is up to date: no pending migrations.");
            return 0;
        }

        Out.MarkupLine($"Applied {applied.Count} migration(s) to the {Markup.Escape(store.Database)}:");
        foreach (var id in applied)
        {
            Out.MarkupLine($"  [green]{Markup.Escape(id)}[/]");
        }

        return 0;
    }
}
