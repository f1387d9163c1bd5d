namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>What a run of the tool must show: success with a quiet stderr, or the documented exit code and one clear line.</summary>
public static class CliAssert
{
    /// <summary>Exit 0 and nothing on stderr (unless <paramref name="stderr"/>: a warning is expected).</summary>
    public static void Succeeded(ProcessRunner.Result result, bool stderr = false)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        if (!stderr)
        {
            Assert.True(result.StandardError.Length == 0, result.ToString());
        }
    }

    /// <summary>The documented exit code, and one clear line on stderr.</summary>
    public static void Failed(ProcessRunner.Result result, int exitCode)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}: {result}");
        OneLine(result.StandardError);
        Assert.StartsWith("mcp-sessions: ", result.StandardError, StringComparison.Ordinal);
    }

    public static void OneLine(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.True(text.TrimEnd('\n').Split('\n').Length == 1, $"expected one line:\n{text}");
    }
}
