namespace McpSessions.EF.Cli.Rendering;

/// <summary>
/// A command failed; <see cref="Exception.Message"/> is the whole line the user sees, with the context the cause lacks,
/// and <see cref="ExitCode"/> is the tool's exit code (<see cref="CliErrors"/>).
/// </summary>
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
        ExitCode = CliErrors.ExitCode(innerException);
    }

    public CliException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; } = CliErrors.Failed;
}
