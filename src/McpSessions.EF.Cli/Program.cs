using System.CommandLine;
using McpSessions.EF.Cli.Commands;
using McpSessions.EF.Cli.Rendering;

var console = CliConsole.Create();
var root = new RootCommand("mcp-sessions: inspect and manage the MCP client sessions of McpSessions.EF.")
{
    new DemoCommand(console),
    new KeygenCommand(),
};

// Failures end as one line on stderr (CliErrors) instead of System.CommandLine's stack trace.
var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
try
{
    return await root.Parse(args).InvokeAsync(invocation);
}
catch (Exception e)
{
    return CliErrors.Report(e);
}
