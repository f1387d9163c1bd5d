namespace McpSessions.EF.Benchmarks.Macro;

internal static class Check
{
    public static void Count(string operation, long actual, long expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{operation}: {actual} rows where {expected} were expected");
        }
    }
}
