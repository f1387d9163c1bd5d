using System.CommandLine;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.Migrations.Postgres;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary>
/// <c>mcp-sessions supabase-init</c>: writes the timestamped, idempotent SQL migration files a Supabase project needs
/// (generated from the EF migrations, plus the RLS policies and, opt-in, the pg_cron cleanup) and says what to do next.
/// It needs no database and no key.
/// </summary>
internal sealed class SupabaseInitCommand : Command
{
    private readonly Option<string> _out = new("--out")
    {
        Description = "The Supabase migrations directory.",
        HelpName = "dir",
        DefaultValueFactory = _ => SupabaseInit.DefaultDirectory,
    };

    private readonly Option<bool> _withCron = new("--with-cron")
    {
        Description = "Also write the opt-in pg_cron cleanup jobs (skipped where pg_cron is absent). Not needed when the app runs the hosted cleanup service.",
    };

    private readonly IAnsiConsole _console;

    public SupabaseInitCommand(IAnsiConsole console)
        : base("supabase-init", "Write the SQL migration files for a Supabase project: the mcp_sessions table (compatible with @mcp-ts/sdk), its row-level security, and optionally pg_cron cleanup. Never overwrites a file.")
    {
        _console = console;
        Add(_out);
        Add(_withCron);
        this.WithExamples("mcp-sessions supabase-init", "mcp-sessions supabase-init --out ./supabase/migrations --with-cron");
        SetAction(parseResult => Run(parseResult.GetValue(_out)!, parseResult.GetValue(_withCron)));
    }

    private int Run(string directory, bool withCron)
    {
        SupabaseInit.Result result;
        try
        {
            result = SupabaseInit.Write(directory, DateTimeOffset.UtcNow, withCron);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(CliErrors.Configuration, $"supabase-init cannot write to {Path.GetFullPath(directory)}: {e.Message}", e);
        }

        foreach (var file in result.Written)
        {
            _console.MarkupLine($"[green]wrote[/]   {Markup.Escape(Path.Combine(directory, file))}");
        }

        foreach (var file in result.Skipped)
        {
            _console.MarkupLine($"[yellow]kept[/]    {Markup.Escape(Path.Combine(directory, file))} (already there; not overwritten)");
        }

        _console.WriteLine();
        _console.MarkupLine("Next steps:");
        _console.MarkupLine("  1. [blue]supabase link --project-ref <your-project-ref>[/]");
        _console.MarkupLine("  2. [blue]supabase db push[/]   (every file is idempotent: safe on a database where @mcp-ts/sdk's migration ran)");
        _console.MarkupLine("  3. Give the library a connection string (DATABASE_URL, MCP_TS_STORAGE_TYPE=supabase):");
        _console.MarkupLine("     - the [bold]service_role[/] (or postgres) connection [bold]bypasses RLS[/]: the app alone keeps users apart;");
        _console.MarkupLine("     - connect as [bold]authenticator[/] and call [blue].AddRowLevelSecurity<YourUserAccessor>()[/]: every command runs as");
        _console.MarkupLine("       [bold]authenticated[/] with the user's JWT claims, and the [bold]database[/] enforces isolation.");
        return 0;
    }
}
