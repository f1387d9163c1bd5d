namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>Paths in the repository the tests were built from, and the configuration they were built in.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "McpSessions.EF.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("McpSessions.EF.sln not found above " + AppContext.BaseDirectory);
    }
}
