using Microsoft.Extensions.Configuration;

namespace McpSessions.EF.DependencyInjection;

/// <summary>
/// The environment names @mcp-ts/sdk uses (SPEC §7), honoured beside the <c>McpSessions</c> section. A value in the
/// section wins; a seed name fills in what the section leaves unset.
/// </summary>
internal static class SeedEnvironmentConfiguration
{
    public const string StorageType = "MCP_TS_STORAGE_TYPE";
    public const string SqlitePath = "MCP_TS_STORAGE_SQLITE_PATH";
    public const string DatabaseUrl = "DATABASE_URL";
    public const string EncryptionKey = "STORAGE_ENCRYPTION_KEY";
    public const string OldEncryptionKeys = "STORAGE_ENCRYPTION_OLD_KEYS";

    public static void Apply(IConfiguration configuration, McpSessionsOptions options)
    {
        var section = configuration.GetSection(McpSessionsOptions.SectionName);

        if (section["Provider"] is null && configuration[StorageType] is { Length: > 0 } type)
        {
            if (TryParseProvider(type, out var provider))
            {
                options.Provider = provider;
            }
            else
            {
                options.ConfigurationErrors.Add($"{StorageType} must be one of sqlite, postgres, supabase, memory; got '{type}'.");
            }
        }

        if (section["SqlitePath"] is null && configuration[SqlitePath] is { Length: > 0 } path)
        {
            options.SqlitePath = path;
        }

        if (section["ConnectionString"] is null && configuration[DatabaseUrl] is { Length: > 0 } url
            && options.Provider is SessionStorageProvider.Postgres or SessionStorageProvider.Supabase)
        {
            options.ConnectionString = url;
        }

        if (section["Encryption:Key"] is null && configuration[EncryptionKey] is { Length: > 0 } key)
        {
            options.Encryption.Key = key;
        }

        if (!section.GetSection("Encryption:OldKeys").GetChildren().Any() && configuration[OldEncryptionKeys] is { Length: > 0 } oldKeys)
        {
            foreach (var oldKey in oldKeys.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.Encryption.OldKeys.Add(oldKey);
            }
        }
    }

    public static bool TryParseProvider(string value, out SessionStorageProvider provider)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "sqlite": provider = SessionStorageProvider.Sqlite; return true;
            case "postgres" or "postgresql": provider = SessionStorageProvider.Postgres; return true;
            case "supabase": provider = SessionStorageProvider.Supabase; return true;
            case "memory": provider = SessionStorageProvider.Memory; return true;
            default: provider = default; return false;
        }
    }
}
