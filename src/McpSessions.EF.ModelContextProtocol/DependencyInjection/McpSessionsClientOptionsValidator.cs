using Microsoft.Extensions.Options;

namespace McpSessions.EF.ModelContextProtocol;

/// <summary>Checks <see cref="McpSessionsClientOptions"/> at startup, naming the setting that is wrong.</summary>
internal sealed class McpSessionsClientOptionsValidator : IValidateOptions<McpSessionsClientOptions>
{
    public ValidateOptionsResult Validate(string? name, McpSessionsClientOptions options)
    {
        var failures = new List<string>();
        if (options.LockTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(McpSessionsClientOptions)}.{nameof(McpSessionsClientOptions.LockTimeout)} must be a positive time span.");
        }

        if (options.RefreshHoldTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(McpSessionsClientOptions)}.{nameof(McpSessionsClientOptions.RefreshHoldTimeout)} must be a positive time span.");
        }

        if (options.MaxExpirySkew < TimeSpan.Zero)
        {
            failures.Add($"{nameof(McpSessionsClientOptions)}.{nameof(McpSessionsClientOptions.MaxExpirySkew)} must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
