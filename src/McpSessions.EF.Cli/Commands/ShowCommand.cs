using System.CommandLine;
using McpSessions.EF.Cli.Configuration;
using McpSessions.EF.Cli.Interop;
using McpSessions.EF.Cli.Rendering;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary><c>mcp-sessions show</c>: one session in any state; secrets masked unless <c>--reveal</c>.</summary>
internal sealed class ShowCommand : StoreCommand
{
    private readonly Argument<string> _identity = new("IDENTITY") { Description = "The identity (user) the session belongs to." };
    private readonly Argument<string> _sessionId = new("SESSION_ID") { Description = "The session id." };
    private readonly Option<bool> _json = new("--json") { Description = "Print the session as @mcp-ts/sdk SessionData JSON on stdout (secret values masked unless --reveal)." };
    private readonly Option<bool> _reveal = new("--reveal") { Description = $"Show the secrets (headers, client information, tokens, code verifier) instead of {SessionTable.Hidden}." };

    public ShowCommand(IAnsiConsole console)
        : base(
            "show",
            $"Show one session, whatever its state. Secrets show as {SessionTable.Hidden} unless --reveal.",
            console,
            "mcp-sessions show alice Jq3vV0cS1p8m2Yc0aZl4Wg",
            "mcp-sessions show alice Jq3vV0cS1p8m2Yc0aZl4Wg --json --reveal")
    {
        Add(_identity);
        Add(_sessionId);
        Add(_json);
        Add(_reveal);
    }

    protected override async Task<int> RunAsync(ParseResult parseResult, CliStore store, CancellationToken cancellationToken)
    {
        var identity = parseResult.GetValue(_identity)!;
        var sessionId = parseResult.GetValue(_sessionId)!;
        var reveal = parseResult.GetValue(_reveal);
        var session = await store.Admin.FindAsync(identity, sessionId, cancellationToken)
            ?? throw new CliException(CliErrors.Data, $"Session {sessionId} not found for identity {identity} in the {store.Database}.");
        if (parseResult.GetValue(_json))
        {
            await JsonOutput.WriteAsync(writer => SessionDataJson.Write(writer, session, maskSecrets: !reveal));
            return 0;
        }

        Out.Write(SessionDetails.Create(session, store.Admin.Summarize(session), store.Admin.Now, reveal));
        return 0;
    }
}
