using McpSessions.EF.Encryption;
using McpSessions.EF.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Cli.Rendering;

/// <summary>Turns a failure into the one line on stderr and the exit code of the tool.</summary>
internal static class CliErrors
{
    /// <summary>A usage error (System.CommandLine reports those), or a failure of no known kind.</summary>
    public const int Failed = 1;

    /// <summary>The configuration is missing or wrong, or the database cannot be reached or has no schema.</summary>
    public const int Configuration = 2;

    /// <summary>The data is wrong: a session not found, a malformed input file, a secret that does not decrypt.</summary>
    public const int Data = 3;

    /// <summary>128 + SIGINT, what shells expect from a program stopped by Ctrl+C.</summary>
    public const int Cancelled = 130;

    /// <summary>Writes the line (and, with <paramref name="verbose"/>, the exception with its stack trace) to stderr.</summary>
    public static int Report(Exception exception, bool verbose)
    {
        var code = exception is OperationCanceledException ? Cancelled : ExitCode(exception);
        var message = exception is OperationCanceledException ? "cancelled." : Describe(Known(exception) ?? exception);
        Console.Error.WriteLine($"mcp-sessions: {OneLine(message)}");
        if (verbose)
        {
            Console.Error.WriteLine(exception);
        }

        return code;
    }

    /// <summary>The exit code for <paramref name="exception"/>: its own, or that of the first known failure it wraps.</summary>
    public static int ExitCode(Exception exception) => exception switch
    {
        CliException cli => cli.ExitCode,
        _ => Known(exception) switch
        {
            OptionsValidationException or EncryptionConfigurationException or SessionSchemaNotReadyException => Configuration,
            SessionNotFoundException or SecretDecryptionException or SessionValidationException or SessionImportException => Data,
            _ => Failed,
        },
    };

    /// <summary>The message of <paramref name="exception"/> worth showing.</summary>
    /// <remarks>
    /// EF Core's DbUpdateException says only "see the inner exception"; the database's own message is the useful one.
    /// Neither carries parameter values (sensitive data logging is off), so no secret reaches the terminal.
    /// </remarks>
    public static string Describe(Exception exception) =>
        exception is DbUpdateException { InnerException: { } inner } ? inner.Message : exception.Message;

    /// <summary>The outer message, and the innermost cause when it says something more ("Failed to connect to …: Connection refused").</summary>
    public static string DescribeWithCause(Exception exception)
    {
        var outer = Describe(exception);
        var inner = exception;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner == exception || outer.Contains(inner.Message, StringComparison.Ordinal) ? outer : $"{outer.TrimEnd('.')}: {inner.Message}";
    }

    // The first exception in the chain whose kind has an exit code (EF wraps decryption failures while materializing).
    private static Exception? Known(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is CliException or OptionsValidationException or McpSessionsException or EncryptionConfigurationException or SessionValidationException)
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>Folds a message onto one line.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
