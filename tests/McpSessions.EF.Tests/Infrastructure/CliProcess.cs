using System.Collections;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>Runs the real built <c>mcp-sessions</c> tool as a process, with a clean environment.</summary>
public static class CliProcess
{
    public static string Assembly => RepositoryPaths.Combine("src", "McpSessions.EF.Cli", "bin", RepositoryPaths.Configuration, "net10.0", "McpSessions.EF.Cli.dll");

    /// <summary>
    /// Runs <c>mcp-sessions <paramref name="arguments"/></c> in <paramref name="workingDirectory"/> with none of the
    /// MCP_*, DATABASE_URL, REDIS_URL or STORAGE_* variables of this process, and HOME set to <paramref name="home"/>.
    /// </summary>
    public static Task<ProcessRunner.Result> RunAsync(string workingDirectory, string home, IReadOnlyDictionary<string, string?>? environment = null, params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", [Assembly, .. arguments], workingDirectory, Environment(home, environment), TimeSpan.FromMinutes(2));

    /// <summary>
    /// The variables <see cref="RunAsync"/> sets (a null value removes one): none of this process's MCP_*,
    /// DATABASE_URL, REDIS_URL or STORAGE_* variables, HOME set to <paramref name="home"/>, then <paramref name="environment"/>.
    /// </summary>
    public static Dictionary<string, string?> Environment(string home, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?>();
        foreach (DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (name.StartsWith("MCP_", StringComparison.Ordinal) || name.StartsWith("STORAGE_", StringComparison.Ordinal)
                || name is "DATABASE_URL" or "REDIS_URL" || name.StartsWith("McpSessions__", StringComparison.Ordinal))
            {
                variables[name] = null;
            }
        }

        variables["HOME"] = home;
        variables["XDG_CONFIG_HOME"] = null;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        return variables;
    }
}
