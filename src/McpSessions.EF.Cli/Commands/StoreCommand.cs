using System.CommandLine;
using McpSessions.EF.Cli.Configuration;
using McpSessions.EF.Cli.Rendering;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary>
/// A command that works on the configured session database: it takes the connection flags, opens the library as
/// configured (<see cref="CliStore"/>), and reports a database it cannot reach as one line with exit code 2.
/// </summary>
internal abstract class StoreCommand : Command
{
    private readonly ConnectionOptions _connection = new();

    protected StoreCommand(string name, string summary, IAnsiConsole console, params string[] examples)
        : base(name, summary)
    {
        this.WithExamples(examples);
        Out = console;
        _connection.AddTo(this);
        SetAction(async (parseResult, cancellationToken) =>
        {
            await using var store = await CliStore.OpenAsync(parseResult, _connection, CreatesDatabase, UsesKey);
            return await store.RunAsync(() => RunAsync(parseResult, store, cancellationToken));
        });
    }

    /// <summary>Human output (stdout).</summary>
    protected IAnsiConsole Out { get; }

    /// <summary>Whether a SQLite file that does not exist may be created; every other command wants an existing database.</summary>
    protected virtual bool CreatesDatabase => false;

    /// <summary>Whether the command reads or writes a secret, and so needs the encryption key; the others run without one.</summary>
    protected virtual bool UsesKey => true;

    protected abstract Task<int> RunAsync(ParseResult parseResult, CliStore store, CancellationToken cancellationToken);

    /// <summary>The --json flag, for commands that have machine output.</summary>
    protected static Option<bool> JsonOption() => new("--json") { Description = "Machine output: JSON on stdout, nothing else on stdout." };
}
