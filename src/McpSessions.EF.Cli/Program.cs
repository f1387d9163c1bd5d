using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using McpSessions.EF.Cli.Commands;
using McpSessions.EF.Cli.Rendering;

var console = CliConsole.Create();
var verbose = new Option<bool>("--verbose") { Description = "On failure, print the exception with its stack trace after the one-line message.", Recursive = true };

// A plain Command rather than RootCommand, whose name is the executable's (McpSessions.EF.Cli.dll under `dotnet`):
// help then says `mcp-sessions`, the tool's command name, however it is started.
var root = new Command(
    "mcp-sessions",
    """
    Inspect, migrate, clean, rotate and move the MCP client sessions of McpSessions.EF.

    Configuration, strongest first: the flags --provider, --connection, --key; McpSessions__* variables;
    appsettings.json in the current directory; MCP_TS_STORAGE_TYPE, MCP_TS_STORAGE_SQLITE_PATH, DATABASE_URL,
    STORAGE_ENCRYPTION_KEY, STORAGE_ENCRYPTION_OLD_KEYS. Exit codes: 0 ok, 1 usage, 2 configuration or connection,
    3 data (not found, malformed input, decryption failure).
    """)
{
    new HelpOption().ShowingExamples(),
    new VersionOption(),
    verbose,
    new DemoCommand(console),
    new MigrateCommand(console),
    new ListCommand(console),
    new ShowCommand(console),
    new CleanupCommand(console),
    new ExportCommand(console),
    new ImportCommand(console),
    new ReencryptCommand(console),
    new KeygenCommand(),
    new StatsCommand(console),
    new SupabaseInitCommand(console),
};

root.WithExamples(
    "mcp-sessions demo",
    "MCP_TS_STORAGE_TYPE=postgres DATABASE_URL=postgres://app:secret@db/app STORAGE_ENCRYPTION_KEY=$KEY mcp-sessions list");

var parseResult = root.Parse(args);
if (parseResult.Action is ParseErrorAction)
{
    // One line, like every other failure; the command's --help has the details.
    var command = parseResult.CommandResult.Command;
    var help = command == root ? "mcp-sessions --help" : $"mcp-sessions {command.Name} --help";
    Console.Error.WriteLine($"mcp-sessions: {CliErrors.OneLine(string.Join(" ", parseResult.Errors.Select(e => e.Message)))} See `{help}`.");
    return CliErrors.Failed;
}

// Failures end as one line on stderr (CliErrors) instead of System.CommandLine's stack trace.
var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
try
{
    return await parseResult.InvokeAsync(invocation);
}
catch (Exception e)
{
    return CliErrors.Report(e, parseResult.GetValue(verbose));
}
