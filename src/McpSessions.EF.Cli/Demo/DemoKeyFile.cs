using System.Text;
using McpSessions.EF.Encryption;

namespace McpSessions.EF.Cli.Demo;

/// <summary>
/// The demo's encryption key, so it runs with zero setup: made once, kept in a per-user file readable only by its
/// owner (mode 0600), and reused by every later demo run so the rows it wrote stay readable.
/// </summary>
internal static class DemoKeyFile
{
    /// <summary><c>$XDG_CONFIG_HOME/mcp-sessions/demo.key</c>, by default <c>~/.config/mcp-sessions/demo.key</c>.</summary>
    public static string DefaultPath => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.Create), "mcp-sessions", "demo.key");

    /// <summary>Reads the key, creating the file first if there is none. <paramref name="created"/> says which.</summary>
    public static string LoadOrCreate(string path, out bool created)
    {
        created = false;
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var stream = new FileStream(path, options);
                stream.Write(Encoding.ASCII.GetBytes(EncryptionKey.Generate() + "\n"));
                created = true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another demo run made it first: use theirs.
            }
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return File.ReadAllText(path).Trim();
    }
}
