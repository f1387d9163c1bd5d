using System.Text.Json;
using McpSessions.EF.Cli.Interop;

namespace McpSessions.EF.Cli.Rendering;

/// <summary><c>--json</c>: machine output on stdout only, indented, ending with a newline.</summary>
internal static class JsonOutput
{
    public static async Task WriteAsync(Func<Utf8JsonWriter, Task> write)
    {
        // Not disposed: it is the process's stdout.
        var stdout = Console.OpenStandardOutput();
        await using (var writer = new Utf8JsonWriter(stdout, SessionDataJson.WriterOptions))
        {
            await write(writer);
        }

        await stdout.WriteAsync("\n"u8.ToArray());
        await stdout.FlushAsync();
    }

    public static Task WriteAsync(Action<Utf8JsonWriter> write) => WriteAsync(writer =>
    {
        write(writer);
        return Task.CompletedTask;
    });
}
