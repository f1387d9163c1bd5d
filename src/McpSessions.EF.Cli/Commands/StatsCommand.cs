using System.CommandLine;
using System.Globalization;
using McpSessions.EF.Cli.Configuration;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.Lifecycle;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary><c>mcp-sessions stats</c>: counts by state and by identity, and the database size.</summary>
internal sealed class StatsCommand : StoreCommand
{
    private readonly Option<int> _top = new("--top") { Description = "How many identities to list, most sessions first.", DefaultValueFactory = _ => 10, HelpName = "n" };
    private readonly Option<bool> _json = JsonOption();

    public StatsCommand(IAnsiConsole console)
        : base(
            "stats",
            "Count sessions by state (pending, active, dormant, expired) and by identity (top N), and show the database size.",
            console,
            "mcp-sessions stats --top 5",
            "mcp-sessions stats --json")
    {
        _top.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--top must be 0 or more.");
            }
        });
        Add(_top);
        Add(_json);
    }

    protected override bool UsesKey => false;

    protected override async Task<int> RunAsync(ParseResult parseResult, CliStore store, CancellationToken cancellationToken)
    {
        var stats = await store.Admin.GetStatisticsAsync(parseResult.GetValue(_top), cancellationToken);
        if (parseResult.GetValue(_json))
        {
            await JsonOutput.WriteAsync(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("database", store.Database);
                writer.WriteNumber("total", stats.Total);
                writer.WriteStartObject("byState");
                foreach (var (state, count) in stats.ByState)
                {
                    writer.WriteNumber(SessionTable.StateName(state), count);
                }

                writer.WriteEndObject();
                writer.WriteNumber("identities", stats.Identities);
                writer.WriteStartArray("topIdentities");
                foreach (var (identity, sessions) in stats.TopIdentities)
                {
                    writer.WriteStartObject();
                    writer.WriteString("identity", identity);
                    writer.WriteNumber("sessions", sessions);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteNumber("databaseSizeBytes", stats.DatabaseSizeBytes);
                writer.WriteEndObject();
            });
            return 0;
        }

        var byState = new Table().Border(TableBorder.Rounded).Title("[bold]Sessions by state[/]").AddColumn("State").AddColumn(new TableColumn("Sessions").RightAligned());
        foreach (var state in Enum.GetValues<SessionState>())
        {
            byState.AddRow(SessionTable.State(state), Number(stats.ByState[state]));
        }

        byState.AddRow("[bold]total[/]", $"[bold]{Number(stats.Total)}[/]");
        var byIdentity = new Table().Border(TableBorder.Rounded).Title($"[bold]Top {stats.TopIdentities.Count} of {Number(stats.Identities)} identities[/]")
            .AddColumn("Identity").AddColumn(new TableColumn("Sessions").RightAligned());
        foreach (var (identity, sessions) in stats.TopIdentities)
        {
            byIdentity.AddRow(Markup.Escape(identity), Number(sessions));
        }

        Out.Write(new Columns(byState, byIdentity).Collapse());
        Out.MarkupLine($"Database: {Markup.Escape(store.Database)}, {Size(stats.DatabaseSizeBytes)} ({Number(stats.DatabaseSizeBytes)} bytes).");
        return 0;
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Size(long bytes) =>
        bytes >= 1 << 30 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 30):0.0} GiB")
        : bytes >= 1 << 20 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):0.0} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB");
}
