using Microsoft.EntityFrameworkCore;

namespace McpSessions.EF.Cli.Rendering;

/// <summary>Turns a failure into the one line on stderr and the exit code of the tool.</summary>
internal static class CliErrors
{
    public const int Failed = 1;

    /// <summary>128 + SIGINT, what shells expect from a program stopped by Ctrl+C.</summary>
    public const int Cancelled = 130;

    public static int Report(Exception exception)
    {
        if (exception is OperationCanceledException)
        {
            Console.Error.WriteLine("mcp-sessions: cancelled.");
            return Cancelled;
        }

        Console.Error.WriteLine($"mcp-sessions: {OneLine(Describe(exception))}");
        return Failed;
    }

    /// <summary>The message of <paramref name="exception"/> worth showing.</summary>
    /// <remarks>
    /// EF Core's DbUpdateException says only "see the inner exception"; the database's own message is the useful one.
    /// Neither carries parameter values (sensitive data logging is off), so no secret reaches the terminal.
    /// </remarks>
    public static string Describe(Exception exception) =>
        exception is DbUpdateException { InnerException: { } inner } ? inner.Message : exception.Message;

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
