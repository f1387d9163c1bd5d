using System.CommandLine;
using System.Text.Json;
using McpSessions.EF.Cli.Configuration;
using McpSessions.EF.Cli.Interop;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.Storage;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary>
/// <c>mcp-sessions import</c>: a JSON array of @mcp-ts/sdk <c>SessionData</c> (an <c>export</c>, or the
/// <c>sessions.json</c> of its file backend), inserted or replacing by session id, in one transaction. The whole file
/// is read and checked first; a malformed element is reported by index and member, and nothing is written.
/// </summary>
internal sealed class ImportCommand : StoreCommand
{
    private readonly Argument<string> _file = new("FILE") { Description = "A JSON array of @mcp-ts/sdk SessionData, e.g. the sessions.json of its file backend." };

    public ImportCommand(IAnsiConsole console)
        : base(
            "import",
            "Import sessions from a JSON array of @mcp-ts/sdk SessionData (an export, or its file backend's sessions.json): insert or replace by sessionId, all in one transaction.",
            console,
            "mcp-sessions import ./data/sessions.json")
    {
        Add(_file);
    }

    protected override async Task<int> RunAsync(ParseResult parseResult, CliStore store, CancellationToken cancellationToken)
    {
        var file = parseResult.GetValue(_file)!;
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(file, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(CliErrors.Data, $"cannot read {file}: {e.Message}", e);
        }

        var sessions = SessionDataJson.ReadArray(content, file);
        SessionImportResult result;
        try
        {
            result = await CliProgress.RunAsync(Out, $"Importing {file}", report =>
                store.Admin.ImportAsync(sessions, new CliProgress.Callback<int>(done => report(done, sessions.Count)), cancellationToken));
        }
        catch (SessionImportException e)
        {
            // The library names the McpSession property (ServerUrl); the file has the SessionData member (serverUrl).
            throw SessionDataJson.Malformed(file, e.Index, JsonNamingPolicy.CamelCase.ConvertName(e.Field), e.Rule, e);
        }

        Out.MarkupLine($"Imported {result.Total} session(s) from {Markup.Escape(file)} into the {Markup.Escape(store.Database)}: {result.Inserted} new, {result.Replaced} replaced.");
        return 0;
    }
}
