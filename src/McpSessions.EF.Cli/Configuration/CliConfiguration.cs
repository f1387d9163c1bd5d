using System.CommandLine;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.DependencyInjection;
using Microsoft.Extensions.Configuration;

namespace McpSessions.EF.Cli.Configuration;

/// <summary>
/// The configuration a store command reads, in the order of SPEC §7 and the README, strongest first: the flags;
/// <c>McpSessions__*</c> environment variables; <c>appsettings.json</c> in the current directory; the @mcp-ts/sdk
/// names (<c>MCP_TS_STORAGE_TYPE</c>, <c>DATABASE_URL</c>, …, applied by <c>AddMcpSessions</c> where the section is
/// silent); the library's defaults.
/// </summary>
internal static class CliConfiguration
{
    private const string AppSettingsFile = "appsettings.json";
    private const string RedisUrl = "REDIS_URL";

    public static IConfiguration Build(ParseResult parseResult, ConnectionOptions options)
    {
        var flags = new Dictionary<string, string?>();
        Flag(options.Provider, "Provider");
        Flag(options.Connection, "ConnectionString");
        Flag(options.Key, "Encryption:Key");

        IConfiguration configuration;
        try
        {
            configuration = new ConfigurationBuilder()
                .SetBasePath(Directory.GetCurrentDirectory())
                .AddJsonFile(AppSettingsFile, optional: true, reloadOnChange: false)
                .AddEnvironmentVariables()
                .AddInMemoryCollection(flags)
                .Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException)
        {
            throw new CliException(CliErrors.Configuration, $"configuration: cannot read {Path.GetFullPath(AppSettingsFile)}: {CliErrors.DescribeWithCause(e)}", e);
        }

        if (!string.IsNullOrWhiteSpace(configuration[RedisUrl]))
        {
            // Not an error, and not silent: someone coming from @mcp-ts/sdk may expect it to select storage.
            Console.Error.WriteLine(
                $"mcp-sessions: note: {RedisUrl} is set, but Redis is not a storage type here: it is a cache tier for apps (IDistributedCache). Sessions are read from the configured database.");
        }

        return configuration;

        void Flag(Option<string?> option, string setting)
        {
            if (parseResult.GetValue(option) is { } value)
            {
                flags[$"{McpSessionsOptions.SectionName}:{setting}"] = value;
            }
        }
    }
}
