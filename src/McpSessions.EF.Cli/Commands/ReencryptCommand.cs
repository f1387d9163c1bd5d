using System.CommandLine;
using McpSessions.EF.Cli.Configuration;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.Encryption;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary><c>mcp-sessions reencrypt</c>: rewrites every row not yet under the primary key (docs/ENCRYPTION.md, rotation).</summary>
internal sealed class ReencryptCommand(IAnsiConsole console) : StoreCommand(
    "reencrypt",
    "Rewrite every session's secrets under the primary key (STORAGE_ENCRYPTION_KEY), reading old ones with STORAGE_ENCRYPTION_OLD_KEYS; also upgrades clear-text rows. Safe while apps run; run again to finish an interrupted run.",
    console,
    "STORAGE_ENCRYPTION_KEY=$NEW STORAGE_ENCRYPTION_OLD_KEYS=$OLD mcp-sessions reencrypt")
{
    protected override async Task<int> RunAsync(ParseResult parseResult, CliStore store, CancellationToken cancellationToken)
    {
        var result = await CliProgress.RunAsync(Out, "Re-encrypting", report =>
            store.Reencryptor.ReencryptAsync(new CliProgress.Callback<ReencryptionProgress>(p => report(p.Scanned, p.Total)), cancellationToken));
        var target = store.KeyRing.Primary is { } key ? $"key {key.Id} ({store.KeyRing.Format})" : "clear text";
        Out.MarkupLine($"Re-encrypted the {Markup.Escape(store.Database)}: scanned {result.Scanned} session(s), rewrote {result.Rewritten} under {Markup.Escape(target)}.");
        return 0;
    }
}
