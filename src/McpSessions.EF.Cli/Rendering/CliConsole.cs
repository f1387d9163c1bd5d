using Spectre.Console;

namespace McpSessions.EF.Cli.Rendering;

/// <summary>The console the commands write their tables to (stdout).</summary>
internal static class CliConsole
{
    // Redirected output has no terminal width and Spectre.Console falls back to 80 columns, which wraps a session
    // table cell by cell; files and pipes read better unwrapped, and without colour codes.
    private const int RedirectedWidth = 160;

    public static IAnsiConsole Create()
    {
        var redirected = Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
