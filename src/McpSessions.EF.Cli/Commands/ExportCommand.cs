using System.CommandLine;
using System.Text.Json;
using McpSessions.EF.Cli.Configuration;
using McpSessions.EF.Cli.Interop;
using McpSessions.EF.Cli.Rendering;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary>
/// <c>mcp-sessions export</c>: every session in every state, secrets decrypted, as a JSON array of @mcp-ts/sdk
/// <c>SessionData</c> (its file backend's <c>sessions.json</c>). A file is written owner-only (0600), under a temporary
/// name first, so a failure half-way leaves no partial file and an existing file is replaced only by a complete one.
/// </summary>
internal sealed class ExportCommand : StoreCommand
{
    private const int FlushThreshold = 64 * 1024;

    private readonly Option<string?> _out = new("--out") { Description = "Write to this file (mode 0600) instead of stdout.", HelpName = "file" };

    public ExportCommand(IAnsiConsole console)
        : base(
            "export",
            "Export every session (all states) as a JSON array of @mcp-ts/sdk SessionData, the format of its file backend's sessions.json. Secrets are decrypted: the file gets mode 0600.",
            console,
            "mcp-sessions export --out sessions.json",
            "mcp-sessions export | jq length")
    {
        Add(_out);
    }

    protected override async Task<int> RunAsync(ParseResult parseResult, CliStore store, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(_out) is not { } file)
        {
            Console.Error.WriteLine("mcp-sessions: warning: the output holds every session's secrets decrypted (tokens, client secrets, code verifiers, headers); keep it safe.");
            await JsonOutput.WriteAsync(writer => WriteAllAsync(writer, store, cancellationToken));
            return 0;
        }

        var path = Path.GetFullPath(file);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        int count;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var stream = new FileStream(temporary, options))
            await using (var writer = new Utf8JsonWriter(stream, SessionDataJson.WriterOptions))
            {
                count = await WriteAllAsync(writer, store, cancellationToken);
                await writer.FlushAsync(cancellationToken);
                await stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new CliException(CliErrors.Failed, $"cannot write {path}: {e.Message}", e);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        Out.MarkupLine($"Exported {count} session(s) from the {Markup.Escape(store.Database)} to {Markup.Escape(path)}.");
        Console.Error.WriteLine($"mcp-sessions: warning: {path} holds every session's secrets decrypted (tokens, client secrets, code verifiers, headers); it is readable only by you (mode 0600). Keep it safe and delete it when done.");
        return 0;
    }

    private static async Task<int> WriteAllAsync(Utf8JsonWriter writer, CliStore store, CancellationToken cancellationToken)
    {
        var count = 0;
        writer.WriteStartArray();
        await foreach (var session in store.Admin.ExportAsync(cancellationToken))
        {
            SessionDataJson.Write(writer, session, maskSecrets: false);
            count++;
            if (writer.BytesPending > FlushThreshold)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        writer.WriteEndArray();
        return count;
    }
}
