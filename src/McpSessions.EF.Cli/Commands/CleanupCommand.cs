using System.CommandLine;
using McpSessions.EF.Cli.Configuration;
using McpSessions.EF.Cli.Rendering;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary><c>mcp-sessions cleanup</c>: <c>CleanupExpiredAsync</c>, with progress on big tables.</summary>
internal sealed class CleanupCommand(IAnsiConsole console) : StoreCommand(
    "cleanup",
    "Remove every session that is no longer live (pending past its OAuth window, active but dormant), in batches, and print how many.",
    console,
    "mcp-sessions cleanup")
{
    protected override bool UsesKey => false;

    protected override async Task<int> RunAsync(ParseResult parseResult, CliStore store, CancellationToken cancellationToken)
    {
        var due = await store.Admin.CountNotLiveAsync(cancellationToken);
        var removed = await CliProgress.RunAsync(Out, "Removing sessions no longer live", report =>
            store.Admin.CleanupExpiredAsync(new CliProgress.Callback<int>(done => report(done, due)), cancellationToken));
        Out.MarkupLine($"Removed {removed} session(s) that were no longer live from the {Markup.Escape(store.Database)}.");
        return 0;
    }
}
