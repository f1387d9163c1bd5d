using System.CommandLine;
using System.Data.Common;
using System.Text;
using McpSessions.EF.Cli.Commands;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.Tests.Infrastructure;
using Spectre.Console;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// The tool's <c>import</c> command run in this process, as <c>Program.cs</c> runs it: the command parsed from the same
/// arguments, invoked without System.CommandLine's exception handler, and a failure mapped to its exit code and line by
/// <see cref="CliErrors"/>. About 100 times faster than starting the tool, so the fuzzing can try hundreds of files.
/// </summary>
public static class InProcessImport
{
    public sealed record Result(int ExitCode, string Error, string Output);

    public static async Task<Result> RunAsync(string file, string provider, string connectionString)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        var command = new ImportCommand(console);
        var parse = command.Parse([file, "--provider", provider, "--connection", connectionString, "--key", TestKeys.A]);
        Assert.Empty(parse.Errors);
        try
        {
            var code = await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            return new Result(code, "", output.ToString());
        }
        catch (Exception e)
        {
            var code = e is OperationCanceledException ? CliErrors.Cancelled : CliErrors.ExitCode(e);
            return new Result(code, $"mcp-sessions: {CliErrors.OneLine(CliErrors.Describe(e))}", output.ToString() + Environment.NewLine + e);
        }
    }

    /// <summary>Every row of the session table, every column, as text: to show that a failed import wrote nothing.</summary>
    public static async Task<string> SnapshotAsync(SessionStoreFixture fixture, string connectionString)
    {
        await using var connection = await fixture.OpenRawAsync(connectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM mcp_sessions ORDER BY session_id";
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        var text = new StringBuilder();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.GetName(i)).Append('=').Append(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
            }

            text.AppendLine();
        }

        return $"{rows} rows{Environment.NewLine}{text}";
    }
}
