using System.CommandLine;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.Encryption;

namespace McpSessions.EF.Cli.Commands;

/// <summary><c>mcp-sessions keygen</c>: prints a new random 256-bit key as 64 hex characters.</summary>
internal sealed class KeygenCommand : Command
{
    public KeygenCommand()
        : base("keygen", "Print a new random encryption key (64 hex characters) for STORAGE_ENCRYPTION_KEY.")
    {
        this.WithExamples("export STORAGE_ENCRYPTION_KEY=$(mcp-sessions keygen)");
        SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.WriteLine(EncryptionKey.Generate());
            return 0;
        });
    }
}
