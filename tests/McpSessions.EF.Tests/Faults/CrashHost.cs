using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Faults;

/// <summary>The built McpSessions.EF.CrashHost, the second process of the crash and race tests (its Program.cs says what each mode does).</summary>
public static class CrashHost
{
    public static string Assembly => RepositoryPaths.Combine("tests", "McpSessions.EF.CrashHost", "bin", RepositoryPaths.Configuration, "net10.0", "McpSessions.EF.CrashHost.dll");
}
