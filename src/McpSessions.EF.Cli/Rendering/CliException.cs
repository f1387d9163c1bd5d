namespace McpSessions.EF.Cli.Rendering;

/// <summary>A command failed; <see cref="Exception.Message"/> is the whole line the user sees, with the context the cause lacks.</summary>
internal sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
